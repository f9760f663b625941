/**
 * The quick fixes on an LLM call: "Stream this LLM call as an SSE endpoint" (preferred) and "Use the async
 * client". Each is one WorkspaceEdit: the Python file's edits, plus creating or updating the generated
 * streaming module it imports from, so one undo reverts everything. The fix is the core's use case
 * (core/app/quickFix.ts, which `check --fix` runs too); this only finds the call under the cursor and translates.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { quickFixesAt } from '../../core/app/quickFix';
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
    const plan = await quickFixesAt(project, file, callOffset, { style: fixStyle(document.uri), ...moduleLocationOf(document.uri) }, parsed);
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
      const action = new vscode.CodeAction(vscode.l10n.t(fix.title), fixes.length > 0 ? vscode.CodeActionKind.QuickFix : vscode.CodeActionKind.RefactorRewrite);
      action.edit = edit;
      action.diagnostics = fixes;
      actions.push(action);
    }
    if (actions[0]) {
      actions[0].isPreferred = true;
    }
    return actions;
  }
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
