/**
 * The Python the user chose for a folder: the interpreter the Python extension has selected (through its API,
 * when that extension is installed), else the `catalyst.python.path` setting, else `python3`. The dev server
 * runs it; the add-endpoint check tries it first among the core's candidates (core/python/interpreter.ts).
 */
import { PythonExtension, PVSC_EXTENSION_ID } from '@vscode/python-extension';
import * as vscode from 'vscode';
import { configFor } from './config';
import type { Logger } from './logger';

export interface SelectedInterpreter {
  readonly command: string;
  readonly source: 'python-extension' | 'setting' | 'default';
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
  return configured ? { command: configured, source: 'setting' } : { command: 'python3', source: 'default' };
}
