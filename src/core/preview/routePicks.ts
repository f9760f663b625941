/**
 * The choices "Open Stream Preview" offers from the palette: every stream route of the workspace (as the
 * route tables of its apps serve them, prefixes applied), GET before POST within a path, then an entry for a
 * URL typed by hand, always last. Pure: the editor shows these in a QuickPick.
 */
import { DEV_SERVER_URL } from '../defaults';

export interface StreamRouteEntry {
  readonly method: string;
  /** The full path a client requests. */
  readonly path: string;
  /** Workspace-relative file and 0-based line of the route. */
  readonly file: string;
  readonly line: number;
}

export type RoutePickValue = { readonly kind: 'route'; readonly url: string; readonly method: string } | { readonly kind: 'manual' };

export interface RoutePick {
  readonly label: string;
  readonly description?: string;
  readonly detail?: string;
  readonly value: RoutePickValue;
}

export const MANUAL_URL_LABEL = 'Enter a URL\u2026';

export function routePicks(routes: readonly StreamRouteEntry[], baseUrl: string = DEV_SERVER_URL): RoutePick[] {
  const seen = new Set<string>();
  const picks: RoutePick[] = [];
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) {
      continue; // one route reached through two apps (a router included twice) is one request
    }
    seen.add(key);
    const url = `${baseUrl}${route.path}`;
    picks.push({ label: key, description: `${route.file}:${route.line + 1}`, detail: url, value: { kind: 'route', url, method: route.method } });
  }
  picks.push({ label: MANUAL_URL_LABEL, description: 'a stream on any server', value: { kind: 'manual' } });
  return picks;
}

/** Why a typed URL cannot be requested, or undefined when it can (http and https only). */
export function validatePreviewUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return 'Enter a full URL, e.g. http://127.0.0.1:8000/stream';
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'Only http and https URLs can be previewed';
}
