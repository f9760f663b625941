/**
 * `catalyst.startDevServer`: runs the app's dev server (`fastapi dev` where the project has the FastAPI CLI,
 * uvicorn otherwise; core/app/devServer.ts) for a FastAPI app of the workspace as a VS Code Task (its terminal
 * visible, stopped with the task), reloading so it follows saved edits, waits until the app answers
 * HTTP, then offers to open the Stream Preview. In an untrusted workspace it starts nothing: running the app
 * runs the workspace's code.
 *
 * Before starting, the interpreter is asked whether it can import fastapi and uvicorn; when it cannot, the
 * message names it, where it was chosen (the Python extension, the setting and its scope) and what it lacks,
 * with buttons to select an interpreter and to open the setting. A second start while our own server runs on
 * the port restarts it (`catalyst.restartDevServer` does the same from the palette or the preview).
 *
 * Options (each answers a prompt; tests and other commands pass them):
 *   executeCommand('catalyst.startDevServer', { app: 'main:app', folder, port, host, python, openPreview })
 * Resolves to `{ status, port, url, app, python, execution }` once the server answers, to
 * `{ status: 'interpreter-problem', message, python }` when the interpreter cannot run it, or undefined when
 * nothing started (cancelled, or it did not answer).
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { waitForPort } from '../../core/net/ports';
import { devServerCommand } from '../../core/app/devServer';
import { projectFiles } from '../shared/workspaceFiles';
import type { Logger } from '../shared/logger';
import { findApps, type UvicornApp } from './apps';
import { selectedInterpreter, type SelectedInterpreter } from '../shared/interpreter';
import { DEV_SERVER_HOST, DEV_SERVER_PORT } from '../../core/defaults';
import { probeModules } from '../../core/python/interpreter';
import { interpreterProblemMessage, type InterpreterOrigin } from '../../core/devServer/interpreterProblem';
import { SETTING_KEYS } from '../../core/settings';
import { devServerOn, portAnswers, runningDevServers, stopDevServer, trackDevServer, type RunningDevServer } from './running';

export const TASK_TYPE = 'catalyst-dev-server';
/** uvicorn with a large app (or a cold import cache) can take a while to bind. */
const START_TIMEOUT_MS = 60_000;
/** What the serve command imports: checked in the interpreter before anything starts. */
const SERVER_MODULES = ['fastapi', 'uvicorn'] as const;

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
  /** started: a new server; restarted: ours was running on the port and was started again; answering: someone else's answers there. */
  readonly status: 'started' | 'restarted' | 'answering';
  readonly port: number;
  readonly url: string;
  readonly app: string;
  readonly python: string;
  /** Undefined when a server was already answering on the port and nothing new was started. */
  readonly execution?: vscode.TaskExecution;
}

/** The interpreter cannot run the server; the message (shown, with its buttons) says which and why. */
export interface DevServerInterpreterProblem {
  readonly status: 'interpreter-problem';
  readonly message: string;
  readonly python: string;
}

export type StartDevServerResult = StartedDevServer | DevServerInterpreterProblem | undefined;

export async function startDevServer(options: StartDevServerOptions, logger: Logger): Promise<StartDevServerResult> {
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
  const ours = devServerOn(port);
  if (ours === undefined && (await portAnswers(host, port))) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Something already answers on {0}; no new server was started. If it is older than your code, restart it yourself.', url),
    );
    return offerPreview({ status: 'answering', port, url, app: app.target, python: '' }, app, options.openPreview);
  }
  // Chosen afresh, a restart included: the user may just have selected another interpreter.
  const python = options.python !== undefined ? { command: options.python, source: 'setting' as const } : await selectedInterpreter(folder.uri, logger);
  const problem = await interpreterProblem(python, options.python !== undefined, logger);
  if (problem !== undefined) {
    return problem;
  }
  if (ours !== undefined) {
    // Our own server holds the port: start it again, with the app asked for, rather than refusing.
    logger.info(`Restarting the dev server on ${url} (${ours.app.target})`);
    await stopDevServer(ours);
  }
  const started = await launch({ folder, app, host, port, python }, logger);
  if (started === undefined) {
    return undefined;
  }
  return offerPreview({ ...started, status: ours === undefined ? 'started' : 'restarted' }, app, options.openPreview);
}

