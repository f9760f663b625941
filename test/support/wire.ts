/**
 * An HTTP/1.1 client for looking at a stream on the wire: every body chunk is recorded with the time it arrived,
 * the test can wait for a condition on the bytes so far (with a deadline), and can hang up mid-stream like a
 * browser tab being closed. Built on node:http with one fresh connection per stream, so the response
 * is exactly what the server sent, de-chunked, and `complete` says whether the chunked terminator arrived.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface ReceivedChunk {
  /** Wall-clock time in ms since the epoch, sub-millisecond (comparable with Python's time.time() * 1000). */
  readonly at: number;
  readonly bytes: Buffer;
}

export interface WireStream {
  readonly status: number;
  readonly httpVersion: string;
  /** Header names lower-cased, as node:http gives them. */
  readonly headers: http.IncomingHttpHeaders;
  /** [name, value, name, value, ...] exactly as sent. */
  readonly rawHeaders: readonly string[];
  readonly chunks: readonly ReceivedChunk[];
  /** Everything received so far. */
  body(): Buffer;
  /** Resolves once `predicate(body so far)` holds; rejects after `timeoutMs` or if the stream ends first. */
  waitFor(predicate: (body: Buffer) => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Resolves when the response ends: `complete` is true only if the chunked terminator was received. */
  readonly finished: Promise<{ readonly complete: boolean }>;
  /** Hangs up (the client goes away mid-stream). */
  close(): void;
}

export interface OpenStreamOptions {
  readonly method?: string;
  readonly json?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Wall-clock now with sub-millisecond resolution. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Sends the request and resolves once the response headers are in. */
export function openStream(url: string, options: OpenStreamOptions = {}): Promise<WireStream> {
  const payload = options.json === undefined ? undefined : Buffer.from(JSON.stringify(options.json));
  return new Promise((resolve, reject) => {
    // A keep-alive agent of its own: the request says "Connection: keep-alive", as browsers do, and no
    // connection is shared with another stream.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const request = http.request(url, {
      method: options.method ?? (payload ? 'POST' : 'GET'),
      agent,
      headers: {
        ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
        ...options.headers,
      },
    });
    request.once('error', (error) => {
      agent.destroy();
      reject(error);
    });
    request.once('response', (response) => {
      const stream = track(request, response);
      void stream.finished.then(() => agent.destroy());
      resolve(stream);
    });
    request.end(payload);
  });
}

function track(request: http.ClientRequest, response: http.IncomingMessage): WireStream {
  const chunks: ReceivedChunk[] = [];
  const waiters = new Set<() => void>();
  let ended = false;
  const notify = () => waiters.forEach((check) => check());
  response.on('data', (bytes: Buffer) => {
    chunks.push({ at: wallClockMs(), bytes });
    notify();
  });
  const finished = new Promise<{ complete: boolean }>((resolve) => {
    const end = () => {
      if (!ended) {
        ended = true;
        notify();
        resolve({ complete: response.complete });
      }
    };
    response.once('end', end);
    response.once('close', end);
    response.once('error', end);
  });
  const body = () => Buffer.concat(chunks.map((c) => c.bytes));
  return {
    status: response.statusCode ?? 0,
    httpVersion: response.httpVersion,
    headers: response.headers,
    rawHeaders: response.rawHeaders,
    chunks,
    body,
    finished,
    close: () => request.destroy(),
    waitFor: (predicate, what, timeoutMs = 5_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (predicate(body())) {
            done();
            resolve();
          } else if (ended) {
            done();
            reject(new Error(`stream ended before ${what}; received: ${JSON.stringify(body().toString('utf8').slice(-500))}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${what} within ${timeoutMs} ms; received: ${JSON.stringify(body().toString('utf8').slice(-500))}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
  };
}

/** Reads a whole (finite) stream. */
export async function readStream(url: string, options: OpenStreamOptions = {}): Promise<WireStream & { readonly complete: boolean }> {
  const stream = await openStream(url, options);
  const { complete } = await stream.finished;
  return Object.assign(stream, { complete });
}

export interface ParsedStream {
  readonly events: readonly EventSourceMessage[];
  readonly comments: readonly string[];
  /** Events and comments in stream order. */
  readonly items: ReadonlyArray<{ readonly kind: 'event'; readonly event: EventSourceMessage } | { readonly kind: 'comment'; readonly comment: string }>;
}

/** Parses SSE text with eventsource-parser (what browsers' EventSource implements), failing on malformed lines. */
export function parseSse(text: string): ParsedStream {
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  const items: Array<ParsedStream['items'][number]> = [];
  const parser = createParser({
    onEvent: (event) => {
      events.push(event);
      items.push({ kind: 'event', event });
    },
    onComment: (comment) => {
      comments.push(comment);
      items.push({ kind: 'comment', comment });
    },
    onError: (error) => {
      throw error;
    },
  });
  parser.feed(text);
  return { events, comments, items };
}

/** GET (or POST) a JSON document; fails after `timeoutMs` rather than waiting on a server that never answers. */
export async function getJson<T>(url: string, method = 'GET', timeoutMs = 5_000): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { method, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new Error(`${method} ${url}: no answer within ${timeoutMs} ms (${(error as Error).message})`);
  }
  if (!response.ok) {
    throw new Error(`${method} ${url}: HTTP ${response.status} ${await response.text()}`);
  }
  return (await response.json()) as T;
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs` naming `what`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() >= deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
