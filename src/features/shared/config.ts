/**
 * The settings, typed, for a resource (multi-root workspaces may differ per folder): the only place the shell
 * calls `getConfiguration`. `affectsSettings` is what `onDidChangeConfiguration` listeners check.
 */
import * as vscode from 'vscode';
import { settingOrigin, type SettingScope } from '../../core/devServer/interpreterProblem';
import { readSettings, SETTING_KEYS, type Settings } from '../../core/settings';

export function configFor(scope?: vscode.ConfigurationScope): Settings {
  const config = vscode.workspace.getConfiguration(undefined, scope);
  return readSettings((key) => config.get(key));
}

/** Whether a configuration change touches any of `settings` (for `scope`, when given). */
export function affectsSettings(event: vscode.ConfigurationChangeEvent, settings: ReadonlyArray<keyof Settings>, scope?: vscode.ConfigurationScope): boolean {
  return settings.some((name) => event.affectsConfiguration(SETTING_KEYS[name], scope));
}

/**
 * The scope a setting's value is read from for `scope` (Workspace Folder, Workspace, User), through the
 * configuration API's `inspect`, so a message can say where a value came from, or that no scope sets it.
 */
export function settingScopeOf(key: string, scope?: vscode.ConfigurationScope): SettingScope | undefined {
  const inspected = vscode.workspace.getConfiguration(undefined, scope).inspect<unknown>(key);
  return settingOrigin(inspected, (value) => value !== undefined && value !== '');
}
