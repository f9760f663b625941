/** The FastAPI apps of a workspace folder, as uvicorn targets, and the SSE routes each serves. */
import type * as vscode from 'vscode';
import { PythonWorkspace } from '../../core/python/workspace';
import { readPythonFiles } from '../shared/workspaceFiles';
import type { SourceRoute } from '../../core/devServer/staleServer';

export interface UvicornApp {
  /** `package.module:app` as uvicorn takes it. */
  readonly target: string;
  /** Folder to put on sys.path (`--app-dir`), relative to the workspace folder; '' for the folder itself. */
  readonly appDir: string;
  /** A factory function: uvicorn calls it (`--factory`). */
  readonly factory: boolean;
  /** Workspace-relative file and line, for the quick pick. */
  readonly file: string;
  readonly line: number;
  readonly description: string;
  /** Paths of the routes that stream SSE (GET first), for the preview's URL, with where each is written. */
  readonly ssePaths: readonly { readonly method: string; readonly path: string; readonly file?: string; readonly line?: number }[];
  /** Every HTTP route the app serves, as the source has it (prefixes applied). */
  readonly routes?: readonly SourceRoute[];
}

export async function findApps(folder: vscode.WorkspaceFolder, token?: vscode.CancellationToken): Promise<UvicornApp[]> {
  // The same files, exclusions and limit as Add Streaming Endpoint (a folder past the limit is refused, not cut).
  const workspace = new PythonWorkspace(await readPythonFiles(folder, token));
  try {
    const apps: UvicornApp[] = [];
    for (const target of await workspace.targets()) {
      if (target.kind === 'router') {
        continue;
      }
      const identity = workspace.identity(target.file);
      const routes = await workspace.routeTable({ file: target.file, id: target.id });
      const ssePaths = routes
        .filter((r) => r.route.streamsSse)
        .flatMap((r) =>
          r.methods.filter((m) => m === 'GET' || m === 'POST').map((method) => ({ method, path: r.path, file: r.file, line: r.route.span.startPoint.row })),
        )
        .sort((a, b) => (a.method === b.method ? 0 : a.method === 'GET' ? -1 : 1));
      apps.push({
        target: `${identity.dottedName}:${target.id}`,
        appDir: identity.root,
        factory: target.kind === 'factory',
        file: target.file,
        line: target.line,
        description: target.description,
        ssePaths,
        routes: routes.map((r) => ({ methods: r.methods, path: r.path, file: r.file, line: r.route.span.startPoint.row })),
      });
    }
    return apps;
  } finally {
    workspace.dispose();
  }
}
