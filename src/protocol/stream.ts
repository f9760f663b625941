/**
 * The data shapes of a stream, shared by the SSE client core, the CLI, the extension host and the webview.
 * Plain serialisable objects: they cross postMessage as they are. Types only and no imports, so the browser
 * bundle takes nothing from the core through them (the bottom layer: see scripts/eslintImportGraph.mjs).
 */

/** What to request. `headers` keep their order and case as the user typed them. */
export interface StreamRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: ReadonlyArray<readonly [name: string, value: string]>;
  /** Sent as the request body (with Content-Type: application/json unless a header says otherwise). */
  readonly body?: string;
  /** Sent as the Last-Event-ID header (a reconnect). */
  readonly lastEventId?: string;
}

/** One dispatched event, stamped with when and in which network chunk it arrived. */
export interface SseEvent {
  /** 0-based position in the stream. */
  readonly seq: number;
  /** The event type; "message" when the server sent none (as in the spec). */
  readonly event: string;
  readonly data: string;
  /** The last event id after this event (ids persist across events, as in the spec), or null if none yet. */
  readonly id: string | null;
  /** Milliseconds from sending the request to the arrival of the chunk that completed this event. */
  readonly tMs: number;
  /** 0-based index of the network chunk that completed this event. */
  readonly chunk: number;
}

/** Why a stream did not complete. `message` is the sentence shown to the user, in the panel and the CLI alike. */
export type StreamFailure =
  | { readonly kind: 'invalid-url'; readonly message: string }
  | { readonly kind: 'connection-refused'; readonly message: string; readonly url: string }
  | { readonly kind: 'http-status'; readonly message: string; readonly status: number; readonly body: string }
  | { readonly kind: 'not-sse'; readonly message: string; readonly contentType: string; readonly firstBytes: string }
  | { readonly kind: 'unexpected-end'; readonly message: string }
  | { readonly kind: 'idle-timeout'; readonly message: string; readonly idleMs: number }
  | { readonly kind: 'event-too-large'; readonly message: string }
  | { readonly kind: 'network'; readonly message: string };

export type StreamOutcome = { readonly kind: 'completed' } | { readonly kind: 'stopped' } | { readonly kind: 'failed'; readonly failure: StreamFailure };

/**
 * A redirect the request followed. On another origin than the URL requested (scheme, host or port), none of
 * the user's headers went along: `droppedHeaders` names them (as the user gave them).
 */
export interface Redirect {
  readonly status: number;
  readonly from: string;
  readonly to: string;
  readonly crossOrigin: boolean;
  readonly droppedHeaders: readonly string[];
}

/** Something odd in an otherwise readable stream. */
export interface StreamNotice {
  readonly kind: 'malformed-line' | 'invalid-retry' | 'unterminated-event';
  readonly message: string;
  readonly tMs: number;
}

export type CheckLevel = 'ok' | 'info' | 'warning' | 'error';

/** The verdict on one response header. */
export interface HeaderCheck {
  readonly header: string;
  readonly level: CheckLevel;
  readonly value: string | null;
  readonly message: string;
}

export type TextFormat = 'catalyst' | 'openai' | 'anthropic' | 'vercel-ai';

/** The wire protocol a stream speaks (the protocols add-endpoint generates; their details in core/plan/protocol.ts). */
export type StreamProtocol = 'sse' | 'ai-sdk' | 'openai';

/** One tool call of a stream as assembled so far. `arguments` is the JSON text of its input as streamed. */
export interface ToolCallView {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
  /** The parsed input, once the call is complete and its arguments are JSON. */
  readonly input?: unknown;
  /** The call is complete (no more arguments will come). */
  readonly done: boolean;
  /** Characters of `arguments` not kept (the start is kept). */
  readonly argumentsDropped?: number;
}

/** Timing and counts, recomputed as events arrive. Times in ms since the request was sent; null until known. */
export interface StreamStats {
  readonly headersMs: number | null;
  readonly firstByteMs: number | null;
  readonly firstEventMs: number | null;
  readonly firstTokenMs: number | null;
  readonly lastEventMs: number | null;
  readonly events: number;
  readonly comments: number;
  readonly chunks: number;
  readonly bytes: number;
  /** Text deltas recognised by the text assembler. */
  readonly tokens: number;
  /** Tokens per second between the first and the last token; null with fewer than two tokens. */
  readonly tokensPerSecond: number | null;
  /** Events per type: every type, or the most frequent ones when there are many (the rest are in `other*`). */
  readonly countsByType: Readonly<Record<string, number>>;
  /** Events whose type is not in countsByType: present only when there were too many types to list. */
  readonly otherEvents?: number;
  /** The gaps between consecutive events, most recent last (bounded). */
  readonly recentGapsMs: readonly number[];
  readonly maxGapMs: number;
  /** The server's `retry:` value, if it sent one. */
  readonly retryMs: number | null;
}

/** "Many events arrived in one burst after a silence": something between the generator and the client buffers. */
export interface BufferingWarning {
  readonly burstEvents: number;
  readonly silenceMs: number;
  readonly atMs: number;
  /** The usual causes, the likeliest (judged from the response headers) first. */
  readonly causes: readonly string[];
}

/**
 * The token usage a stream reported about itself (the provider's figures as the route passed them on), each
 * count present only when the stream gave it. Read by core/sse/finish.ts from the wire formats' own names.
 */
export interface StreamUsage {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly totalTokens?: number;
  /** Input tokens read from the provider's prompt cache. */
  readonly cachedInputTokens?: number;
  readonly reasoningTokens?: number;
}

/** How the stream says its answer ended: the finish reason, the usage and the model, as far as it says. */
export interface StreamFinish {
  readonly finishReason?: string;
  readonly usage?: StreamUsage;
  readonly model?: string;
}
