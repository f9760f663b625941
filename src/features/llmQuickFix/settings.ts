/** Typed readers of the settings the LLM quick-fix follows. */
import * as vscode from 'vscode';
import type { FixStyle } from '../../core/plan/llm/streamCall';

export const SEVERITY_SETTING = 'catalyst.llm.diagnosticSeverity';

const SEVERITIES: Readonly<Record<string, vscode.DiagnosticSeverity>> = {
  Error: vscode.DiagnosticSeverity.Error,
  Warning: vscode.DiagnosticSeverity.Warning,
  Information: vscode.DiagnosticSeverity.Information,
  Hint: vscode.DiagnosticSeverity.Hint,
};

/** The diagnostics' severity for a document; undefined when they are turned off ("Off"). */
export function diagnosticSeverity(uri: vscode.Uri): vscode.DiagnosticSeverity | undefined {
  const value = vscode.workspace.getConfiguration('catalyst.llm', uri).get<string>('diagnosticSeverity', 'Information');
  return value === 'Off' ? undefined : (SEVERITIES[value] ?? vscode.DiagnosticSeverity.Information);
}

export function fixStyle(uri: vscode.Uri): FixStyle {
  return vscode.workspace.getConfiguration('catalyst.llm', uri).get<string>('fixStyle') === 'sibling' ? 'sibling' : 'rewrite';
}

/** `catalyst.streaming.moduleLocation`, relative to the document's workspace folder; undefined when unset. */
export function moduleLocation(uri: vscode.Uri): { workspaceFolder: string; relativePath: string } | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const relativePath = vscode.workspace.getConfiguration('catalyst.streaming', uri).get<string>('moduleLocation', '');
  return folder && relativePath !== '' ? { workspaceFolder: folder.uri.fsPath, relativePath } : undefined;
}
