/**
 * Finds the route a snippet is for: among the routes an app (or router) serves, with every router and
 * inclusion prefix applied (the workspace's one route table), the one at `path` that streams, with its method
 * and protocol (read from its code, see python/routeProtocol.ts).
 */
import type { PythonWorkspace, TargetRef } from '../python/workspace';
import { routeProtocol } from '../python/routeProtocol';
import { clientsFor, type ClientKind, type SnippetRoute } from './clientSnippets';

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
    return { ok: false, message: `${target.file} has no FastAPI app, factory or APIRouter named ${target.id}${here.length ? ` (it has ${here.join(', ')})` : ''}` };
  }
  const streaming: SnippetRoute[] = [];
  for (const served of await workspace.routeTable(target)) {
    const protocol = routeProtocol(served.route);
    if (protocol !== null) {
      streaming.push(...served.methods.filter((m) => m === 'GET' || m === 'POST').map((m) => ({ path: served.path, method: m, protocol })));
    }
  }
  const atPath = streaming.filter((r) => r.path === path && (method === undefined || r.method === method.toUpperCase()));
  if (atPath.length === 0) {
    const listed = streaming.map((r) => `${r.method} ${r.path} (${r.protocol})`);
    return {
      ok: false,
      message: `${target.file}:${target.id} has no streaming route ${method ? `${method.toUpperCase()} ` : ''}${path}. ${
        listed.length ? `Its streaming routes: ${listed.join(', ')}` : 'It has no streaming routes.'
      }`,
    };
  }
  const fitting = atPath.filter((r) => clientsFor(r).includes(client));
  return { ok: true, route: fitting[0] ?? atPath[0]! };
}
