/**
 * `catalyst.startDevServer`: runs the app's dev server (`fastapi dev` where the project has the FastAPI CLI,
 * uvicorn otherwise; core/app/devServer.ts) for a FastAPI app of the workspace as a VS Code Task (its terminal
 * visible, stopped with the task), waits until the port answers, then offers to open the Stream Preview.
 * In an untrusted workspace it starts nothing: running the app runs the workspace's code.
 *
 * Options (each answers a prompt; tests and other commands pass them):
 *   executeCommand('catalyst.startDevServer', { app: 'main:app', folder, port, host, python, openPreview })
 * Resolves to `{ port, url, app, python, execution }` once the server answers, or undefined when nothing started.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { waitForPort } from '../../core/net/ports';
import { devServerCommand } from '../../core/app/devServer';
import { projectFiles } from '../shared/workspaceFiles';
import type { Logger } from '../shared/logger';
import { findApps, type UvicornApp } from './apps';
import { selectedInterpreter } from '../shared/interpreter';
import { DEV_SERVER_HOST, DEV_SERVER_PORT } from '../../core/defaults';

export const TASK_TYPE = 'catalyst-dev-server';
/** uvicorn with a large app (or a cold import cache) can take a while to bind. */
const START_TIMEOUT_MS = 60_000;

export interface StartDevServerOptions {
  /** `module:attribute`; skips the app prompt. */
  readonly app?: string;
  /** Workspace folder path (default: the first, or a prompt when several). */
  readonly folder?: string;
  readonly port?: number;
  readonly host?: string;
  /** Interpreter command; skips the Python extension / setting lookup. */
  readonly python?: string;
  /** true: open the preview when the server answers; false: do not; undefined: ask. */
  readonly openPreview?: boolean;
}

export interface StartedDevServer {
  readonly port: number;
  readonly url: string;
  readonly app: string;
  readonly python: string;
  /** Undefined when a server was already answering on the port and nothing new was started. */
  readonly execution?: vscode.TaskExecution;
}

export async function startDevServer(options: StartDevServerOptions, logger: Logger): Promise<StartedDevServer | undefined> {
  if (!vscode.workspace.isTrusted) {
    const manage = vscode.l10n.t('Manage Workspace Trust');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Start Dev Server runs this workspace\u2019s Python code, so it does not run in Restricted Mode. Trust the workspace to use it.'),
      manage,
    );
    if (choice === manage) {
      await vscode.commands.executeCommand('workbench.trust.manage');
    }
    return undefined;
  }
  const folder = await pickFolder(options.folder);
  if (folder === undefined) {
    return undefined;
  }
  const host = options.host ?? DEV_SERVER_HOST;
  const port = options.port ?? DEV_SERVER_PORT;
  const url = `http://${host}:${port}`;

  const app = options.app !== undefined ? appFromTarget(options.app) : await pickApp(folder);
  if (app === undefined) {
    return undefined;
  }
  if (await answers(host, port)) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Something already answers on {0}; no new server was started.', url));
    return offerPreview({ port, url, app: app.target, python: '' }, app, options.openPreview);
  }
  const python = options.python !== undefined ? { command: options.python, source: 'setting' as const } : await selectedInterpreter(folder.uri, logger);
  // `fastapi dev` where the project has the FastAPI CLI, uvicorn otherwise: the core decides, as for add-endpoint's "Try it".
  const command = await devServerCommand(projectFiles(folder.uri), { app: app.target, appDir: app.appDir, factory: app.factory }, python.command, {
    host,
    port,
  });
  const args = ['-m', command.program, ...command.args];
  const task = new vscode.Task(
    { type: TASK_TYPE, app: app.target, port },
    folder,
    vscode.l10n.t('{0} {1} on port {2}', command.program, app.target, port),
    'Catalyst',
    new vscode.ProcessExecution(python.command, args, { cwd: folder.uri.fsPath, env: { PYTHONUNBUFFERED: '1' } }),
    [],
  );
  task.isBackground = true;
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true, focus: false };
  logger.info(`Starting the dev server: ${python.command} ${args.join(' ')} (interpreter from ${python.source}, in ${folder.uri.fsPath})`);

  const ended = new AbortController();
  let exitCode: number | undefined;
  const execution = await vscode.tasks.executeTask(task);
  const listener = vscode.tasks.onDidEndTaskProcess((event) => {
    if (event.execution === execution) {
      exitCode = event.exitCode;
      ended.abort();
    }
  });
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Waiting for uvicorn on port {0}', port) }, () =>
      waitForPort(port, { host, timeoutMs: START_TIMEOUT_MS, signal: ended.signal }),
    );
  } catch (error) {
    const why = ended.signal.aborted
      ? vscode.l10n.t(
          'uvicorn exited{0} before it answered on {1}. Its output is in the terminal "{2}".',
          exitCode === undefined ? '' : ` (code ${exitCode})`,
          url,
          task.name,
        )
      : vscode.l10n.t('uvicorn did not answer on {0} within {1} s. Its output is in the terminal "{2}".', url, START_TIMEOUT_MS / 1000, task.name);
    logger.error(why, error);
    if (!ended.signal.aborted) {
      execution.terminate();
    }
    void vscode.window.showErrorMessage(why);
    return undefined;
  } finally {
    listener.dispose();
  }
  logger.info(`The dev server answers on ${url}`);
  return offerPreview({ port, url, app: app.target, python: python.command, execution }, app, options.openPreview);
}

