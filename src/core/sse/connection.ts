/**
 * The SSE client: one HTTP request (GET or POST with a body and headers) whose response body is parsed with
 * eventsource-parser as it arrives. Every event is stamped with its arrival time and the index of the network
 * chunk that completed it. Aborting the signal cancels the request, so the server sees the client disconnect.
 *
 * Failures are classified into the cases a user can act on (see StreamFailure); the function never throws
 * for network or server trouble, it resolves with an outcome.
 */
import { createParser, type ParseError } from 'eventsource-parser';
import { mediaType, type HttpVersion } from './headers';
import type { Redirect, SseEvent, StreamFailure, StreamNotice, StreamOutcome, StreamRequest } from '../../protocol/stream';
import { fetchFollowingRedirects, HopError } from './redirects';

/** The parser refuses to buffer more than this for one event: a defence against an endless line, not a limit on real events. */
export const MAX_EVENT_CHARS = 64 * 1024 * 1024;
/** How much of an error body or a non-SSE body is read to show the user. */
const EXCERPT_BYTES = 4096;

export interface ResponseHead {
  readonly status: number;
  /** The HTTP version of the response: what the header checks judge `Connection` by. */
  readonly httpVersion: HttpVersion;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly tMs: number;
  /** The redirects followed to get here, in order (empty when none): the response came from the last one's `to`. */
  readonly redirects: readonly Redirect[];
}

export interface StreamListener {
  onResponse?(head: ResponseHead): void;
  onChunk?(chunk: { readonly index: number; readonly bytes: number; readonly tMs: number }): void;
  onEvent?(event: SseEvent): void;
  onComment?(comment: string, tMs: number): void;
  onRetry?(retryMs: number): void;
  onNotice?(notice: StreamNotice): void;
  /** A redirect, before it is followed. */
  onRedirect?(redirect: Redirect): void;
}

export interface StreamResult {
  readonly outcome: StreamOutcome;
  /** The last event id seen (for a reconnect's Last-Event-ID), or null. */
  readonly lastEventId: string | null;
  readonly events: number;
}

export interface OpenStreamOptions {
  readonly signal?: AbortSignal;
  /** Clock in ms; injectable for tests. Defaults to performance.now(). */
  readonly now?: () => number;
  /**
   * Give up when no bytes of the body arrive for this long, counted from the body's first byte, with an
   * 'idle-timeout' failure that says so; 0 or absent: wait as long as the HTTP client does. Before the first
   * byte the server has not started (a model still thinking, an answer computed whole before it is sent):
   * that wait is the time to first byte, not silence, and only the HTTP client's own limits bound it.
   */
  readonly idleTimeoutMs?: number;
}

/** Validates a request's URL: only http(s) is streamed. Returns the failure, or the parsed URL. */
export function checkUrl(url: string): URL | StreamFailure {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: 'invalid-url', message: `"${url}" is not a URL; expected http:// or https://` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { kind: 'invalid-url', message: `"${url}" is not an http(s) URL (scheme "${parsed.protocol.slice(0, -1)}"); expected http:// or https://` };
  }
  return parsed;
}

/** The request headers actually sent: the user's, plus defaults an SSE client sends when the user did not set them. */
export function requestHeaders(request: StreamRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of request.headers) {
    headers.append(name, value);
  }
  if (!headers.has('accept')) {
    headers.set('accept', 'text/event-stream');
  }
  if (!headers.has('cache-control')) {
    headers.set('cache-control', 'no-cache');
  }
  if (request.body !== undefined && request.body !== '' && !headers.has('content-type')) {
    headers.set('content-type', 'application/json');
  }
  if (request.lastEventId !== undefined) {
    headers.set('last-event-id', request.lastEventId);
  }
  return headers;
}

