/**
 * "Preview stream" above every route the Python analysis sees returning an event stream, and beside it "Copy
 * client snippet" (for every route whose protocol its code shows, see core/python/routeProtocol.ts).
 */
import * as vscode from 'vscode';
import { analyzePythonModule } from '../../core/python/analysis';
import { needsWorkspaceForPaths, servedRoutePaths } from '../../core/python/servedPaths';
import type { SyntaxTrees } from '../shared/syntaxTrees';
import { readPythonFiles, relativePath } from '../shared/workspaceFiles';
import type { OpenPreviewOptions } from './options';
import { snippetRoutes } from '../../core/snippets/routeLookup';
import type { CopySnippetOptions } from '../snippets/options';
import { DEV_SERVER_URL } from '../../core/defaults';
import { runningDevServers } from '../devServer/running';
import { exampleRequestBody } from '../../core/requests/exampleBody';

export class SseRouteCodeLensProvider implements vscode.CodeLensProvider {
  constructor(private readonly trees: SyntaxTrees) {}

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    // This version's tree from the shared cache: the diagnostics and code actions parsed it already, or will reuse it.
    const analysis = await analyzePythonModule(document.getText(), { tree: await this.trees.treeFor(document) });
    try {
      if (token.isCancellationRequested) {
        return [];
      }
      const previewable = (route: (typeof analysis.routes)[number]): boolean => route.streamsSse && route.methods.some((m) => m === 'GET' || m === 'POST');
      const routes = analysis.routes.filter((route) => previewable(route) || snippetRoutes(route, route.fullPath).length > 0);
      // The URL the serving app answers at: include_router prefixes from other modules, as add-endpoint prints it.
      const { files, file } = await this.filesFor(document, needsWorkspaceForPaths(routes), token);
      // Our dev server for this folder, when one runs (on any port); else the default address.
      const folder = vscode.workspace.getWorkspaceFolder(document.uri);
      const baseUrl = runningDevServers().find((server) => server.folder.uri.toString() === folder?.uri.toString())?.url ?? DEV_SERVER_URL;
      const paths = await servedRoutePaths(files, file, routes);
      if (token.isCancellationRequested) {
        return [];
      }
      return routes.flatMap((route, index) => {
        const fullPath = paths[index] ?? route.fullPath;
        const line = route.span.startPoint.row;
        const range = new vscode.Range(line, 0, line, 0);
        const lenses: vscode.CodeLens[] = [];
        if (previewable(route)) {
          const method = route.methods.includes('GET') ? 'GET' : 'POST';
          const options: OpenPreviewOptions = {
            url: `${baseUrl}${fullPath}`,
            method,
            // A body the route accepts (its protocol's chat request, or its Pydantic model with examples), not {}.
            ...(method === 'POST' ? { body: exampleRequestBody(analysis, route) ?? '{}' } : {}),
            // Starts at once unless catalyst.preview.sendOnOpen is off (read when the lens is clicked).
            fromRoute: true,
          };
          lenses.push(
            new vscode.CodeLens(range, {
              title: vscode.l10n.t('$(pulse) Preview stream'),
              tooltip: vscode.l10n.t('Open the Stream Preview for {0} {1}', method, fullPath),
              command: 'catalyst.openStreamPreview',
              arguments: [options],
            }),
          );
        }
        // The same method the preview lens uses: GET when the route has it.
        const snippetRoute = snippetRoutes(route, fullPath).sort((a, b) => (a.method === 'GET' ? -1 : b.method === 'GET' ? 1 : 0))[0];
        if (snippetRoute !== undefined) {
          const options: CopySnippetOptions = { route: snippetRoute, baseUrl: DEV_SERVER_URL };
          lenses.push(
            new vscode.CodeLens(range, {
              title: vscode.l10n.t('$(clippy) Copy client snippet'),
              tooltip: vscode.l10n.t('Copy a client of {0} {1} ({2} protocol) to the clipboard', snippetRoute.method, fullPath, snippetRoute.protocol),
              command: 'catalyst.copyClientSnippet',
              arguments: [options],
            }),
          );
        }
        return lenses;
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
