/**
 * The quick fixes on an LLM call: "Stream this LLM call as an SSE endpoint" (preferred) and "Use the async
 * client". Each is one WorkspaceEdit: the Python file's edits, plus creating or updating the generated
 * streaming module it imports from, so one undo reverts everything. The fix is the core's use case
 * (core/app/quickFix.ts, which `check --fix` runs too); this only finds the call under the cursor and translates.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { quickFixesAt, type QuickFix } from '../../core/app/quickFix';
import { FIX_TITLES } from '../../core/plan/llm/planLlmFixes';
import type { FixStyle } from '../../core/plan/llm/streamCall';
import { findLlmCallAt } from '../../core/python/llm/detect';
import type { ProjectFiles } from '../../core/workspace/projectFiles';
import { toWorkspaceEdit } from '../shared/fileChanges';
import type { Logger } from '../shared/logger';
import { projectFiles, relativePath } from '../shared/workspaceFiles';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import { fixStyle, moduleLocation as moduleLocationOf } from './settings';
import type { SyntaxTrees } from '../shared/syntaxTrees';

export class LlmCodeActions implements vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite];

  /** Actions whose edit is planned on resolve (the other fix style). */
  private readonly pending = new WeakMap<vscode.CodeAction, () => Promise<vscode.WorkspaceEdit>>();

  constructor(
    private readonly trees: SyntaxTrees,
    private readonly logger: Logger,
  ) {}

  async provideCodeActions(
    document: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.CodeAction[]> {
    try {
      return await this.actionsFor(document, range, context, token);
    } catch (error) {
      this.logger.error(`LLM quick fixes failed for ${document.uri.toString()}`, error);
      return [];
    }
  }

  private async actionsFor(
    document: vscode.TextDocument,
    range: vscode.Range,
    context: vscode.CodeActionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.CodeAction[]> {
    if (context.only && !LlmCodeActions.providedCodeActionKinds.some((kind) => context.only!.intersects(kind))) {
      return [];
    }
    const version = document.version;
    const tree = await this.trees.treeFor(document);
    const start = document.offsetAt(range.start);
    const end = document.offsetAt(range.end);
    const call = findLlmCallAt(tree, start, end);
    if (!call) {
      return [];
    }
    const callOffset = call.node.startIndex;
    const where = projectOf(document);
    if (!where) {
      return []; // an unsaved new document: nowhere to put the streaming module yet
    }
    const { project, file } = where;
    // The tree and the module's calls are this version's, shared with the code lenses: nothing is parsed again.
    const parsed = await this.trees.llmCallsFor(document);
    const style = fixStyle(document.uri);
    const plan = await quickFixesAt(project, file, callOffset, { style, ...moduleLocationOf(document.uri) }, parsed);
    if (token.isCancellationRequested || document.version !== version) {
      return [];
    }
    for (const refusal of plan.refused) {
      this.logger.info(`${document.uri.fsPath}:${call.node.startPosition.row + 1}: "${refusal.title}" fix not offered: ${refusal.reason}`);
    }
    const callRange = new vscode.Range(document.positionAt(callOffset), document.positionAt(call.node.endIndex));
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && d.range.intersection(callRange) !== undefined);
    const actions: vscode.CodeAction[] = [];
    for (const fix of plan.fixes) {
      const edit = await toWorkspaceEdit(vscode.Uri.file(project.root), fix.changes);
      const fixes = ours.filter((d) => d.code === (fix.kind === 'stream' ? 'llm-not-streamed' : 'llm-sync-client'));
      const action = new vscode.CodeAction(
        actionTitle(fix, style, file),
        fixes.length > 0 ? vscode.CodeActionKind.QuickFix : vscode.CodeActionKind.RefactorRewrite,
      );
      action.edit = edit;
      action.diagnostics = fixes;
      actions.push(action);
    }
    if (actions[0]) {
      actions[0].isPreferred = true;
    }
    // The other style of streaming a route, right after the fix (not only through the setting): a refactoring
    // whose edit is planned when it is chosen (resolveCodeAction), so the lightbulb plans one style, not two.
    const stream = plan.fixes.find((fix) => fix.kind === 'stream' && fix.title === FIX_TITLES.stream);
    if (stream) {
      const otherStyle: FixStyle = style === 'rewrite' ? 'sibling' : 'rewrite';
      const action = new vscode.CodeAction(actionTitle(stream, otherStyle, file), vscode.CodeActionKind.RefactorRewrite);
      this.pending.set(action, async () => {
        const other = await quickFixesAt(project, file, callOffset, { style: otherStyle, ...moduleLocationOf(document.uri) });
        const fix = other.fixes.find((f) => f.kind === 'stream');
        if (fix === undefined || document.version !== version) {
          throw new Error(vscode.l10n.t('{0} changed: ask for the fix again.', file));
        }
        return toWorkspaceEdit(vscode.Uri.file(project.root), fix.changes);
      });
      actions.splice(1, 0, action);
    }
    return actions;
  }

  /** The other style's edit, planned only now that it was chosen. */
  async resolveCodeAction(action: vscode.CodeAction): Promise<vscode.CodeAction> {
    const plan = this.pending.get(action);
    if (plan) {
      action.edit = await plan();
    }
    return action;
  }
}

/**
 * What the action changes, in its title: a route's stream fix says whether the route's response becomes an
 * event stream or a new route is added beside it (the JSON route kept), and which generated files it creates.
 */
export function actionTitle(fix: QuickFix, style: FixStyle, file: string): string {
  if (fix.kind !== 'stream') {
    return vscode.l10n.t(fix.title);
  }
  const created = createdFilesText(fix.changes.filter((change) => change.path !== file && change.kind === 'create').map((change) => change.path));
  if (fix.title !== FIX_TITLES.stream) {
    return created ? vscode.l10n.t('{0} (creates {1})', fix.title, created) : vscode.l10n.t(fix.title);
  }
  if (style === 'sibling') {
    return created
      ? vscode.l10n.t('Stream this LLM call in a new SSE route beside it, keeping the JSON route (creates {0})', created)
      : vscode.l10n.t('Stream this LLM call in a new SSE route beside it, keeping the JSON route');
  }
  return created
    ? vscode.l10n.t('Stream this LLM call as an SSE endpoint: the route’s response becomes an event stream (creates {0})', created)
    : vscode.l10n.t('Stream this LLM call as an SSE endpoint: the route’s response becomes an event stream');
}

/** `app/streaming/ (4 files)` when they are one package folder's files, else the paths. */
function createdFilesText(paths: readonly string[]): string {
  const packageOf = (file: string): string | undefined => {
    const at = `/${file}`.lastIndexOf('/streaming/');
    return at === -1 ? undefined : file.slice(0, at) + 'streaming/';
  };
  const packages = new Set(paths.map(packageOf));
  const [only] = packages;
  if (paths.length > 1 && packages.size === 1 && only !== undefined) {
    return `${only} (${paths.length} files)`;
  }
  return paths.join(', ');
}

/** The document's project (its workspace folder, else its own folder) and its path in it. */
function projectOf(document: vscode.TextDocument): { readonly project: ProjectFiles; readonly file: string } | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  if (folder) {
    return { project: projectFiles(folder.uri), file: relativePath(folder, document.uri) };
  }
  if (document.uri.scheme === 'file') {
    return { project: projectFiles(vscode.Uri.file(path.dirname(document.uri.fsPath))), file: path.basename(document.uri.fsPath) };
  }
  return undefined;
}
