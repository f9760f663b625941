/** Reading the extension's diagnostics as VS Code holds them. */
import * as vscode from 'vscode';
import { waitFor } from './wait';

/** The diagnostics on `uri` whose message says `fragment` (case-insensitive). */
export function diagnosticsSaying(uri: vscode.Uri, fragment: string): vscode.Diagnostic[] {
  const needle = fragment.toLowerCase();
  return vscode.languages.getDiagnostics(uri).filter((d) => d.message.toLowerCase().includes(needle));
}

/** Waits until exactly `count` diagnostics on `uri` say `fragment`; returns them. */
export function waitForDiagnostics(uri: vscode.Uri, fragment: string, count: number, timeoutMs = 15_000): Promise<vscode.Diagnostic[]> {
  return waitFor(
    () => {
      const found = diagnosticsSaying(uri, fragment);
      return found.length === count ? found : undefined;
    },
    { what: `${count} diagnostic(s) saying "${fragment}" on ${uri.path}`, timeoutMs },
  );
}