export async function openStream(request: StreamRequest, listener: StreamListener, options: OpenStreamOptions = {}): Promise<StreamResult> {
  const now = options.now ?? (() => performance.now());
  const url = checkUrl(request.url);
  if (!(url instanceof URL)) {
    return { outcome: { kind: 'failed', failure: url }, lastEventId: null, events: 0 };
  }
  const started = now();
  const elapsed = () => now() - started;
  const state = { lastEventId: request.lastEventId ?? null, events: 0 };
  const result = (outcome: StreamOutcome): StreamResult => ({ outcome, lastEventId: state.lastEventId, events: state.events });
  const failed = (failure: StreamFailure) => result({ kind: 'failed', failure });

  // One controller for the whole request, so that both the user's Stop and our own early exits cancel it.
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) {
    return result({ kind: 'stopped' });
  }
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // The idle watch, from the body's first byte on: every chunk only notes the time (so no timer is reset per
  // chunk); one timer wakes when the silence could have reached the limit, and cancels the request if it has.
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let idled = false;
  const idleMs = options.idleTimeoutMs ?? 0;
  let lastSignOfLife = performance.now();
  const alive = () => {
    lastSignOfLife = performance.now();
    if (idleMs > 0 && idleTimer === undefined) {
      idleTimer = setTimeout(watchIdle, idleMs);
    }
  };
  const watchIdle = () => {
    const quietMs = performance.now() - lastSignOfLife;
    if (quietMs >= idleMs) {
      idled = true;
      controller.abort();
    } else {
      idleTimer = setTimeout(watchIdle, idleMs - quietMs);
    }
  };
  const idleFailure = (): StreamFailure => ({
    kind: 'idle-timeout',
    idleMs,
    message: `No data for ${idleMs / 1000} s after ${state.events} event(s): the server stopped sending without closing the stream; gave up (--idle-timeout)`,
  });
  try {
    let response: Response;
    const redirects: Redirect[] = [];
    try {
      const hasBody = request.body !== undefined && request.body !== '' && request.method.toUpperCase() !== 'GET' && request.method.toUpperCase() !== 'HEAD';
      const followed = await fetchFollowingRedirects(
        {
          url,
          method: request.method.toUpperCase(),
          body: hasBody ? request.body : undefined,
          headers: requestHeaders(request),
          // Another origin gets only what the request itself implies (Content-Type for a body), none of the user's headers.
          otherOriginHeaders: requestHeaders({
            url: request.url,
            method: request.method,
            headers: [],
            ...(request.body === undefined ? {} : { body: request.body }),
          }),
          userHeaderNames: [...new Set([...request.headers.map(([name]) => name), ...(request.lastEventId !== undefined ? ['Last-Event-ID'] : [])])],
        },
        controller.signal,
        (redirect) => {
          redirects.push(redirect);
          listener.onRedirect?.(redirect);
        },
      );
      if ('failure' in followed) {
        return failed(followed.failure);
      }
      response = followed.response;
    } catch (error) {
      const hop = error instanceof HopError ? error : undefined;
      return idled
        ? failed(idleFailure())
        : controller.signal.aborted
          ? result({ kind: 'stopped' })
          : failed(requestFailure(hop?.cause ?? error, hop?.url ?? url));
    }
    // Node's fetch (undici, default dispatcher) speaks HTTP/1.1 only: it does not negotiate HTTP/2.
    const head: ResponseHead = { status: response.status, httpVersion: '1.1', headers: [...response.headers], tMs: elapsed(), redirects };
    listener.onResponse?.(head);

    if (!response.ok) {
      const body = await readExcerpt(response);
      return failed({
        kind: 'http-status',
        status: response.status,
        body,
        message: `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${body ? `: ${body}` : ' with an empty body'}`,
      });
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (mediaType(contentType) !== 'text/event-stream') {
      const firstBytes = await readExcerpt(response);
      return failed({
        kind: 'not-sse',
        contentType,
        firstBytes,
        message: `The response is not an event stream (Content-Type ${contentType ? `"${contentType}"` : 'missing'}, expected "text/event-stream"). It starts with: ${firstBytes || '(nothing)'}`,
      });
    }
    if (response.body === null) {
      return result({ kind: 'completed' });
    }
    const read = await readEvents(response.body, listener, elapsed, state, controller.signal, result, alive);
    return idled ? failed(idleFailure()) : read;
  } finally {
    clearTimeout(idleTimer);
    options.signal?.removeEventListener('abort', onAbort);
    controller.abort();
  }
}

