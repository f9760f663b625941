/**
 * "The server is older than the code": a previewed request answered 404 although the source serves that
 * method and path. The dev server was started before the route was added (or before it was saved), so the
 * preview says so and offers a restart instead of three header warnings about a 404 page. Matching is
 * Starlette's (core/plan/routeMatching.ts), so `/items/{id}` counts for `/items/7`.
 */
import { answers } from '../plan/routeMatching';

/** A route the source serves, with every prefix applied, and where it is written. */
export interface SourceRoute {
  readonly methods: readonly string[];
  readonly path: string;
  readonly file: string;
  /** 0-based line of the decorator. */
  readonly line: number;
}

/** The source route the server should have answered with, when a 404 means the server predates the code. */
export function routeTheServerLacks(
  response: { readonly status: number; readonly method: string; readonly url: string },
  routes: readonly SourceRoute[],
): SourceRoute | undefined {
  if (response.status !== 404) {
    return undefined;
  }
  let requestPath: string;
  try {
    requestPath = new URL(response.url).pathname;
  } catch {
    return undefined;
  }
  const method = response.method.toUpperCase();
  return routes.find((route) => answers({ kind: 'route', path: route.path, methods: route.methods }, requestPath, method));
}

export function staleServerMessage(request: { readonly method: string; readonly url: string }, route: SourceRoute, unsaved: boolean): string {
  const origin = new URL(request.url).origin;
  const where = `${route.file}:${route.line + 1}`;
  return unsaved
    ? `${origin} answers 404 for ${request.method} ${new URL(request.url).pathname}: ${where} defines it, but ${route.file} is not saved, so the server has not seen the route yet.`
    : `${origin} answers 404 for ${request.method} ${new URL(request.url).pathname}, which ${where} defines: the server is older than the code. Restart it to serve the route.`;
}
