/**
 * After an endpoint is added: if the project's dependency files do not declare orjson, offer to add it to
 * requirements.txt (the generated module uses orjson when installed: faster JSON, the same bytes).
 */
import * as vscode from 'vscode';
import { appendRequirement, declaresDependency } from '../../core/workspace/dependencies';

export async function offerOrjson(folder: vscode.WorkspaceFolder): Promise<void> {
  const requirements = new Map<string, string>();
  const decoder = new TextDecoder('utf-8');
  for (const [name, type] of await vscode.workspace.fs.readDirectory(folder.uri)) {
    if (type === vscode.FileType.File && /^requirements.*\.txt$/.test(name)) {
      requirements.set(name, decoder.decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, name))));
    }
  }
  const pyprojectUri = vscode.Uri.joinPath(folder.uri, 'pyproject.toml');
  const pyproject = await vscode.workspace.fs.readFile(pyprojectUri).then(
    (bytes) => decoder.decode(bytes),
    () => undefined,
  );
  if (
    (requirements.size === 0 && pyproject === undefined) ||
    declaresDependency({ requirements, ...(pyproject !== undefined ? { pyproject } : {}) }, 'orjson')
  ) {
    return;
  }
  const target = requirements.has('requirements.txt') ? 'requirements.txt' : [...requirements.keys()][0];
  if (target === undefined) {
    const open = vscode.l10n.t('Open pyproject.toml');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t("Add orjson to your project's dependencies for faster SSE encoding (optional; the output is the same)."),
      open,
    );
    if (choice === open) {
      await vscode.window.showTextDocument(pyprojectUri);
    }
    return;
  }
  const add = vscode.l10n.t('Add to {0}', target);
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('{0} does not list orjson. Add it for faster SSE encoding? (Optional; the output is the same.)', target),
    add,
  );
  if (choice !== add) {
    return;
  }
  const uri = vscode.Uri.joinPath(folder.uri, target);
  const document = await vscode.workspace.openTextDocument(uri);
  const text = document.getText();
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(document.positionAt(0), document.positionAt(text.length)), appendRequirement(text, 'orjson'));
  await vscode.workspace.applyEdit(edit);
}
