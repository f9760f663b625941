/**
 * The path a client requests for a module's routes, as the app that serves them sees it: the router's own
 * prefix and every `include_router` prefix on the way to the app (constants, settings and other modules read),
 * the same resolution add-endpoint prints its URL with. The Preview CodeLens opens this URL.
 *
 *   await servedRoutePaths(files, 'app/routers/chat.py', analysis.routes)
 *     -> ['/api/v1/chat/stream', ...]   // router prefix "/chat", included with prefix=API_PREFIX ("/api/v1")
 */
import type { Route } from './analysis';
import { findNamespacePackages } from './namespacePackages';
import { servingApp } from './routeOrder';
import { PythonWorkspace, unresolvedPrefixesIn } from './workspace';

/**
 * One path per route of `routes` (routes of `file`, in order). A route on a router no app includes, or whose
 * prefixes are not constants Catalyst can read, keeps the path with the router's own prefix (`route.fullPath`).
 */
export async function servedRoutePaths(files: ReadonlyMap<string, string>, file: string, routes: readonly Route[]): Promise<string[]> {
  if (!needsWorkspaceForPaths(routes)) {
    // An app's route is served at its own path: no other module needs reading.
    return routes.map((route) => route.path);
  }
  const workspace = new PythonWorkspace(files, { namespacePackages: await findNamespacePackages(files) });
  try {
    const prefixes = new Map<string, string | undefined>();
    const paths: string[] = [];
    for (const route of routes) {
      if (!prefixes.has(route.owner)) {
        prefixes.set(route.owner, (await servingApp(workspace, { file, id: route.owner }))?.prefix);
      }
      const prefix = prefixes.get(route.owner);
      const served = prefix === undefined ? undefined : prefix + route.path;
      paths.push(served === undefined || unresolvedPrefixesIn(served).length > 0 ? route.fullPath : served);
    }
    return paths;
  } finally {
    workspace.dispose();
  }
}

/** Whether `servedRoutePaths` needs the other modules of the workspace (a route on a router). */
export function needsWorkspaceForPaths(routes: readonly Route[]): boolean {
  return routes.some((route) => route.ownerKind === 'router');
}
