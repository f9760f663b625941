/**
 * "Catalyst: Save Stream Request": appends a preview request to a `.http` file as one entry (core/requests/
 * httpFileEntry.ts), secrets written as `{{variables}}` and named in the message. From the preview's "Save
 * request" button, or `executeCommand('catalyst.saveStreamRequest', { request, file?, name?, secretHeaders? })`,
 * which resolves to `{ file, name, variables }` (undefined when cancelled). Asks only what was not given: the
 * file (the workspace's .http files, or a new one), the entry's name, which headers are secret.
 */
import * as vscode from 'vscode';
import type { StreamRequest } from '../../protocol/stream';
import { appendHttpEntry, httpFileEntry, isSecretHeaderName } from '../../core/requests/httpFileEntry';

export interface SaveRequestOptions {
  readonly request: StreamRequest;
  /** The .http file (a URI string); asked when absent. */
  readonly file?: string;
  readonly name?: string;
  /** Header names marked secret; asked (the credential-like ones preselected) when absent and there are headers. */
  readonly secretHeaders?: readonly string[];
}

export interface SavedRequest {
  readonly file: string;
  readonly name: string;
  readonly variables: readonly string[];
}

export function isSaveRequestOptions(value: unknown): value is SaveRequestOptions {
  const request = (value as { request?: Partial<StreamRequest> } | undefined)?.request;
  return typeof request?.url === 'string' && typeof request.method === 'string' && Array.isArray(request.headers);
}

async function pickFile(): Promise<vscode.Uri | undefined> {
  const files = await vscode.workspace.findFiles('**/*.{http,rest}', '**/node_modules/**', 50);
  const create = vscode.l10n.t('New .http file…');
  const picked = await vscode.window.showQuickPick(
    [...files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })), { label: create, uri: undefined }],
    { title: vscode.l10n.t('Save the request to which .http file?') },
  );
  if (picked === undefined) {
    return undefined;
  }
  if (picked.uri) {
    return picked.uri;
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  return vscode.window.showSaveDialog({
    title: vscode.l10n.t('New .http file'),
    filters: { HTTP: ['http', 'rest'] },
    ...(folder && { defaultUri: vscode.Uri.joinPath(folder.uri, 'requests.http') }),
  });
}

async function pickSecrets(request: StreamRequest): Promise<string[] | undefined> {
  const names = [...new Set(request.headers.map(([name]) => name))];
  if (names.length === 0) {
    return [];
  }
  const picked = await vscode.window.showQuickPick(
    names.map((name) => ({ label: name, picked: isSecretHeaderName(name), always: isSecretHeaderName(name) })),
    { title: vscode.l10n.t('Which header values are secret? They are written as {{variables}}, never as values'), canPickMany: true },
  );
  return picked?.map((item) => item.label);
}

async function fileText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return (await vscode.workspace.openTextDocument(uri)).getText();
  } catch {
    return undefined;
  }
}

export async function saveRequest(options: SaveRequestOptions): Promise<SavedRequest | undefined> {
  const { request } = options;
  const file = options.file !== undefined ? vscode.Uri.parse(options.file) : await pickFile();
  if (file === undefined) {
    return undefined;
  }
  const path = request.url.replace(/^[a-z]+:\/\/[^/]*/i, '').replace(/[?#].*$/s, '') || '/';
  const name = options.name ?? (await vscode.window.showInputBox({ title: vscode.l10n.t('Name of the saved request'), value: `${request.method} ${path}` }));
  if (name === undefined) {
    return undefined;
  }
  const secretHeaders = options.secretHeaders ?? (await pickSecrets(request));
  if (secretHeaders === undefined) {
    return undefined;
  }
  const entry = httpFileEntry(request, { name, secretHeaders });
  if (!entry.ok) {
    throw new Error(entry.message);
  }
  const existing = await fileText(file);
  if (existing === undefined) {
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(entry.text));
  } else {
    // Through the document, so an open (even unsaved) editor of the file keeps its text and gets the entry.
    const document = await vscode.workspace.openTextDocument(file);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(file, new vscode.Range(0, 0, document.lineCount, 0), appendHttpEntry(document.getText(), entry.text));
    await vscode.workspace.applyEdit(edit);
    await document.save();
  }
  const where = vscode.workspace.asRelativePath(file);
  const variables = entry.variables.map((v) => v.name);
  const secretNote =
    entry.variables.length > 0
      ? vscode.l10n.t(
          ' Secret values are not in the file: {0} are written as {1}. Define them in your .http client’s environment (REST Client: rest-client.environmentVariables; httpYac: .env; JetBrains: http-client.private.env.json); Preview stream asks for them.',
          entry.variables.map((v) => v.header).join(', '),
          variables.map((v) => `{{${v}}}`).join(', '),
        )
      : '';
  void vscode.window.showInformationMessage(vscode.l10n.t('Saved "{0}" to {1}.{2}', name, where, secretNote) + entry.warnings.map((w) => ` (${w})`).join(''));
  return { file: file.toString(), name, variables };
}
