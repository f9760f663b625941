/**
 * A workspace folder as the core's ProjectFiles, as the editor sees it: folders and bytes through
 * `workspace.fs`, and the text of an open document (saved or not) winning over the file on disk, so a use
 * case works on what the user has in front of them and its edits apply to it cleanly. Which files count and
 * how they are decoded is the core's (core/workspace/projectFiles.ts), the same as the CLI's.
 */
import * as vscode from 'vscode';
import { MAX_PYTHON_FILES, readPythonFiles as readProjectPythonFiles, TooManyFilesError, type ProjectFiles } from '../../core/workspace/projectFiles';
import type { DirectoryEntry } from '../../core/workspace/fileSystem';

/** Which open documents' text counts: every open document's (the default), none (the saved files), or only the one given. */
export type OpenTexts = 'all' | 'none' | vscode.TextDocument;

/** The files under `root` (a workspace folder's URI, usually) for a use case. */
export function projectFiles(root: vscode.Uri, open: OpenTexts = 'all'): ProjectFiles {
  const uriOf = (relative: string) => (relative === '' ? root : vscode.Uri.joinPath(root, ...relative.split('/')));
  return {
    root: root.fsPath,
    async readDirectory(relative) {
      const entries = await vscode.workspace.fs.readDirectory(uriOf(relative));
      // A symbolic link is 'other', as on the CLI's disk: the walk never follows one out of the project.
      return entries.map(([name, type]): DirectoryEntry => ({
        name,
        kind: type === vscode.FileType.File ? 'file' : type === vscode.FileType.Directory ? 'directory' : 'other',
      }));
    },
    async readFile(relative) {
      try {
        return await vscode.workspace.fs.readFile(uriOf(relative));
      } catch (error) {
        if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') {
          return undefined;
        }
        throw error;
      }
    },
    openText(relative) {
      const uri = uriOf(relative).toString();
      const documents = open === 'all' ? vscode.workspace.textDocuments : open === 'none' ? [] : [open];
      return documents.find((document) => document.uri.toString() === uri)?.getText();
    },
  };
}

/** Workspace-relative POSIX path -> text, for every Python file of the folder (see projectFiles.ts). */
export async function readPythonFiles(folder: vscode.WorkspaceFolder, token?: vscode.CancellationToken): Promise<Map<string, string>> {
  let files: Map<string, string>;
  try {
    files = await readProjectPythonFiles(projectFiles(folder.uri));
  } catch (error) {
    if (error instanceof TooManyFilesError) {
      throw new Error(vscode.l10n.t('{0} has more than {1} Python files; open the project folder itself.', folder.name, MAX_PYTHON_FILES));
    }
    throw error;
  }
  if (token?.isCancellationRequested) {
    throw new vscode.CancellationError();
  }
  return files;
}

/** The folder-relative POSIX path of a URI inside the folder. */
export function relativePath(folder: vscode.WorkspaceFolder, uri: vscode.Uri): string {
  const base = folder.uri.path.endsWith('/') ? folder.uri.path : `${folder.uri.path}/`;
  return uri.path.startsWith(base) ? uri.path.slice(base.length) : vscode.workspace.asRelativePath(uri, false);
}
