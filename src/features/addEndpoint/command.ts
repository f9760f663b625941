/**
 * "Catalyst: Add Streaming Endpoint": asks where and how (or takes the answers from the command's argument),
 * then runs the core's use case (core/app/addEndpoint.ts, the same as the CLI's): plan, and import the changed
 * app in a subprocess before anything changes, so a change that would stop the app from starting is refused
 * with why. The plan is applied as ONE WorkspaceEdit, so a single undo reverts the route, the imports and the
 * generated module together. Then reveals the new route and says where it is served and how to start it.
 */
import * as vscode from 'vscode';
import { addEndpoint, tryIt, type AddEndpointOutcome, type TryIt, type Verification } from '../../core/app/addEndpoint';
import type { AddEndpointRefusal, AddEndpointRequest, OutcomeRefusalReason, PlannedEndpoint } from '../../core/plan/endpoint';
import { askAddEndpointRequest, type AddEndpointPrompts } from '../../core/plan/addEndpointQuestions';
import { parseTokenSource } from '../../core/plan/tokenSource';
import type { Logger } from '../shared/logger';
import { toWorkspaceEdit } from '../shared/fileChanges';
import { withDelayedProgress } from '../shared/progress';
import { selectedInterpreter } from '../shared/interpreter';
import { projectFiles, readPythonFiles, relativePath } from '../shared/workspaceFiles';
import { offerOrjson } from './orjsonOffer';
import type { AddEndpointOptions } from './options';
import { quickInputPrompts } from './prompts';
import { configFor } from '../shared/config';
import { DEV_SERVER_URL } from '../../core/defaults';
import { followOwnEdit, type FollowedEdit } from '../devServer/followEdit';
import { askForApp } from './missingApp';

/** What the command did; returned to callers of executeCommand (tests, other commands). */
export type AddEndpointResult =
  | ({
      readonly status: 'applied';
      readonly endpoint: PlannedEndpoint;
      readonly changed: readonly string[];
      /** Whether the changed app was imported first, as the CLI's `--json` says it. */
      readonly verification: Verification;
      /** Our running dev servers for the folder (by URL), and how each came to serve the new route. */
      readonly devServer: Readonly<Record<string, FollowedEdit>>;
    } & TryIt)
  | { readonly status: 'already-present'; readonly endpoint: PlannedEndpoint; readonly changed: readonly string[] }
  | (AddEndpointRefusal & { readonly verification?: Verification })
  | { readonly status: 'cancelled' };

const CANCELLED: AddEndpointResult = { status: 'cancelled' };

export async function addStreamingEndpoint(
  options: AddEndpointOptions,
  logger: Logger,
  prompts: AddEndpointPrompts = quickInputPrompts,
): Promise<AddEndpointResult> {
  const source = options.source === undefined ? undefined : parseTokenSource(options.source);
  if (options.source !== undefined && source === undefined) {
    return refuse(
      'unknown-source',
      vscode.l10n.t('Unknown token source "{0}": use demo, anthropic, openai, groq or the name of an async generator function.', options.source),
    );
  }
  const folder = await chooseFolder(options);
  if (!folder) {
    return CANCELLED;
  }
  const read = () => withDelayedProgress(vscode.l10n.t('Catalyst: reading the Python files of {0}…', folder.name), (token) => readPythonFiles(folder, token));
  let files = await read();
  // The app first, before any question: without one, the questions would lead to a refusal.
  let appFile = options.file;
  if (appFile === undefined) {
    const found = await askForApp(folder, files, logger);
    if (found === 'cancelled') {
      return CANCELLED;
    }
    if (found.kind !== 'present') {
      appFile = found.file;
      if (found.kind === 'created') {
        files = await read();
      }
    }
  }
  const settings = configFor(folder);
  const active = vscode.window.activeTextEditor?.document.uri;
  // Callers that answer the route or method up front were written before protocols: they are not asked one. A
  // method is our sse protocol's; a route alone gets the setting.
  const protocol = options.protocol ?? (options.method !== undefined ? 'sse' : options.route !== undefined ? settings.defaultProtocol : undefined);
  const given: AddEndpointRequest = {
    ...(appFile !== undefined ? { target: { file: appFile, ...(options.variable !== undefined ? { id: options.variable } : {}) } } : {}),
    ...(options.route !== undefined ? { route: options.route } : {}),
    ...(options.method !== undefined ? { method: options.method } : {}),
    ...(source !== undefined ? { source } : {}),
    ...(options.resumable !== undefined ? { resumable: options.resumable } : {}),
    ...(options.onDisconnect !== undefined ? { onDisconnect: options.onDisconnect } : {}),
    ...(protocol !== undefined ? { protocol } : {}),
  };
  const request = await askAddEndpointRequest(files, prompts, {
    given,
    defaults: {
      protocol: settings.defaultProtocol,
      route: settings.defaultRoute,
      method: settings.defaultMethod,
      maxAnswerDuration: settings.maxAnswerDuration,
      ...(settings.moduleLocation ? { moduleLocation: settings.moduleLocation } : {}),
    },
    ...(active && vscode.workspace.getWorkspaceFolder(active) === folder ? { activeFile: relativePath(folder, active) } : {}),
  });
  if (!request) {
    return CANCELLED;
  }
  const python = await selectedInterpreter(folder.uri, logger);
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Catalyst: checking that the app still starts with the new endpoint…') },
    () => addEndpoint(projectFiles(folder.uri), request, { verify: true, ...(python.source === 'default' ? {} : { preferredPython: python.command }) }),
  );
  logger.info(
    `Add Streaming Endpoint: ${outcome.status} ${JSON.stringify(request)}${'verification' in outcome ? ` ${JSON.stringify(outcome.verification)}` : ''}`,
  );
  return apply(folder, outcome, logger);
}

