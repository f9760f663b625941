/**
 * The Python for a folder: the interpreter the Python extension has selected (through its API, when that
 * extension is installed), else the `catalyst.python.path` setting, else the core's choice
 * (core/python/interpreter.ts: the project's .venv, CATALYST_PYTHON, python3, ...). The dev server runs it;
 * the add-endpoint check tries the user's choice first among the same core candidates.
 */
import { PythonExtension, PVSC_EXTENSION_ID } from '@vscode/python-extension';
import * as vscode from 'vscode';
import { findPython, pythonCandidates } from '../../core/python/interpreter';
import { configFor, settingScopeOf } from './config';
import { SETTING_KEYS } from '../../core/settings';
import type { SettingScope } from '../../core/devServer/interpreterProblem';
import type { Logger } from './logger';

export interface SelectedInterpreter {
  readonly command: string;
  readonly source: 'python-extension' | 'setting' | 'default';
  /** For `setting`: the settings scope the value was read from (see core/devServer/interpreterProblem.ts). */
  readonly settingScope?: SettingScope;
}

export async function selectedInterpreter(folder: vscode.Uri, logger: Logger): Promise<SelectedInterpreter> {
  if (vscode.extensions.getExtension(PVSC_EXTENSION_ID) !== undefined) {
    try {
      const api = await PythonExtension.api();
      const active = api.environments.getActiveEnvironmentPath(folder);
      const resolved = await api.environments.resolveEnvironment(active);
      const executable = resolved?.executable.uri?.fsPath;
      if (executable) {
        return { command: executable, source: 'python-extension' };
      }
    } catch (error) {
      logger.warn(`The Python extension did not give an interpreter (${error instanceof Error ? error.message : String(error)}); using the setting or python3`);
    }
  }
  const configured = configFor(folder).pythonPath;
  if (configured) {
    const scope = settingScopeOf(SETTING_KEYS.pythonPath, folder);
    return { command: configured, source: 'setting', ...(scope ? { settingScope: scope } : {}) };
  }
  // Nothing chosen: the core's choice, as the CLI makes it (the project's .venv first), of a Python with uvicorn.
  const found = await findPython(['uvicorn'], pythonCandidates(folder.scheme === 'file' ? { projectRoot: folder.fsPath } : {})).catch((error: unknown) => {
    logger.warn(`No Python with uvicorn found (${error instanceof Error ? error.message : String(error)}); using python3`);
    return undefined;
  });
  return { command: found?.command ?? 'python3', source: 'default' };
}
