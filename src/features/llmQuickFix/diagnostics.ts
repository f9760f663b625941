/**
 * The problems `catalyst-streaming check` reports, as diagnostics on Python documents: exactly its findings
 * for the file (core/app/check.ts, the same use case), cross-module ones included (a route in one module
 * reaching a non-streaming LLM call in another), `llm-*` and `sse-*` alike.
 *
 * The check of a workspace folder's saved files is cached per folder and run again when a Python file is
 * saved, created or deleted; a document with unsaved edits is checked with its own text over the saved
 * folder (debounced per document), so what the user types counts at once. Shown at the severity
 * `catalyst.llm.diagnosticSeverity` says; cleared when the document closes.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { checkProject, type CheckFinding, type CheckOutcome } from '../../core/app/check';
import { listPythonFiles, MAX_PYTHON_FILES, memoryProjectFiles, type ProjectFiles } from '../../core/workspace/projectFiles';
import type { Logger } from '../shared/logger';
import { affectsSettings } from '../shared/config';
import { Disposable } from '../shared/dispose';
import { projectFiles, relativePath } from '../shared/workspaceFiles';
import { diagnosticSeverity } from './settings';

export const DIAGNOSTIC_SOURCE = 'Catalyst Streaming';
const DEBOUNCE_MS = 250;

export class LlmDiagnostics extends Disposable {
  private readonly collection = this._register(vscode.languages.createDiagnosticCollection('catalyst-llm'));
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Folder URI -> the check of its saved files. */
  private readonly saved = new Map<string, Promise<FolderCheck>>();

  constructor(private readonly logger: Logger) {
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
    this._register(vscode.workspace.onDidSaveTextDocument((d) => this.savedFilesChanged(d.uri)));
    // Files written outside the editor (the CLI, git) and files created, deleted or renamed.
    const watcher = this._register(vscode.workspace.createFileSystemWatcher('**/*.py'));
    this._register(watcher.onDidCreate((uri) => this.savedFilesChanged(uri)));
    this._register(watcher.onDidChange((uri) => this.savedFilesChanged(uri)));
    this._register(watcher.onDidDelete((uri) => this.savedFilesChanged(uri)));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsSettings(e, ['diagnosticSeverity'])) {
          vscode.workspace.textDocuments.forEach((d) => this.schedule(d, 0));
        }
      }),
    );
    vscode.workspace.textDocuments.forEach((d) => this.schedule(d, 0));
  }

  /** The saved state of a folder changed: its check is stale, and every open document of it is checked again. */
  private savedFilesChanged(uri: vscode.Uri): void {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) {
      return;
    }
    this.saved.delete(folder.uri.toString());
    vscode.workspace.textDocuments.filter((d) => vscode.workspace.getWorkspaceFolder(d.uri) === folder).forEach((d) => this.schedule(d, DEBOUNCE_MS));
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
        this.refresh(document).catch((error: unknown) => this.logger.error(`Diagnostics failed for ${key}`, error));
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
    const version = document.version;
    const findings = await this.findingsFor(document);
    if (document.isClosed || document.version !== version || document.languageId !== 'python') {
      return; // a newer refresh is scheduled (or none is wanted)
    }
    this.collection.set(
      document.uri,
      findings.map((finding) => toDiagnostic(document, finding, severity)),
    );
  }

  /** `check`'s findings for the document's file: from the folder's saved check, or checked with its unsaved text. */
  private async findingsFor(document: vscode.TextDocument): Promise<readonly CheckFinding[]> {
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (!folder || document.uri.scheme !== 'file') {
      // Not in a folder (or not on disk): the document is its own project.
      const name = path.basename(document.uri.fsPath) || 'untitled.py';
      return (await checkProject(memoryProjectFiles(path.dirname(document.uri.fsPath), new Map([[name, document.getText()]])), [name])).findings;
    }
    const file = relativePath(folder, document.uri);
    let outcome: FolderCheck;
    if (document.isDirty) {
      outcome = await checkFolder(projectFiles(folder.uri, document), file);
    } else {
      const key = folder.uri.toString();
      let saved = this.saved.get(key);
      if (!saved) {
        saved = checkFolder(projectFiles(folder.uri, 'none'), file);
        this.saved.set(key, saved);
        saved.catch(() => this.saved.get(key) === saved && this.saved.delete(key));
      }
      outcome = await saved;
      if (!outcome.checked.includes(file)) {
        // A file the folder's walk skips (in .venv, say) that the user opened: checked with the folder.
        outcome = await checkFolder(projectFiles(folder.uri, 'none'), file);
      }
    }
    return outcome.findings.filter((finding) => finding.file === file);
  }

  private clear(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.delete(key);
    this.collection.delete(uri);
  }
}

type FolderCheck = CheckOutcome & { readonly checked: readonly string[] };

/** `check` on the folder's Python files (as the CLI walks them), `file` included. */
async function checkFolder(project: ProjectFiles, file: string): Promise<FolderCheck> {
  const files = await listPythonFiles(project, '', MAX_PYTHON_FILES);
  // A folder too large to be one project: the document is checked on its own.
  const checked = files.length > MAX_PYTHON_FILES ? [file] : files.includes(file) ? files : [...files, file];
  return { ...(await checkProject(project, checked)), checked };
}

function toDiagnostic(document: vscode.TextDocument, finding: CheckFinding, severity: vscode.DiagnosticSeverity): vscode.Diagnostic {
  const range = new vscode.Range(document.positionAt(finding.start), document.positionAt(finding.end));
  const diagnostic = new vscode.Diagnostic(range, vscode.l10n.t(finding.template, ...finding.templateArguments), severity);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = finding.code;
  return diagnostic;
}
