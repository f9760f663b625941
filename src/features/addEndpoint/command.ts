/**
 * "Catalyst: Add Streaming Endpoint": asks where and how (or takes the answers from the command's argument),
 * plans with the pure planner, and applies the plan as ONE WorkspaceEdit, so a single undo reverts the route,
 * the imports and the generated module together. Then reveals the new route and offers the next steps.
 */
import * as vscode from 'vscode';
import { planAddEndpoint, type AddEndpointPlan, type AddEndpointRequest, type PlannedEndpoint } from '../../core/plan/addEndpoint';
import { validateRoutePath } from '../../core/plan/routePath';
import { parseTokenSource, type TokenSourceChoice } from '../../core/plan/tokenSource';
import { PythonWorkspace, type EndpointTarget } from '../../core/python/workspace';
import type { Logger } from '../shared/logger';
import { toWorkspaceEdit } from '../shared/fileChanges';
import { withDelayedProgress } from '../shared/progress';
import { readPythonFiles, relativePath } from '../shared/workspaceFiles';
import { offerOrjson } from './orjsonOffer';
import type { AddEndpointOptions } from './options';
import { interactivePrompts, type AddEndpointPrompts } from './prompts';
import { streamingSettings } from './settings';

/** What the command did; returned to callers of executeCommand (tests, other commands). */
export type AddEndpointResult =
  | { readonly status: 'applied' | 'already-present'; readonly endpoint: PlannedEndpoint; readonly changed: readonly string[] }
  | { readonly status: 'refused'; readonly message: string }
  | { readonly status: 'cancelled' };

const CANCELLED: AddEndpointResult = { status: 'cancelled' };

export async function addStreamingEndpoint(
  options: AddEndpointOptions,
  logger: Logger,
  prompts: AddEndpointPrompts = interactivePrompts,
): Promise<AddEndpointResult> {
  const folder = await chooseFolder(options, prompts);
  if (!folder) {
    return CANCELLED;
  }
  const settings = streamingSettings(folder);
  const analysed = await withDelayedProgress(vscode.l10n.t('Catalyst: reading the Python files of {0}…', folder.name), async (token) => {
    const files = await readPythonFiles(folder, token);
    const workspace = new PythonWorkspace(files);
    try {
      const targets = await workspace.targets();
      return { files, targets, workspace };
    } catch (error) {
      workspace.dispose();
      throw error;
    }
  });
  const { files, workspace } = analysed;
  let request: AddEndpointRequest;
  try {
    const target = await chooseTarget(folder, analysed.targets, options, prompts);
    if (target === 'none') {
      return refuse(vscode.l10n.t('No FastAPI app or APIRouter was found in {0}. Create one (app = FastAPI()) and run the command again.', folder.name));
    }
    if (!target) {
      return CANCELLED;
    }
    if (options.source !== undefined && parseTokenSource(options.source) === undefined) {
      return refuse(vscode.l10n.t('Unknown token source "{0}": use demo, anthropic, openai, groq or the name of an async generator function.', options.source));
    }
    const route = options.route ?? (await prompts.route(settings.defaultRoute));
    const method = options.method ?? (route === undefined ? undefined : await prompts.method(settings.defaultMethod));
    const source = method === undefined ? undefined : await chooseSource(options, target, workspace, prompts);
    if (route === undefined || method === undefined || source === undefined) {
      return CANCELLED;
    }
    const invalid = validateRoutePath(route);
    if (invalid) {
      return refuse(vscode.l10n.t('Invalid route path: {0}.', invalid));
    }
    request = {
      target: { file: target.file, id: target.id },
      route,
      method,
      source,
      ...(settings.moduleLocation ? { moduleLocation: settings.moduleLocation } : {}),
    };
  } finally {
    workspace.dispose();
  }

  const plan = await planAddEndpoint(files, request);
  logger.info(`Add Streaming Endpoint: ${plan.status} ${JSON.stringify(request)}`);
  return apply(folder, plan, logger);
}