/** `catalyst.restartDevServer`: our server on `port` (or the only one running) started again; else a new start. */
export async function restartDevServer(options: { readonly port?: number }, logger: Logger): Promise<StartDevServerResult> {
  const running = runningDevServers();
  const server = options.port !== undefined ? devServerOn(options.port) : running.length === 1 ? running[0] : devServerOn(DEV_SERVER_PORT);
  if (server === undefined) {
    return startDevServer({ port: options.port ?? DEV_SERVER_PORT, openPreview: false }, logger);
  }
  return startDevServer(
    {
      folder: server.folder.uri.fsPath,
      app: server.app.factory ? `${server.app.target}()` : server.app.target,
      port: server.port,
      host: server.host,
      openPreview: false,
    },
    logger,
  );
}

/** The problem with the interpreter, shown with its buttons, or undefined when it imports what the server needs. */
async function interpreterProblem(python: SelectedInterpreter, given: boolean, logger: Logger): Promise<DevServerInterpreterProblem | undefined> {
  const probe = await probeModules(python.command, SERVER_MODULES);
  const origin: InterpreterOrigin = given
    ? { kind: 'option' }
    : python.source === 'python-extension'
      ? { kind: 'python-extension' }
      : python.source === 'setting'
        ? { kind: 'setting', key: SETTING_KEYS.pythonPath, scope: python.settingScope }
        : { kind: 'default', key: SETTING_KEYS.pythonPath };
  const message = interpreterProblemMessage(probe, origin, { remote: vscode.env.remoteName !== undefined });
  if (message === undefined) {
    logger.info(`Interpreter ${python.command} (${probe.executable ?? ''} ${probe.version ?? ''}) imports ${SERVER_MODULES.join(', ')}`);
    return undefined;
  }
  logger.error(message);
  const select = vscode.l10n.t('Select Interpreter');
  const setting = vscode.l10n.t('Open Setting');
  const canSelect = (await vscode.commands.getCommands(true)).includes('python.setInterpreter');
  void vscode.window.showErrorMessage(message, ...(canSelect ? [select] : []), setting).then(async (choice) => {
    if (choice === select) {
      await vscode.commands.executeCommand('python.setInterpreter');
    } else if (choice === setting) {
      await vscode.commands.executeCommand('workbench.action.openSettings', SETTING_KEYS.pythonPath);
    }
  });
  return { status: 'interpreter-problem', message, python: python.command };
}

interface Launch {
  readonly folder: vscode.WorkspaceFolder;
  readonly app: UvicornApp;
  readonly host: string;
  readonly port: number;
  readonly python: SelectedInterpreter;
}

/** Runs the server task with --reload and waits until the app answers HTTP; undefined (said why) when it does not. */
async function launch({ folder, app, host, port, python }: Launch, logger: Logger): Promise<Omit<StartedDevServer, 'status'> | undefined> {
  const url = `http://${host}:${port}`;
  // `fastapi dev` where the project has the FastAPI CLI (it reloads by default), uvicorn --reload otherwise: the
  // core decides, as for add-endpoint's "Try it".
  const command = await devServerCommand(projectFiles(folder.uri), { app: app.target, appDir: app.appDir, factory: app.factory }, python.command, {
    host,
    port,
    reload: true,
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
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Waiting for uvicorn on port {0}', port) }, async () => {
      const deadline = Date.now() + START_TIMEOUT_MS;
      await waitForPort(port, { host, timeoutMs: START_TIMEOUT_MS, signal: ended.signal });
      // With --reload the reloader holds the port before the app is imported: wait for an HTTP answer.
      await waitForHttp(url, deadline, ended.signal);
    });
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
  const server: RunningDevServer = { execution, folder, app, host, port, url, python, reload: true };
  trackDevServer(server);
  logger.info(`The dev server answers on ${url}`);
  return { port, url, app: app.target, python: python.command, execution };
}

/** Polls `url` until any HTTP answer comes (a 404 counts: the app is up); rejects at the deadline or on abort. */
async function waitForHttp(url: string, deadline: number, signal: AbortSignal): Promise<void> {
  for (;;) {
    signal.throwIfAborted();
    const answered = await fetch(`${url}/`, { method: 'HEAD', signal: AbortSignal.any([signal, AbortSignal.timeout(2_000)]) }).then(
      () => true,
      () => false,
    );
    if (answered) {
      return;
    }
    if (Date.now() >= deadline) {
      throw new Error(`no HTTP answer from ${url} in time`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