async function readEvents(
  body: ReadableStream<Uint8Array>,
  listener: StreamListener,
  elapsed: () => number,
  state: { lastEventId: string | null; events: number },
  signal: AbortSignal,
  result: (outcome: StreamOutcome) => StreamResult,
  alive: () => void,
): Promise<StreamResult> {
  let chunk = -1;
  let tMs = 0;
  let draining = false;
  let tooLarge = false;
  let endsWithCr = false;
  const parser = createParser({
    maxBufferSize: MAX_EVENT_CHARS,
    onEvent(message) {
      if (signal.aborted) {
        // Stopped (by the caller or the idle timeout): the rest of the chunk being parsed is not delivered.
        return;
      }
      if (draining) {
        // Per the spec an event is dispatched only at a blank line: one cut off by the end of the stream is dropped.
        listener.onNotice?.({
          kind: 'unterminated-event',
          tMs,
          message: `The stream ended in the middle of an event (${message.data.length} characters of data); it was discarded, as the SSE spec requires`,
        });
        return;
      }
      if (message.id !== undefined) {
        state.lastEventId = message.id;
      }
      listener.onEvent?.({ seq: state.events++, event: message.event ?? 'message', data: message.data, id: state.lastEventId, tMs, chunk });
    },
    onComment: (comment) => listener.onComment?.(comment, tMs),
    onRetry: (retryMs) => listener.onRetry?.(retryMs),
    onError(error: ParseError) {
      if (error.type === 'max-buffer-size-exceeded') {
        tooLarge = true;
        return;
      }
      const kind = error.type === 'invalid-retry' ? 'invalid-retry' : 'malformed-line';
      const what =
        error.type === 'invalid-retry' ? `retry value "${error.value ?? ''}" is not a number of milliseconds` : `unknown field "${error.field ?? ''}"`;
      listener.onNotice?.({ kind, tMs, message: `Ignored a malformed line (${what}): ${truncate(error.line ?? '', 200)}` });
    },
  });
  // TextDecoder (not a per-chunk toString) so a multi-byte character split across chunks stays whole; it also drops a BOM.
  const decoder = new TextDecoder('utf-8');
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      tMs = elapsed();
      if (done) {
        break;
      }
      alive();
      chunk++;
      listener.onChunk?.({ index: chunk, bytes: value.byteLength, tMs });
      const text = decoder.decode(value, { stream: true });
      if (text.length > 0) {
        endsWithCr = text.charCodeAt(text.length - 1) === 0x0d;
        parser.feed(text);
      }
      if (tooLarge) {
        return result({
          kind: 'failed',
          failure: { kind: 'event-too-large', message: `An event grew beyond ${MAX_EVENT_CHARS / (1024 * 1024)} MB without ending; reading stopped` },
        });
      }
    }
  } catch (error) {
    if (signal.aborted) {
      return result({ kind: 'stopped' });
    }
    return result({
      kind: 'failed',
      failure: {
        kind: 'unexpected-end',
        message: `The stream ended unexpectedly after ${state.events} event(s): the connection was closed before the response was complete (${describeCause(error)})`,
      },
    });
  } finally {
    reader.releaseLock();
  }
  parser.feed(decoder.decode());
  if (endsWithCr) {
    // The parser holds back a final CR in case an LF follows (CRLF). At the end of the stream it is a line ending.
    parser.feed('\n');
  }
  // Whatever the parser still holds is an event that never got its blank line: end it to report it, not dispatch it.
  draining = true;
  parser.feed('\n\n');
  return result({ kind: 'completed' });
}

/** Reads the start of a body as text, for an error message. */
async function readExcerpt(response: Response): Promise<string> {
  if (response.body === null) {
    return '';
  }
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      parts.push(value);
      size += value.byteLength;
    }
  } catch {
    // Whatever arrived before the error is still worth showing.
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(Math.min(size, EXCERPT_BYTES));
  let offset = 0;
  for (const part of parts) {
    const take = part.subarray(0, bytes.length - offset);
    bytes.set(take, offset);
    offset += take.length;
  }
  const text = new TextDecoder('utf-8').decode(bytes).trim();
  return size > EXCERPT_BYTES ? `${text}…` : text;
}

function requestFailure(error: unknown, url: URL): StreamFailure {
  const code = errorCode(error);
  if (code === 'ECONNREFUSED') {
    return { kind: 'connection-refused', url: url.href, message: `Could not connect to ${url.host}: connection refused. Is the server running?` };
  }
  return { kind: 'network', message: `The request to ${url.href} failed: ${describeCause(error)}` };
}

/** undici wraps the socket error: TypeError("fetch failed") with `cause` (possibly an AggregateError for several addresses). */
function errorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') {
      return code;
    }
    if (current instanceof AggregateError && current.errors.length > 0) {
      current = current.errors[0];
    } else {
      current = (current as { cause?: unknown }).cause;
    }
  }
  return undefined;
}

function describeCause(error: unknown): string {
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    if (current.message && !messages.includes(current.message)) {
      messages.push(current.message);
    }
    current = (current as { cause?: unknown }).cause;
  }
  return messages.join(': ') || String(error);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
