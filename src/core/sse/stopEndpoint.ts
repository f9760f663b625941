/**
 * Where a running stream can be stopped on the server, read from the stream itself. A resumable route that
 * `add-endpoint --resumable` writes has a stop endpoint beside it (see stopPath in
 * codegen/python/templates/route.py.ts and the generated `resumable/stopping.py`):
 * - sse and openai: `POST {route}/{stream_id}/stop`, the stream id being the `x-stream-id` response header, or
 *   where a proxy dropped it the part before the colon of the event ids `<stream id>:<seq>` (32 hex digits);
 * - ai-sdk: `POST {api}/{chat_id}/stop`, the chat id being the `id` the request body (useChat's) carries.
 *
 * The rule: a stream is resumable when it shows a stream id (the header, else an event id of that form); it
 * speaks the AI SDK's UI message stream when its header says so (`x-vercel-ai-ui-message-stream: v1`, which
 * every generated ai-sdk route sends), and then its stop needs the body's chat id (no id: no stop endpoint).
 * Anything else has no stop endpoint we know of: its Stop closes the connection, as a plain stream's does.
 *
 * The stop request goes to the URL that answered (after any redirects), without its query. It carries the
 * request's own headers (Authorization and the like) only when that URL has the request's origin, as the
 * stream's redirects do (redirects.ts); never a body, a Content-Type or a Last-Event-ID.
 */
import type { Redirect, StreamProtocol, StreamRequest } from '../../protocol/stream';
import { protocolFromHeaders } from './parts';

export const STREAM_ID_HEADER = 'x-stream-id';

/** A stop endpoint, and which id named the stream in it. */
export interface StopTarget {
  readonly url: string;
  readonly by: 'stream' | 'chat';
  readonly id: string;
}

/** What the stream told about itself so far: its response's headers and redirects, and an event id. */
export interface StreamSeen {
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly redirects?: readonly Redirect[];
  /** The protocol its events showed, when the headers did not say (undefined: not known). */
  readonly protocol?: StreamProtocol | null;
  /** The id of an event of the stream (the last one), or null before any. */
  readonly eventId: string | null;
}

/** Whether `value` is a generated route's stream id: 32 lower-case hex digits (resumable/_keys.py is_stream_id). */
export function isStreamId(value: string): boolean {
  return value.length === 32 && [...value].every((c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
}

/** The stream id of a resumable stream: the `x-stream-id` header, else the prefix of an event id `<id>:<seq>`. */
export function resumableStreamId(headers: ReadonlyArray<readonly [string, string]>, eventId: string | null): string | undefined {
  const header = headers.find(([name]) => name.toLowerCase() === STREAM_ID_HEADER)?.[1].trim();
  if (header !== undefined && isStreamId(header)) {
    return header;
  }
  if (eventId === null) {
    return undefined;
  }
  const colon = eventId.lastIndexOf(':');
  const prefix = eventId.slice(0, colon);
  const seq = eventId.slice(colon + 1);
  return colon > 0 && seq !== '' && [...seq].every((c) => c >= '0' && c <= '9') && isStreamId(prefix) ? prefix : undefined;
}

/** useChat's chat id: the `id` of the JSON object the request body is, when it is a non-empty string. */
export function chatIdOf(request: StreamRequest): string | undefined {
  if (request.body === undefined) {
    return undefined;
  }
  try {
    const body: unknown = JSON.parse(request.body);
    const id = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { id?: unknown }).id : undefined;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The stop endpoint of the stream `request` opened, or undefined when the stream is not a resumable one (see the rule above). */
export function stopTarget(request: StreamRequest, seen: StreamSeen): StopTarget | undefined {
  const streamId = resumableStreamId(seen.headers, seen.eventId);
  if (streamId === undefined) {
    return undefined;
  }
  const chat = (protocolFromHeaders(seen.headers) ?? seen.protocol) === 'ai-sdk';
  const id = chat ? chatIdOf(request) : streamId;
  if (id === undefined) {
    return undefined;
  }
  let answered: URL;
  try {
    answered = new URL(seen.redirects?.at(-1)?.to ?? request.url);
  } catch {
    return undefined;
  }
  const route = answered.pathname.endsWith('/') ? answered.pathname.slice(0, -1) : answered.pathname;
  return { url: `${answered.origin}${route}/${encodeURIComponent(id)}/stop`, by: chat ? 'chat' : 'stream', id };
}

/** Headers that belong to the stream's request, not to a stop: the body's, the stream's resume point, what it accepts. */
const STREAM_ONLY_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'last-event-id', 'accept', 'cache-control']);

/** The POST that stops the stream at `target`: `request`'s own headers where it goes to the request's origin. */
export function stopRequest(request: StreamRequest, target: StopTarget): StreamRequest {
  const sameOrigin = originOf(target.url) === originOf(request.url);
  const headers = sameOrigin ? request.headers.filter(([name]) => !STREAM_ONLY_HEADERS.has(name.toLowerCase())) : [];
  return { url: target.url, method: 'POST', headers };
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
