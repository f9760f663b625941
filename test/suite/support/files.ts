/** Files of the fixture workspace copy, on disk and as VS Code holds them. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { workspaceUri } from './extension';

export function diskText(relativePath: string): string | undefined {
  const file = workspaceUri(relativePath).fsPath;
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** The text VS Code has for the file: the open document's (possibly unsaved) text, else the file on disk. */
export function currentText(relativePath: string): string | undefined {
  const uri = workspaceUri(relativePath);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  return open && !open.isClosed ? open.getText() : diskText(relativePath);
}

/** Compiles the file with the fixture's interpreter (catalyst.python.path): throws with Python's message. */
export function assertPythonCompiles(relativePath: string): void {
  const python = vscode.workspace.getConfiguration('catalyst.python').get<string>('path') || 'python3';
  execFileSync(python, ['-c', 'import ast, sys; ast.parse(open(sys.argv[1], encoding="utf-8").read(), sys.argv[1])', workspaceUri(relativePath).fsPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}
