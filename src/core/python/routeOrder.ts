/**
 * An app's (or router's) routes in the order the request router tries them: FastAPI appends a decorated
 * route when its `def` runs, copies a router's routes when `include_router` runs (so routes a router gets
 * later are never served through that inclusion), and adds a mount when `mount` runs. Within one module
 * that is source order; an included router brings its routes where the `include_router` statement is.
 *
 *   await servedInOrder(workspace, { file: 'app/main.py', id: 'app' })
 *     -> [{ kind: 'route', path: '/api/v1/items/{id}', methods: ['GET'], via: <the include_router statement> }, ...]
 *
 *   await servingApp(workspace, { file: 'app/routers/items.py', id: 'router' })
 *     -> { app: { file: 'app/main.py', id: 'app' }, prefix: '/api/v1/items' }   // the router's own prefix too
 */
import type { Span } from './analysis';
import { isTestFile, type PythonWorkspace, type TargetRef } from './workspace';

export interface ServedEntry {
  readonly kind: 'route' | 'mount';
  /** The full path (every prefix applied, as seen from the owner asked about); a mount's path. */
  readonly path: string;
  /** Upper-case methods of a route; [] for a mount. */
  readonly methods: readonly string[];
  /** Where the route or mount is written, and the app or router id it is registered on there. */
  readonly file: string;
  readonly owner: string;
  readonly span: Span;
  /** The handler's name, for a route whose handler is in its module. */
  readonly handler?: string;
  /** The statement of the owner asked about that brings this entry: itself, or the include_router it came through. */
  readonly via: { readonly file: string; readonly span: Span };
}

/** Every route and mount `owner` serves, in the order they are tried; `prefix` is put before every path. */
export async function servedInOrder(workspace: PythonWorkspace, owner: TargetRef, prefix = '', seen = new Set<string>()): Promise<ServedEntry[]> {
  const key = `${owner.file}:${owner.id}`;
  const analysis = await workspace.module(owner.file);
  if (!analysis || seen.has(key)) {
    return [];
  }
  const inner = new Set(seen).add(key);
  // An app made by a local factory (`app = create_app()`) serves the factory's routes.
  const owners = new Set([owner.id]);
  const createdBy = analysis.apps.find((a) => a.id === owner.id)?.createdBy;
  if (createdBy) {
    owners.add(createdBy);
  }
  const router = analysis.routers.find((r) => r.id === owner.id);
  const ownPrefix = prefix + (router ? await workspace.routerPrefix(owner.file, router) : '');
  const file = owner.file;

  type Step = { readonly start: number; entries(): Promise<ServedEntry[]> };
  const steps: Step[] = [];
  for (const route of analysis.routes.filter((r) => owners.has(r.owner))) {
    const entry: ServedEntry = {
      kind: 'route',
      path: ownPrefix + route.path,
      methods: route.methods,
      file,
      owner: route.owner,
      span: route.span,
      ...(route.handler ? { handler: route.handler.name } : {}),
      via: { file, span: route.span },
    };
    steps.push({ start: route.span.start, entries: async () => [entry] });
  }
  for (const mount of analysis.mounts.filter((m) => owners.has(m.owner) && m.path !== undefined)) {
    const entry: ServedEntry = {
      kind: 'mount',
      path: ownPrefix + mount.path!,
      methods: [],
      file,
      owner: mount.owner,
      span: mount.span,
      via: { file, span: mount.span },
    };
    steps.push({ start: mount.span.start, entries: async () => [entry] });
  }
  for (const inclusion of analysis.inclusions.filter((i) => owners.has(i.owner))) {
    steps.push({
      start: inclusion.span.start,
      entries: async () => {
        const included = await workspace.includedRouter(file, inclusion);
        if (!included) {
          return [];
        }
        const entries = await servedInOrder(workspace, included, ownPrefix + (await workspace.inclusionPrefix(file, inclusion)), inner);
        return entries.map((entry) => ({ ...entry, via: { file, span: inclusion.span } }));
      },
    });
  }
  steps.sort((a, b) => a.start - b.start);
  const served: ServedEntry[] = [];
  for (const step of steps) {
    served.push(...(await step.entries()));
  }
  return served;
}

/**
 * The app that serves a target and the prefix its routes get there (the router's own prefix and every
 * inclusion's on the way): the target itself for an app; for a router, the first app reached through
 * `include_router` calls; an app in test code only for a target in test code. Undefined when no app includes it.
 */
export async function servingApp(
  workspace: PythonWorkspace,
  target: TargetRef,
  seen = new Set<string>(),
): Promise<{ readonly app: TargetRef; readonly prefix: string } | undefined> {
  const analysis = await workspace.module(target.file);
  if (!analysis) {
    return undefined;
  }
  if (analysis.apps.some((a) => a.id === target.id)) {
    return { app: target, prefix: '' };
  }
  const router = analysis.routers.find((r) => r.id === target.id);
  const key = `${target.file}:${target.id}`;
  if (!router || seen.has(key)) {
    return undefined;
  }
  seen.add(key);
  const own = await workspace.routerPrefix(target.file, router);
  for (const inclusion of await workspace.inclusionsOf(target)) {
    if (isTestFile(inclusion.owner.file) && !isTestFile(target.file)) {
      continue;
    }
    const outer = await servingApp(workspace, inclusion.owner, seen);
    if (outer) {
      return { app: outer.app, prefix: outer.prefix + inclusion.prefix + own };
    }
  }
  return undefined;
}
