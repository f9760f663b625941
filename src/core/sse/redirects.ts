/**
 * Redirects, followed by hand so that the user's headers go only where the user sent them. fetch's own
 * `redirect: 'follow'` re-sends every custom header (an `X-Api-Key`) to whatever host a redirect names, and
 * drops only `Authorization`. Here, as curl and browsers do for credentials: a hop to another origin (scheme,
 * host or port differs from the URL requested) carries none of the user's headers, nor the Last-Event-ID the
 * user gave (a stream id is a capability); only the defaults every SSE client sends. A hop back to the
 * requested origin carries them again: that is where the user meant them to go.
 *
 * Otherwise the Fetch standard's rules: at most 20 redirects; 301/302 turn a POST into a GET and 303 any
 * method but HEAD, without the body and its headers; 307/308 repeat the request as it was.
 */
import type { Redirect, StreamFailure } from '../../protocol/stream';

/** The most redirects one request follows: the Fetch standard's limit, what fetch followed before. */
export const MAX_REDIRECTS = 20;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that describe a body: dropped with it when a redirect turns the request into a GET. */
const BODY_HEADERS = ['content-type', 'content-encoding', 'content-language', 'content-location'];

export interface RedirectableRequest {
  readonly url: URL;
  readonly method: string;
  readonly body: string | undefined;
  /** The headers for the requested origin: the user's and the defaults. */
  readonly headers: Headers;
  /** The headers for any other origin: the defaults alone. */
  readonly otherOriginHeaders: Headers;
  /** The user's header names as given (Last-Event-ID among them when the user set it), for the report. */
  readonly userHeaderNames: readonly string[];
}

export type Followed = { readonly response: Response; readonly url: URL } | { readonly failure: StreamFailure };

/**
 * Sends `request`, following redirects; `onRedirect` hears of each before it is followed. Resolves with the
 * final response (and the URL it came from), or a failure when a redirect cannot be followed. Network errors
 * reject, carrying `url`: the hop that failed.
 */
export async function fetchFollowingRedirects(request: RedirectableRequest, signal: AbortSignal, onRedirect: (redirect: Redirect) => void): Promise<Followed> {
  let { url, method, body } = request;
  let bodyDropped = false;
  for (let redirects = 0; ; redirects++) {
    const headers = new Headers(url.origin === request.url.origin ? request.headers : request.otherOriginHeaders);
    if (bodyDropped) {
      BODY_HEADERS.forEach((name) => headers.delete(name));
    }
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }), signal, redirect: 'manual' });
    } catch (error) {
      throw new HopError(url, error);
    }
    const location = response.headers.get('location');
    if (!REDIRECT_STATUSES.has(response.status) || location === null) {
      return { response, url };
    }
    void response.body?.cancel().catch(() => undefined);
    const from = url;
    const to = URL.canParse(location, from.href) ? new URL(location, from) : null;
    if (to === null || (to.protocol !== 'http:' && to.protocol !== 'https:')) {
      return {
        failure: { kind: 'network', message: `${from.href} redirected (${response.status}) to "${location}", which is not an http(s) URL; not followed` },
      };
    }
    if (redirects >= MAX_REDIRECTS) {
      return { failure: { kind: 'network', message: `Gave up after ${MAX_REDIRECTS} redirects (the last one from ${from.href} to ${to.href})` } };
    }
    to.hash = '';
    const crossOrigin = to.origin !== request.url.origin;
    onRedirect({ status: response.status, from: from.href, to: to.href, crossOrigin, droppedHeaders: crossOrigin ? request.userHeaderNames : [] });
    if (((response.status === 301 || response.status === 302) && method === 'POST') || (response.status === 303 && method !== 'HEAD' && method !== 'GET')) {
      method = 'GET';
      bodyDropped ||= body !== undefined;
      body = undefined;
    }
    url = to;
  }
}

/** A network error on one hop of a redirected request: which URL failed, and why. */
export class HopError extends Error {
  constructor(
    readonly url: URL,
    override readonly cause: unknown,
  ) {
    super(`the request to ${url.href} failed`, { cause });
  }
}
