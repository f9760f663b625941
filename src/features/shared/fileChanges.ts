/**
 * The planner's file changes as one WorkspaceEdit, so a single undo reverts them all and open editors (dirty
 * or not) receive the edits instead of having their files replaced underneath them. A created file's folders
 * are made by VS Code; a deleted file (a migrated generated module) goes to the same undo step.
 */
import * as vscode from 'vscode';
import type { FileChange } from '../../core/workspace/fileChange';

/** `root`: the folder the changes' paths are relative to (the ProjectFiles' root). */
export async function toWorkspaceEdit(root: vscode.Uri, changes: readonly FileChange[]): Promise<vscode.WorkspaceEdit> {
  const edit = new vscode.WorkspaceEdit();
  for (const change of changes) {
    const uri = vscode.Uri.joinPath(root, ...change.path.split('/'));
    if (change.kind === 'create') {
      edit.createFile(uri, { contents: new TextEncoder().encode(change.after), ignoreIfExists: false });
      continue;
    }
    // Edits are offsets into `before`, which is the document's current text (the plan was made from it).
    const document = await vscode.workspace.openTextDocument(uri);
    if (document.getText() !== change.before) {
      throw new Error(vscode.l10n.t('{0} changed while the change was being planned; run the command again.', change.path));
    }
    if (change.kind === 'delete') {
      edit.deleteFile(uri, { ignoreIfNotExists: false });
      continue;
    }
    for (const textEdit of change.edits) {
      edit.replace(uri, new vscode.Range(document.positionAt(textEdit.start), document.positionAt(textEdit.end)), textEdit.newText);
    }
  }
  return edit;
}
