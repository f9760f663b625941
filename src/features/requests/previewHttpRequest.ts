/**
 * Runs one request of a `.http` file in the Stream Preview: its `{{variables}}` resolved from the file, then
 * from values typed earlier in this session, then asked (a password box: these are the secrets a saved request
 * leaves out). `executeCommand('catalyst.previewHttpRequest', { uri, line, variables? })` resolves to the
 * preview panel, or undefined when cancelled.
 */
import * as vscode from 'vscode';
import { parseHttpFile, resolveHttpRequest } from '../../core/requests/httpFile';

export interface PreviewHttpRequestOptions {
  /** The .http file, as a URI string. */
  readonly uri: string;
  /** 0-based line of the request line. */
  readonly line: number;
  /** Values for variables, before asking. */
  readonly variables?: Readonly<Record<string, string>>;
}

export function isPreviewHttpRequestOptions(value: unknown): value is PreviewHttpRequestOptions {
  const options = value as Partial<PreviewHttpRequestOptions> | undefined;
  return typeof options?.uri === 'string' && typeof options.line === 'number';
}

/** Variables typed in this session, so a second preview does not ask again (never stored on disk). */
const typed = new Map<string, string>();

export async function previewHttpRequest(options: PreviewHttpRequestOptions): Promise<unknown> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(options.uri));
  const file = parseHttpFile(document.getText());
  const request = file.requests.find((r) => r.line === options.line);
  if (request === undefined) {
    throw new Error(vscode.l10n.t('There is no request on line {0} of {1}.', options.line + 1, vscode.workspace.asRelativePath(document.uri)));
  }
  const given = new Map([...typed, ...Object.entries(options.variables ?? {})]);
  for (const variable of resolveHttpRequest(file, request, given).unresolved) {
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('Value of {{{0}}} for {1} {2}', variable, request.method, request.url),
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) {
      return undefined;
    }
    typed.set(variable, value);
    given.set(variable, value);
  }
  const { request: resolved } = resolveHttpRequest(file, request, given);
  return vscode.commands.executeCommand('catalyst.openStreamPreview', {
    url: resolved.url,
    method: resolved.method,
    headers: resolved.headers,
    ...(resolved.body !== undefined ? { body: resolved.body } : {}),
    send: true,
  });
}
