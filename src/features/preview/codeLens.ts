/** "Preview stream" above every route the Python analysis sees returning an event stream. */
import * as vscode from 'vscode';
import { analyzePythonModule } from '../../core/python/analysis';
import type { SyntaxTrees } from '../shared/syntaxTrees';
import type { OpenPreviewOptions } from './options';

/** Where the dev server listens by default (Start Dev Server uses the same). */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:8000';

export class SseRouteCodeLensProvider implements vscode.CodeLensProvider {
  constructor(private readonly trees: SyntaxTrees) {}

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    // This version's tree from the shared cache: the diagnostics and code actions parsed it already, or will reuse it.
    const analysis = await analyzePythonModule(document.getText(), { tree: await this.trees.treeFor(document) });
    try {
      if (token.isCancellationRequested) {
        return [];
      }
      return analysis.routes
        .filter((route) => route.streamsSse && route.methods.some((m) => m === 'GET' || m === 'POST'))
        .map((route) => {
          const method = route.methods.includes('GET') ? 'GET' : 'POST';
          const options: OpenPreviewOptions = {
            url: `${DEFAULT_BASE_URL}${route.fullPath}`,
            method,
            ...(method === 'POST' ? { body: '{}' } : {}),
            send: false,
          };
          const line = route.span.startPoint.row;
          return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
            title: vscode.l10n.t('$(pulse) Preview stream'),
            tooltip: vscode.l10n.t('Open the Stream Preview for {0} {1}', method, route.fullPath),
            command: 'catalyst.openStreamPreview',
            arguments: [options],
          });
        });
    } finally {
      analysis.dispose();
    }
  }
}
