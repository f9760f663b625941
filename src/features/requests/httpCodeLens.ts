/** "Preview stream" above every request of a `.http` file: runs that request in the Stream Preview. */
import * as vscode from 'vscode';
import { parseHttpFile } from '../../core/requests/httpFile';
import type { PreviewHttpRequestOptions } from './previewHttpRequest';

export const PREVIEW_HTTP_REQUEST_COMMAND = 'catalyst.previewHttpRequest';

export class HttpFileCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    return parseHttpFile(document.getText()).requests.map((request) => {
      const options: PreviewHttpRequestOptions = { uri: document.uri.toString(), line: request.line };
      return new vscode.CodeLens(new vscode.Range(request.line, 0, request.line, 0), {
        title: vscode.l10n.t('$(pulse) Preview stream'),
        tooltip: vscode.l10n.t('Run {0} {1} in the Stream Preview', request.method, request.url),
        command: PREVIEW_HTTP_REQUEST_COMMAND,
        arguments: [options],
      });
    });
  }
}
