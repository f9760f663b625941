/** The settings the LLM quick-fix follows, in the shapes its VS Code side needs (read through shared/config). */
import * as vscode from 'vscode';
import type { FixStyle } from '../../core/plan/llm/streamCall';
import { configFor } from '../shared/config';
import type { DiagnosticSeveritySetting } from '../../core/settings';

const SEVERITIES: Readonly<Record<Exclude<DiagnosticSeveritySetting, 'Off'>, vscode.DiagnosticSeverity>> = {
  Error: vscode.DiagnosticSeverity.Error,
  Warning: vscode.DiagnosticSeverity.Warning,
  Information: vscode.DiagnosticSeverity.Information,
  Hint: vscode.DiagnosticSeverity.Hint,
};

/** The diagnostics' severity for a document; undefined when they are turned off ("Off"). */
export function diagnosticSeverity(uri: vscode.Uri): vscode.DiagnosticSeverity | undefined {
  const value = configFor(uri).diagnosticSeverity;
  return value === 'Off' ? undefined : SEVERITIES[value];
}

export function fixStyle(uri: vscode.Uri): FixStyle {
  return configFor(uri).fixStyle;
}

/** `catalyst.streaming.moduleLocation` (relative to the document's workspace folder), ready to spread; {} when unset or outside a folder. */
export function moduleLocation(uri: vscode.Uri): { readonly moduleLocation?: string } {
  const relativePath = configFor(uri).moduleLocation;
  return vscode.workspace.getWorkspaceFolder(uri) && relativePath !== undefined ? { moduleLocation: relativePath } : {};
}