async function apply(folder: vscode.WorkspaceFolder, plan: AddEndpointPlan, logger: Logger): Promise<AddEndpointResult> {
  switch (plan.status) {
    case 'refused':
      return refuse(plan.message);
    case 'already-present':
      await reveal(folder, plan.endpoint.file, plan.line);
      void vscode.window.showInformationMessage(plan.message);
      return { status: 'already-present', endpoint: plan.endpoint, changed: [] };
    case 'planned': {
      const edit = await toWorkspaceEdit(folder, plan.changes);
      if (!(await vscode.workspace.applyEdit(edit))) {
        return refuse(vscode.l10n.t('VS Code did not apply the edit (a file may be read-only or changed meanwhile). Nothing was changed.'));
      }
      await reveal(folder, plan.reveal.path, plan.reveal.line);
      offerNextSteps(plan.endpoint, plan.notes);
      offerOrjson(folder).catch((error: unknown) => logger.error('Checking the project for orjson failed', error));
      return { status: 'applied', endpoint: plan.endpoint, changed: plan.changes.map((change) => change.path) };
    }
  }
}

async function chooseFolder(options: AddEndpointOptions, prompts: AddEndpointPrompts): Promise<vscode.WorkspaceFolder | undefined> {
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
  return activeFolder ?? prompts.folder(folders);
}

/** The target the options name, else the user's pick with the active editor's targets first; 'none' if there are none. */
async function chooseTarget(
  folder: vscode.WorkspaceFolder,
  targets: readonly EndpointTarget[],
  options: AddEndpointOptions,
  prompts: AddEndpointPrompts,
): Promise<EndpointTarget | 'none' | undefined> {
  if (targets.length === 0) {
    return 'none';
  }
  if (options.file !== undefined) {
    const named = targets.find((target) => target.file === options.file && (options.variable === undefined || target.id === options.variable));
    if (!named) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('No FastAPI app or router {0} in {1}.', options.variable ?? '', options.file) + ' ' + vscode.l10n.t('Found: {0}.', targets.map((t) => `${t.file}:${t.id}`).join(', ')),
      );
    }
    return named;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  const activeFile = active && vscode.workspace.getWorkspaceFolder(active) === folder ? relativePath(folder, active) : undefined;
  const ordered = [...targets].sort((a, b) => Number(b.file === activeFile) - Number(a.file === activeFile));
  return prompts.target(ordered);
}

/** The options' source, else the user's pick among the providers and the target module's async generators. */
async function chooseSource(
  options: AddEndpointOptions,
  target: EndpointTarget,
  workspace: PythonWorkspace,
  prompts: AddEndpointPrompts,
): Promise<TokenSourceChoice | undefined> {
  if (options.source !== undefined) {
    return parseTokenSource(options.source);
  }
  const analysis = await workspace.module(target.file);
  const generators = (analysis?.functions ?? []).filter((fn) => fn.isAsync && fn.isGenerator).map((fn) => fn.name);
  return prompts.source(generators);
}

function refuse(message: string): AddEndpointResult {
  void vscode.window.showErrorMessage(message);
  return { status: 'refused', message };
}

async function reveal(folder: vscode.WorkspaceFolder, file: string, line: number): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, ...file.split('/')));
  const editor = await vscode.window.showTextDocument(document);
  const position = new vscode.Position(line, 0);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/** Not awaited: the command is done; the user may act on the notification whenever they like. */
function offerNextSteps(endpoint: PlannedEndpoint, notes: readonly string[]): void {
  const preview = vscode.l10n.t('Open Stream Preview');
  const server = vscode.l10n.t('Start Dev Server');
  const message = [vscode.l10n.t('Added {0} {1} ({2}).', endpoint.method, endpoint.url, endpoint.functionName), ...notes].join(' ');
  void vscode.window.showInformationMessage(message, preview, server).then((choice) => {
    if (choice === preview) {
      void vscode.commands.executeCommand('catalyst.openStreamPreview', { path: endpoint.url, method: endpoint.method });
    } else if (choice === server) {
      void vscode.commands.executeCommand('catalyst.startDevServer', endpoint.serve ? { target: endpoint.serve } : undefined);
    }
  });
}
