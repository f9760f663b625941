/**
 * Where a new route goes so that it is the one FastAPI runs, and the check that it is: the route must come
 * before any route of its app or router whose pattern answers its path (`/notes/{note_id}` answers
 * `/notes/stream`) and before any mount under which its path lies (`app.mount("/", ...)`). Inside the target
 * that is a place in the target's module; a route or mount that comes first through another router or the
 * app including the target cannot be moved past from there, and the plan is refused with what to do.
 */
import type { ModuleAnalysis, Span } from '../../python/analysis';
import { servedInOrder, servingApp, type ServedEntry } from '../../python/routeOrder';
import { unresolvedPrefixesIn, type PythonWorkspace, type TargetRef } from '../../python/workspace';
import { firstServing, sampleRequestPath } from '../routeMatching';

/** The statement of the target's module the new route must go above; undefined when the end is fine. */
export async function placeBefore(
  workspace: PythonWorkspace,
  target: TargetRef & { readonly analysis: ModuleAnalysis },
  route: string,
  method: string,
): Promise<Span | undefined> {
  const router = target.analysis.routers.find((r) => r.id === target.id);
  const ownPrefix = router ? await workspace.routerPrefix(target.file, router) : '';
  const captor = firstServing(await servedInOrder(workspace, target), sampleRequestPath(ownPrefix + route), method);
  return captor?.via.file === target.file ? captor.via.span : undefined;
}

/** The route or mount that answers the new route's URL first instead (undefined: the app reaches no route there). */
export interface CapturedRoute {
  readonly url: string;
  readonly app: TargetRef;
  readonly by: ServedEntry | undefined;
}

/**
 * How the planned workspace answers the new route: through the app serving the target, every prefix
 * applied, the first matching route or mount in order. Undefined when that is the new handler, or when no
 * app serves the target yet (nothing to check).
 */
export async function capturedBy(
  workspace: PythonWorkspace,
  target: TargetRef,
  route: string,
  method: string,
  handler: string,
): Promise<CapturedRoute | undefined> {
  const serving = await servingApp(workspace, target);
  if (!serving) {
    return undefined;
  }
  const url = serving.prefix + route;
  const first = firstServing(await servedInOrder(workspace, serving.app), sampleRequestPath(url), method);
  if (first?.kind === 'route' && first.file === target.file && first.handler === handler) {
    return undefined;
  }
  return { url, app: serving.app, by: first };
}

/**
 * Why the new route would not be the one answering, and what to do instead (for a refusal). `lineOf`: the
 * 1-based line a span of the checked (planned) text is on in the user's file as it is now.
 */
export function capturedMessage(check: CapturedRoute, target: TargetRef, method: string, lineOf: (file: string, span: Span) => number): string {
  const where = (file: string, span: Span) => `${file}:${lineOf(file, span)}`;
  const request = `${method} ${check.url}`;
  const by = check.by;
  if (!by) {
    return `${request} would not reach the new route in ${target.file}: ${target.id} is included in ${check.app.file} before the route is added. Add it with --app ${check.app.file}:${check.app.id}.`;
  }
  const what =
    by.kind === 'mount'
      ? `the mount at "${by.path}" (${where(by.file, by.span)}), which takes every request under it`
      : `${by.methods.join('/')} ${by.path}${by.handler ? ` (${by.handler})` : ''} at ${where(by.file, by.span)}`;
  const through = by.via.file !== by.file || by.via.span.start !== by.span.start ? `, included at ${where(by.via.file, by.via.span)},` : '';
  const alternatives =
    by.kind === 'mount'
      ? `Add the route to ${check.app.id} with --app ${check.app.file}:${check.app.id} (it goes above the mount), or choose a --route outside "${by.path}".`
      : `Choose another --route, or add it to ${by.owner} with --app ${by.file}:${by.owner}, where it goes above ${by.handler ?? 'that route'}.`;
  return `${request} would be answered by ${what}${through} before the new route in ${target.file} (FastAPI tries routes in order), so it would never run. ${alternatives}`;
}

/** A note for a URL whose prefix cannot be read from the source; undefined when the URL is known. */
export function unresolvedUrlNote(url: string): string | undefined {
  const unknown = unresolvedPrefixesIn(url);
  if (unknown.length === 0) {
    return undefined;
  }
  return `The URL's prefix ${unknown.join(', ')} is not a constant Catalyst can read, so the full URL is not known: the route is served at ${url.replace(/<[^>]*>/g, '{prefix}')} with {prefix} what ${unknown.length === 1 ? 'that expression evaluates' : 'those expressions evaluate'} to.`;
}
