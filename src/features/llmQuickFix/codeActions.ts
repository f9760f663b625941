/**
 * The quick fixes on an LLM call: "Stream this LLM call as an SSE endpoint" (preferred) and "Use the async
 * client". Each is one WorkspaceEdit: the Python file's edits, plus creating or updating the generated
 * streaming module it imports from, so one undo reverts everything. Planning is the core's
 * (src/core/plan/llm); this only finds the call under the cursor and translates.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { findLlmCallAt } from '../../core/python/llm/detect';
import { planLlmFixes, type LlmFix } from '../../core/plan/llm/planLlmFixes';
import { streamingModuleTarget } from '../../core/plan/llm/streamingModuleTarget';
import { planFixStreamingCode } from '../../core/plan/llm/fixStreamingCode';
import type { StreamingModuleTarget } from '../../core/plan/llm/streamingModuleTarget';
import type { Logger } from '../shared/logger';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import { fixStyle, moduleLocation } from './settings';
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
    const target = streamingModuleTarget(document.uri.fsPath, existsSync, moduleLocation(document.uri));
    // The tree and the module's calls are this version's, shared with the diagnostics: nothing is parsed again.
    const parsed = await this.trees.llmCallsFor(document);
    const plan = await planLlmFixes(
      document.getText(),
      callOffset,
      { style: fixStyle(document.uri), streamingImport: target.importModule, singleModule: target.singleModule },
      parsed,
    );
    if (token.isCancellationRequested || document.version !== version) {
      return [];
    }
    for (const refusal of plan.refused) {
      this.logger.info(`${document.uri.fsPath}:${call.node.startPosition.row + 1}: "${refusal.kind}" fix not offered: ${refusal.reason}`);
    }
    const callRange = new vscode.Range(document.positionAt(callOffset), document.positionAt(call.node.endIndex));
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && d.range.intersection(callRange) !== undefined);
    const actions: vscode.CodeAction[] = [];
    for (const fix of plan.fixes) {
      const edit = await this.workspaceEdit(document, fix, target);
      if (!edit) {
        continue;
      }
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

  /** The fix as one WorkspaceEdit, with the streaming package's files; undefined when they cannot be written. */
  private async workspaceEdit(document: vscode.TextDocument, fix: LlmFix, target: StreamingModuleTarget): Promise<vscode.WorkspaceEdit | undefined> {
    const edit = new vscode.WorkspaceEdit();
    const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const code = await planFixStreamingCode(target, fix.streamingNames, eol, async (file) => {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === vscode.Uri.file(file).toString());
      return open ? open.getText() : existsSync(file) ? await readFile(file, 'utf8') : undefined;
    });
    if (code.status === 'refused') {
      this.logger.warn(`"${fix.title}" not offered: ${code.message}`);
      return undefined;
    }
    for (const change of code.changes) {
      edit.createFile(vscode.Uri.file(change.path), { overwrite: true, contents: new TextEncoder().encode(change.after) });
    }
    edit.set(
      document.uri,
      fix.edits.map((e) => new vscode.TextEdit(new vscode.Range(document.positionAt(e.start), document.positionAt(e.end)), e.newText)),
    );
    return edit;
  }
}
