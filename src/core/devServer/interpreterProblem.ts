/**
 * Why the dev server cannot start with the interpreter it was given, said so the user can fix it: which Python
 * was tried, where that choice came from (the Python extension, a setting and which settings scope, the
 * fallback), and what it lacks. Pure: the editor probes the interpreter (core/python/interpreter.ts
 * probeModules) and reads the setting through VS Code's configuration API, then asks here for the words.
 */
import type { ModuleProbe } from '../python/interpreter';

/** The scopes VS Code reads a setting from, most specific first, as its Settings editor names them. */
export type SettingScope = 'Workspace Folder' | 'Workspace' | 'User';

/** What `WorkspaceConfiguration.inspect(key)` returns, as far as the scopes go (the language overrides aside). */
export interface InspectedSetting<T> {
  readonly key: string;
  readonly defaultValue?: T;
  readonly globalValue?: T;
  readonly workspaceValue?: T;
  readonly workspaceFolderValue?: T;
}

/** Where a setting's effective value was read from; undefined when no scope sets it (the default applies). */
export function settingOrigin<T>(inspected: InspectedSetting<T> | undefined, isSet: (value: T | undefined) => boolean): SettingScope | undefined {
  if (inspected === undefined) {
    return undefined;
  }
  // A single-folder window reports its settings as both the workspace's and the folder's: that is Workspace.
  if (isSet(inspected.workspaceFolderValue) && inspected.workspaceFolderValue !== inspected.workspaceValue) {
    return 'Workspace Folder';
  }
  if (isSet(inspected.workspaceValue)) {
    return 'Workspace';
  }
  return isSet(inspected.globalValue) ? 'User' : undefined;
}

/** Where the interpreter came from. */
export type InterpreterOrigin =
  | { readonly kind: 'python-extension' }
  | { readonly kind: 'setting'; readonly key: string; readonly scope: SettingScope | undefined }
  | { readonly kind: 'option' }
  | { readonly kind: 'default'; readonly key: string };

/**
 * How a settings scope is named in a window: in a remote window (SSH, a container, code-server's remote
 * workbench) the "User" scope a machine setting is read from is the remote machine's, not the local one.
 */
export function scopeLabel(scope: SettingScope, remote: boolean): string {
  return scope === 'User' && remote ? 'Remote (or User)' : scope;
}

export function describeOrigin(origin: InterpreterOrigin, remote: boolean): string {
  switch (origin.kind) {
    case 'python-extension':
      return 'the interpreter selected in the Python extension';
    case 'setting':
      return origin.scope === undefined ? `${origin.key}` : `${origin.key} in ${scopeLabel(origin.scope, remote)} settings`;
    case 'option':
      return 'the command\u2019s argument';
    case 'default':
      return (
        `the fallback search, as ${origin.key} is not set in the Workspace Folder, Workspace or ${remote ? 'Remote' : 'User'} settings this window reads` +
        (remote ? ' (a value in your local User settings does not apply in a remote window)' : '') +
        ' and the Python extension selected none'
      );
  }
}

/**
 * The message when the probe shows the interpreter cannot serve the app; undefined when it can. `needed` are
 * the modules the serve command imports (fastapi and uvicorn).
 */
export function interpreterProblemMessage(probe: ModuleProbe, origin: InterpreterOrigin, options: { readonly remote: boolean }): string | undefined {
  const from = describeOrigin(origin, options.remote);
  if (probe.failure !== undefined) {
    return `The dev server cannot start: the Python tried, ${probe.command} (from ${from}), does not run: ${probe.failure}. Select an interpreter that has fastapi and uvicorn.`;
  }
  if (probe.missing.length === 0) {
    return undefined;
  }
  const version = probe.version ? `Python ${probe.version}, ` : '';
  const executable = probe.executable && probe.executable !== probe.command ? ` = ${probe.executable}` : '';
  const them = probe.missing.length === 1 ? 'it' : 'them';
  return (
    `The dev server cannot start: the Python tried, ${probe.command}${executable} (${version}from ${from}), cannot import ${probe.missing.join(' and ')}. ` +
    `Install ${them} into that environment (pip install ${probe.missing.join(' ')}) or select an interpreter that has ${them}.`
  );
}
