/**
 * The routes a client can already reach where a new route would go, so a clash is refused (and a second run
 * recognised) before anything is planned. Built once per target; the InputBox's live validation then checks
 * each keystroke synchronously.
 */
import type { ModuleAnalysis } from '../../python/analysis';
import { servingApp } from '../../python/routeOrder';
import type { PythonWorkspace, ServedRoute, TargetRef } from '../../python/workspace';

export interface RouteIndex {
  /** The path a client requests for `route` on the target (router and inclusion prefixes applied). */
  url(route: string): string;
  /** Existing routes at the same path, through the target or anything that includes it. */
  matches(route: string): ServedRoute[];
}

/** One table of served routes, and the prefix a new route on the target gets in it. */
interface Table {
  readonly prefix: string;
  readonly routes: readonly ServedRoute[];
}

export async function buildRouteIndex(workspace: PythonWorkspace, target: TargetRef, analysis: ModuleAnalysis): Promise<RouteIndex> {
  const router = analysis.routers.find((r) => r.id === target.id);
  const tables: Table[] = [];
  let urlPrefix = '';
  if (!router) {
    // A factory and the module's app made by it (`app = create_app()`) serve the same routes.
    const owners = [target, ...analysis.apps.filter((a) => a.createdBy === target.id).map((a) => ({ file: target.file, id: a.id }))];
    for (const owner of owners) {
      tables.push({ prefix: '', routes: await workspace.routeTable(owner) });
    }
  } else {
    const routerPrefix = await workspace.routerPrefix(target.file, router);
    tables.push({ prefix: routerPrefix, routes: await workspace.routeTable(target) });
    for (const inclusion of await workspace.inclusionsOf(target)) {
      tables.push({ prefix: inclusion.prefix + routerPrefix, routes: await workspace.routeTable(inclusion.owner) });
    }
    // The URL through the app that serves it, every inclusion prefix on the way (constants and settings read).
    const serving = await servingApp(workspace, target);
    urlPrefix = serving ? serving.prefix : routerPrefix;
    // Often already one of the tables above (the app that includes the router): uniqueRoutes drops the repeats.
    if (serving) {
      tables.push({ prefix: serving.prefix, routes: await workspace.routeTable(serving.app) });
    }
  }
  return {
    url: (route) => urlPrefix + route,
    matches: (route) => uniqueRoutes(tables.flatMap((table) => table.routes.filter((served) => served.path === table.prefix + route))),
  };
}

/** Each route once: a router's routes are reached both through the router and through the app including it. */
function uniqueRoutes(routes: readonly ServedRoute[]): ServedRoute[] {
  const unique = new Map<string, ServedRoute>();
  for (const served of routes) {
    const key = `${served.file}:${served.route.span.start}`;
    if (!unique.has(key)) {
      unique.set(key, served);
    }
  }
  return [...unique.values()];
}
