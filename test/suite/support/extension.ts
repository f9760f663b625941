/** The extension under test, as the extension host sees it. */
import * as vscode from 'vscode';

export const EXTENSION_ID = 'catalyst.catalyst-streaming';

export function catalystExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) {
    throw new Error(`${EXTENSION_ID} is not loaded in this extension host`);
  }
  return extension;
}

/** The single workspace folder the runner opened (a fresh copy of test/fixtures/host-workspace). */
export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    throw new Error('the suite must run with the fixture workspace open');
  }
  return folder;
}

export function workspaceUri(...segments: string[]): vscode.Uri {
  return vscode.Uri.joinPath(workspaceFolder().uri, ...segments);
}
