/**
 * The settings, typed, for a resource (multi-root workspaces may differ per folder): the only place the shell
 * calls `getConfiguration`. `affectsSettings` is what `onDidChangeConfiguration` listeners check.
 */
import * as vscode from 'vscode';
import { readSettings, SETTING_KEYS, type Settings } from '../../core/settings';

export function configFor(scope?: vscode.ConfigurationScope): Settings {
  const config = vscode.workspace.getConfiguration(undefined, scope);
  return readSettings((key) => config.get(key));
}

/** Whether a configuration change touches any of `settings` (for `scope`, when given). */
export function affectsSettings(event: vscode.ConfigurationChangeEvent, settings: ReadonlyArray<keyof Settings>, scope?: vscode.ConfigurationScope): boolean {
  return settings.some((name) => event.affectsConfiguration(SETTING_KEYS[name], scope));
}
