/**
 * Finds the route a snippet is for: among the routes an app (or router) serves, with every router and
 * inclusion prefix applied (the workspace's one route table), the one at `path` that streams, with its method
 * and protocol (read from its code, see python/routeProtocol.ts).
 */
import { analyzePythonModule, type AnalyzeOptions, type Route } from '../python/analysis';
import type { PythonWorkspace, TargetRef } from '../python/workspace';
import { routeIsResumable, routeProtocol } from '../python/routeProtocol';
import { clientsFor, type ClientKind, type SnippetRoute } from './clientSnippets';

/** What a snippet can be made for from one route: one entry per GET/POST method, when the route streams. */
export function snippetRoutes(route: Route, path: string): SnippetRoute[] {
  const protocol = routeProtocol(route);
  const resumable = routeIsResumable(route) ? { resumable: true } : {};
  return protocol === null ? [] : route.methods.filter((m) => m === 'GET' || m === 'POST').map((method) => ({ path, method, protocol, ...resumable }));
}

/** The streaming routes of one module, at their paths within it (the owner's own prefix applied), with their line. */
export async function moduleSnippetRoutes(source: string, options: AnalyzeOptions = {}): Promise<Array<SnippetRoute & { readonly line: number }>> {
  const analysis = await analyzePythonModule(source, options);
  try {
    return analysis.routes.flatMap((route) => snippetRoutes(route, route.fullPath).map((r) => ({ ...r, line: route.span.startPoint.row })));
  } finally {
    analysis.dispose();
  }
}

export type RouteLookup = { readonly ok: true; readonly route: SnippetRoute } | { readonly ok: false; readonly message: string };

/**
 * `method` narrows a path served by several handlers; without it, the one the client can consume is taken
 * (GET first, as the route table lists them otherwise).
 */
export async function findSnippetRoute(workspace: PythonWorkspace, target: TargetRef, path: string, client: ClientKind, method?: string): Promise<RouteLookup> {
  if (workspace.module(target.file) === undefined) {
    return { ok: false, message: `${target.file} is not a Python file of the workspace` };
  }
  const targets = await workspace.targets();
  if (!targets.some((t) => t.file === target.file && t.id === target.id)) {
    const here = targets.filter((t) => t.file === target.file).map((t) => t.id);
    return {
      ok: false,
      message: `${target.file} has no FastAPI app, factory or APIRouter named ${target.id}${here.length ? ` (it has ${here.join(', ')})` : ''}`,
    };
  }
  const streaming: SnippetRoute[] = [];
  for (const served of await workspace.routeTable(target)) {
    streaming.push(...snippetRoutes(served.route, served.path));
  }
  const atPath = streaming.filter((r) => r.path === path && (method === undefined || r.method === method.toUpperCase()));
  const [firstAtPath] = atPath;
  if (firstAtPath === undefined) {
    const listed = streaming.map((r) => `${r.method} ${r.path} (${r.protocol})`);
    return {
      ok: false,
      message: `${target.file}:${target.id} has no streaming route ${method ? `${method.toUpperCase()} ` : ''}${path}. ${
        listed.length ? `Its streaming routes: ${listed.join(', ')}` : 'It has no streaming routes.'
      }`,
    };
  }
  const fitting = atPath.filter((r) => clientsFor(r).includes(client));
  return { ok: true, route: fitting[0] ?? firstAtPath };
}
