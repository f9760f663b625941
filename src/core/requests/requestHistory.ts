/**
 * The preview's request history: the last requests sent, per route (method and URL without its query), newest
 * first, bounded in routes and in requests per route. Plain JSON, so the editor keeps it in workspaceState.
 * Secret header values (httpFileEntry.ts's rule) are not kept: the history is stored unencrypted, so a request
 * taken from it gets its secrets from the request bar. Pure.
 */
import type { StreamRequest } from '../../protocol/stream';
import { isSecretHeaderName } from './httpFileEntry';

export interface RouteHistory {
  readonly route: string;
  readonly requests: readonly StreamRequest[];
}

/** Newest route first. */
export type RequestHistory = readonly RouteHistory[];

export const HISTORY_PER_ROUTE = 10;
export const HISTORY_ROUTES = 30;

/** `POST http://127.0.0.1:8000/api/chat`: the method and the URL without query or fragment. */
export function routeKey(request: Pick<StreamRequest, 'method' | 'url'>): string {
  const url = request.url.replace(/[?#].*$/s, '');
  return `${request.method.toUpperCase()} ${url}`;
}

function withoutSecrets(request: StreamRequest): StreamRequest {
  const { lastEventId: _resumeFrom, ...rest } = request;
  return { ...rest, headers: request.headers.filter(([name]) => !isSecretHeaderName(name)) };
}

function sameRequest(a: StreamRequest, b: StreamRequest): boolean {
  return a.url === b.url && a.method === b.method && a.body === b.body && JSON.stringify(a.headers) === JSON.stringify(b.headers);
}

/** The history with `request` as its newest entry (an identical earlier one moved up, not repeated). */
export function remember(history: RequestHistory, request: StreamRequest): RequestHistory {
  const kept = withoutSecrets(request);
  const key = routeKey(kept);
  const previous = history.find((entry) => entry.route === key)?.requests ?? [];
  const requests = [kept, ...previous.filter((old) => !sameRequest(old, kept))].slice(0, HISTORY_PER_ROUTE);
  return [{ route: key, requests }, ...history.filter((entry) => entry.route !== key)].slice(0, HISTORY_ROUTES);
}

/** The route of `current` first, then the others, newest first: what the history picker lists. */
export function recentRequests(history: RequestHistory, current?: Pick<StreamRequest, 'method' | 'url'>): StreamRequest[] {
  const key = current ? routeKey(current) : undefined;
  const ordered = [...history.filter((entry) => entry.route === key), ...history.filter((entry) => entry.route !== key)];
  return ordered.flatMap((entry) => entry.requests);
}

/** A request from the history, with the secret headers of the request bar's current request put back. */
export function withCurrentSecrets(request: StreamRequest, current: StreamRequest | undefined): StreamRequest {
  const secrets = (current?.headers ?? []).filter(([name]) => isSecretHeaderName(name));
  return { ...request, headers: [...request.headers, ...secrets] };
}

/** Reads a stored value back, dropping anything that is not a history (another version's shape). */
export function readHistory(value: unknown): RequestHistory {
  if (!Array.isArray(value)) {
    return [];
  }
  return value.filter(
    (entry): entry is RouteHistory =>
      typeof entry === 'object' &&
      entry !== null &&
      typeof (entry as RouteHistory).route === 'string' &&
      Array.isArray((entry as RouteHistory).requests) &&
      (entry as RouteHistory).requests.every((r) => typeof r?.url === 'string' && typeof r.method === 'string' && Array.isArray(r.headers)),
  );
}