async function offerPreview(started: StartedDevServer, app: UvicornApp, openPreview: boolean | undefined): Promise<StartedDevServer> {
  const route = app.ssePaths[0];
  const previewOptions = { url: `${started.url}${route?.path ?? '/'}`, method: route?.method ?? 'GET', send: false };
  if (openPreview === false) {
    return started;
  }
  if (openPreview === undefined) {
    const open = vscode.l10n.t('Open Stream Preview');
    void vscode.window.showInformationMessage(vscode.l10n.t('The dev server answers on {0}.', started.url), open).then(async (choice) => {
      if (choice === open) {
        await vscode.commands.executeCommand('catalyst.openStreamPreview', previewOptions);
      }
    });
    return started;
  }
  await vscode.commands.executeCommand('catalyst.openStreamPreview', previewOptions);
  return started;
}

function answers(host: string, port: number): Promise<boolean> {
  return waitForPort(port, { host, timeoutMs: 0 }).then(
    () => true,
    () => false,
  );
}

/** An app given as `module:attribute` (a factory when given as `module:factory()`). */
function appFromTarget(target: string): UvicornApp {
  const factory = target.endsWith('()');
  const clean = factory ? target.slice(0, -2) : target;
  return { target: clean, appDir: '', factory, file: '', line: 0, description: '', ssePaths: [] };
}

async function pickFolder(folderPath: string | undefined): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folderPath !== undefined) {
    const match = folders.find((f) => path.resolve(f.uri.fsPath) === path.resolve(folderPath));
    if (match === undefined) {
      void vscode.window.showErrorMessage(vscode.l10n.t('{0} is not a folder of this workspace.', folderPath));
    }
    return match;
  }
  if (folders.length === 0) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Start Dev Server needs an open folder with a FastAPI app.'));
    return undefined;
  }
  return folders.length === 1 ? folders[0] : vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t('Folder of the FastAPI app') });
}

async function pickApp(folder: vscode.WorkspaceFolder): Promise<UvicornApp | undefined> {
  const apps = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Looking for FastAPI apps') }, () =>
    findApps(folder),
  );
  if (apps.length === 0) {
    void vscode.window.showErrorMessage(vscode.l10n.t('No FastAPI app found in {0} (looked for `app = FastAPI()` and app factories).', folder.name));
    return undefined;
  }
  if (apps.length === 1) {
    return apps[0];
  }
  const picked = await vscode.window.showQuickPick(
    apps.map((app) => ({ label: app.target, description: app.description, detail: `${app.file}:${app.line + 1}`, app })),
    { placeHolder: vscode.l10n.t('Which app should uvicorn serve?') },
  );
  return picked?.app;
}
