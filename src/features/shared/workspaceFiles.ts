/**
 * Reading a workspace folder's Python files for the pure planner, as the editor sees them: the text of an open
 * document (saved or not) wins over the file on disk, so the plan is made against what the user has in front
 * of them and the resulting edits apply to it cleanly.
 */
import * as vscode from 'vscode';
import { MAX_PYTHON_FILES, SKIPPED_FOLDERS } from '../../core/workspace/readWorkspace';

/** Workspace-relative POSIX path -> text, for every Python file of the folder outside environments and caches. */
export async function readPythonFiles(folder: vscode.WorkspaceFolder, token?: vscode.CancellationToken): Promise<Map<string, string>> {
  const exclude = `**/{${[...SKIPPED_FOLDERS].join(',')}}/**`;
  const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.py'), exclude, MAX_PYTHON_FILES + 1, token);
  if (uris.length > MAX_PYTHON_FILES) {
    throw new Error(vscode.l10n.t('{0} has more than {1} Python files; open the project folder itself.', folder.name, MAX_PYTHON_FILES));
  }
  const open = new Map(vscode.workspace.textDocuments.map((document) => [document.uri.toString(), document]));
  const decoder = new TextDecoder('utf-8');
  const entries = await Promise.all(
    uris.map(async (uri) => {
      const text = open.get(uri.toString())?.getText() ?? decoder.decode(await vscode.workspace.fs.readFile(uri));
      return [relativePath(folder, uri), text] as const;
    }),
  );
  return new Map(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The folder-relative POSIX path of a URI inside the folder. */
export function relativePath(folder: vscode.WorkspaceFolder, uri: vscode.Uri): string {
  const base = folder.uri.path.endsWith('/') ? folder.uri.path : `${folder.uri.path}/`;
  return uri.path.startsWith(base) ? uri.path.slice(base.length) : vscode.workspace.asRelativePath(uri, false);
}
