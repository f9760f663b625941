/**
 * Diagnostics on LLM calls in Python documents: `llm-not-streamed` (a route waits for the whole answer)
 * and `llm-sync-client` (a sync client blocks the event loop). Recomputed a moment after the last change
 * (debounced per document), at the severity `catalyst.llm.diagnosticSeverity` says, and cleared when the
 * document closes.
 */
import * as vscode from 'vscode';
import { llmCallFindings, type Finding } from '../../core/python/llm/findings';
import type { Logger } from '../shared/logger';
import { affectsSettings } from '../shared/config';
import { Disposable } from '../shared/dispose';
import { diagnosticSeverity } from './settings';
import type { SyntaxTrees } from '../shared/syntaxTrees';

export const DIAGNOSTIC_SOURCE = 'Catalyst Streaming';
const DEBOUNCE_MS = 250;

export class LlmDiagnostics extends Disposable {
  private readonly collection = this._register(vscode.languages.createDiagnosticCollection('catalyst-llm'));
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly trees: SyntaxTrees,
    private readonly logger: Logger,
  ) {
    super();
    this._register({
      dispose: () => {
        this.pending.forEach((timer) => clearTimeout(timer));
        this.pending.clear();
      },
    });
    this._register(vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DEBOUNCE_MS)));
    this._register(vscode.workspace.onDidCloseTextDocument((d) => this.clear(d.uri)));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsSettings(e, ['diagnosticSeverity'])) {
          vscode.workspace.textDocuments.forEach((d) => this.schedule(d, 0));
        }
      }),
    );
    vscode.workspace.textDocuments.forEach((d) => this.schedule(d, 0));
  }

  private schedule(document: vscode.TextDocument, delayMs: number): void {
    if (document.languageId !== 'python' || document.uri.scheme === 'git' || document.uri.scheme === 'output') {
      return;
    }
    const key = document.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        this.refresh(document).catch((error: unknown) => this.logger.error(`LLM diagnostics failed for ${key}`, error));
      }, delayMs),
    );
  }

  private async refresh(document: vscode.TextDocument): Promise<void> {
    if (document.isClosed) {
      return;
    }
    const severity = diagnosticSeverity(document.uri);
    if (severity === undefined) {
      this.collection.delete(document.uri);
      return;
    }
    const { calls } = await this.trees.llmCallsFor(document);
    const findings = llmCallFindings(calls);
    this.collection.set(
      document.uri,
      findings.map((finding) => toDiagnostic(document, finding, severity)),
    );
  }

  private clear(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.delete(key);
    this.collection.delete(uri);
  }
}

function toDiagnostic(document: vscode.TextDocument, finding: Finding, severity: vscode.DiagnosticSeverity): vscode.Diagnostic {
  const range = new vscode.Range(document.positionAt(finding.node.startIndex), document.positionAt(finding.highlightEnd));
  const diagnostic = new vscode.Diagnostic(range, vscode.l10n.t(finding.template, ...finding.templateArguments), severity);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = finding.code;
  return diagnostic;
}
