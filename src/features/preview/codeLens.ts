/**
 * "Preview stream" above every route the Python analysis sees returning an event stream, and beside it "Copy
 * client snippet" (for every route whose protocol its code shows, see core/python/routeProtocol.ts).
 *
 * Their URLs are first the source's reading (servedPaths.ts); in a trusted workspace, each saved version of
 * the file is then imported once with its app (core/app/servedRoutes.ts) and the lenses show the paths from
 * the app's own route table, cached per file version.
 */
import * as vscode from 'vscode';
import { analyzePythonModule } from '../../core/python/analysis';
import { needsWorkspaceForPaths, servedRoutePaths } from '../../core/python/servedPaths';
import type { SyntaxTrees } from '../shared/syntaxTrees';
import { projectFiles, readPythonFiles, relativePath } from '../shared/workspaceFiles';
import { selectedInterpreter } from '../shared/interpreter';
import type { Logger } from '../shared/logger';
import { servedPathOf, servedRoutesFromApp, type ServedRoutesAnswer } from '../../core/app/servedRoutes';
import type { ServedRouteEntry } from '../../core/python/appProbe';
import type { OpenPreviewOptions } from './options';
import { snippetRoutes } from '../../core/snippets/routeLookup';
import type { CopySnippetOptions } from '../snippets/options';
import { DEV_SERVER_URL } from '../../core/defaults';
import { runningDevServers } from '../devServer/running';
import { exampleRequestBody } from '../../core/requests/exampleBody';

export class SseRouteCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  /** The app's answer per document URI, for one version of it: a newer version replaces it. */
  private readonly fromApp = new Map<string, { readonly version: number; answer?: ServedRoutesAnswer }>();

  constructor(
    private readonly trees: SyntaxTrees,
    private readonly logger: Logger,
  ) {}

  dispose(): void {
    this.changed.dispose();
    this.fromApp.clear();
  }

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
      const served = this.servedByApp(document, routes[0]?.owner);
      return routes.flatMap((route, index) => {
        const line = route.span.startPoint.row;
        const method = route.methods.includes('GET') ? 'GET' : 'POST';
        const fromApp = served && servedPathOf(served, route.handler?.name, line, method);
        const fullPath = fromApp ?? paths[index] ?? route.fullPath;
        const range = new vscode.Range(line, 0, line, 0);
        const lenses: vscode.CodeLens[] = [];
        if (previewable(route)) {
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
   * The routes of this version of the document as its app serves them, when the app answered already;
   * otherwise undefined, and for a saved document in a trusted workspace the app is asked (once per version)
   * and the lenses are refreshed with its answer.
   */
  private servedByApp(document: vscode.TextDocument, owner: string | undefined): readonly ServedRouteEntry[] | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    const key = document.uri.toString();
    const known = this.fromApp.get(key);
    if (known?.version === document.version) {
      return known.answer?.status === 'served' ? known.answer.routes : undefined;
    }
    // Importing runs the project's code: only where the user trusts it, and only what is saved (not each keystroke).
    if (owner === undefined || folder === undefined || !vscode.workspace.isTrusted || document.isDirty) {
      return undefined;
    }
    const entry: { readonly version: number; answer?: ServedRoutesAnswer } = { version: document.version };
    this.fromApp.set(key, entry);
    void this.askApp(folder, document, owner).then((answer) => {
      entry.answer = answer;
      if (this.fromApp.get(key) === entry && answer.status === 'served') {
        this.changed.fire();
      }
    });
    return undefined;
  }

  private async askApp(folder: vscode.WorkspaceFolder, document: vscode.TextDocument, owner: string): Promise<ServedRoutesAnswer> {
    try {
      const python = await selectedInterpreter(folder.uri, this.logger);
      const answer = await servedRoutesFromApp(
        projectFiles(folder.uri),
        { file: relativePath(folder, document.uri), id: owner },
        { text: document.getText(), preferredPython: python.command },
      );
      if (answer.status === 'unknown') {
        this.logger.info(`Route URLs of ${document.uri.fsPath} are the source's reading: ${answer.reason}`);
      }
      return answer;
    } catch (error) {
      this.logger.error(`Asking the app where the routes of ${document.uri.fsPath} are served failed`, error);
      return { status: 'unknown', reason: error instanceof Error ? error.message : String(error) };
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