async function apply(folder: vscode.WorkspaceFolder, outcome: AddEndpointOutcome, logger: Logger): Promise<AddEndpointResult> {
  switch (outcome.status) {
    case 'refused':
      void vscode.window.showErrorMessage(outcome.message);
      return outcome;
    case 'already-present':
      await reveal(folder, outcome.endpoint.file, outcome.line);
      void vscode.window.showInformationMessage(outcome.message);
      return { status: 'already-present', endpoint: outcome.endpoint, changed: [] };
    case 'planned': {
      const { plan, verification } = outcome;
      const edit = await toWorkspaceEdit(folder.uri, plan.changes);
      if (!(await vscode.workspace.applyEdit(edit))) {
        return refuse('not-writable', vscode.l10n.t('VS Code did not apply the edit (a file may be read-only or changed meanwhile). Nothing was changed.'));
      }
      await reveal(folder, plan.reveal.path, plan.reveal.line);
      const next = tryIt(plan.endpoint, outcome.serving);
      const changed = plan.changes.map((change) => change.path);
      // A dev server of ours is running: it gets the new route without a restart by hand.
      const devServer = await followOwnEdit(folder, changed, plan.endpoint.url, logger);
      offerNextSteps(folder, plan.endpoint, next, verification, [...plan.notes, ...followedNotes(devServer)]);
      offerOrjson(folder).catch((error: unknown) => logger.error('Checking the project for orjson failed', error));
      return { status: 'applied', endpoint: plan.endpoint, changed, verification, devServer, ...next };
    }
  }
}

/** The folder the options name, else the active editor's, else the user's pick (multi-root workspaces). */
async function chooseFolder(options: AddEndpointOptions): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Open the folder of your FastAPI project first: Add Streaming Endpoint works on a workspace folder.'));
    return undefined;
  }
  if (options.folder !== undefined) {
    const named = folders.find((folder) => folder.name === options.folder || folder.uri.fsPath === options.folder);
    if (!named) {
      void vscode.window.showErrorMessage(vscode.l10n.t('No workspace folder named {0}.', options.folder));
    }
    return named;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  const activeFolder = active && vscode.workspace.getWorkspaceFolder(active);
  return (
    activeFolder ??
    (folders.length === 1
      ? folders[0]
      : vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t('Workspace folder to add the streaming endpoint to') }))
  );
}

function followedNotes(followed: Readonly<Record<string, FollowedEdit>>): string[] {
  return Object.entries(followed).map(([url, how]) =>
    how === 'reloaded'
      ? vscode.l10n.t('Saved: the dev server on {0} reloaded and serves it.', url)
      : how === 'restarted'
        ? vscode.l10n.t('Saved, and the dev server on {0} restarted to serve it.', url)
        : vscode.l10n.t('Saved, but the dev server on {0} does not answer it yet: see its terminal.', url),
  );
}

function refuse(reason: OutcomeRefusalReason, message: string): AddEndpointResult {
  void vscode.window.showErrorMessage(message);
  return { status: 'refused', reason, message };
}

async function reveal(folder: vscode.WorkspaceFolder, file: string, line: number): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, ...file.split('/')));
  const editor = await vscode.window.showTextDocument(document);
  const position = new vscode.Position(line, 0);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/**
 * Says what was added, where it is served and how to start it, and whether the app was imported with it; not
 * awaited: the command is done, the user may act on the notification whenever they like.
 */
function offerNextSteps(folder: vscode.WorkspaceFolder, endpoint: PlannedEndpoint, next: TryIt, verification: Verification, notes: readonly string[]): void {
  const preview = vscode.l10n.t('Open Stream Preview');
  const server = vscode.l10n.t('Start Dev Server');
  const message = [
    vscode.l10n.t('Added {0} {1} ({2}).', endpoint.method, next.url ?? endpoint.url, endpoint.functionName),
    ...(next.serve === undefined ? [] : [vscode.l10n.t('Serve it with: {0}', next.serve)]),
    verification.verified
      ? vscode.l10n.t(
          'Verified: {0} imports with the change and its own route table sends {1} {2} to the new route ({3}).',
          endpoint.serve?.app ?? '',
          endpoint.method,
          endpoint.url,
          verification.python ?? '',
        )
      : vscode.l10n.t('Not verified: {0}.', verification.reason ?? ''),
    ...notes,
  ].join(' ');
  void vscode.window.showInformationMessage(message, preview, server).then((choice) => {
    if (choice === preview) {
      void vscode.commands.executeCommand('catalyst.openStreamPreview', {
        url: next.url ?? `${DEV_SERVER_URL}${endpoint.url}`,
        method: endpoint.method,
        ...(endpoint.method === 'POST' ? { body: { prompt: 'Hello' } } : {}),
        send: false,
      });
    } else if (choice === server) {
      // The dev server takes `module:attribute` run from the folder; apps in a src layout it finds itself.
      const serve = endpoint.serve;
      const app = serve && serve.appDir === '' ? { app: serve.factory ? `${serve.app}()` : serve.app } : {};
      void vscode.commands.executeCommand('catalyst.startDevServer', { folder: folder.uri.fsPath, ...app });
    }
  });
}
