/** "Preview stream" above every route the Python analysis sees returning an event stream. */
import * as vscode from 'vscode';
import { analyzePythonModule } from '../../core/python/analysis';
import { needsWorkspaceForPaths, servedRoutePaths } from '../../core/python/servedPaths';
import type { SyntaxTrees } from '../shared/syntaxTrees';
import { readPythonFiles, relativePath } from '../shared/workspaceFiles';
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
      const routes = analysis.routes.filter((route) => route.streamsSse && route.methods.some((m) => m === 'GET' || m === 'POST'));
      // The URL the serving app answers at: include_router prefixes from other modules, as add-endpoint prints it.
      const { files, file } = await this.filesFor(document, needsWorkspaceForPaths(routes), token);
      const paths = await servedRoutePaths(files, file, routes);
      if (token.isCancellationRequested) {
        return [];
      }
      return routes.map((route, index) => {
        const method = route.methods.includes('GET') ? 'GET' : 'POST';
        const fullPath = paths[index] ?? route.fullPath;
        const options: OpenPreviewOptions = {
          url: `${DEFAULT_BASE_URL}${fullPath}`,
          method,
          ...(method === 'POST' ? { body: '{}' } : {}),
          send: false,
        };
        const line = route.span.startPoint.row;
        return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
          title: vscode.l10n.t('$(pulse) Preview stream'),
          tooltip: vscode.l10n.t('Open the Stream Preview for {0} {1}', method, fullPath),
          command: 'catalyst.openStreamPreview',
          arguments: [options],
        });
      });
    } finally {
      analysis.dispose();
    }
  }

  /**
   * The Python files the paths are resolved against: the folder's (open documents as edited) when a route is
   * on a router, otherwise, or outside a folder or past the file limit, just this document.
   */
  private async filesFor(
    document: vscode.TextDocument,
    needsWorkspace: boolean,
    token: vscode.CancellationToken,
  ): Promise<{ files: ReadonlyMap<string, string>; file: string }> {
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (needsWorkspace && folder) {
      try {
        return { files: await readPythonFiles(folder, token), file: relativePath(folder, document.uri) };
      } catch {
        // Too many files to read: the router's own prefix is the best this lens can show.
      }
    }
    return { files: new Map([[document.uri.path, document.getText()]]), file: document.uri.path };
  }
}
