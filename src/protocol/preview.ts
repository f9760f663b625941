/**
 * The messages between the extension host and the Stream Preview webview: discriminated unions on `type` with
 * readonly fields, and a typed post helper for each side. Both programs import this one file; the data shapes
 * come from ./stream. It imports nothing from the core: the webview is a browser program, and what it shares
 * with the host is data, not code.
 */
import type {
  BufferingWarning,
  HeaderCheck,
  Redirect,
  StreamFinish,
  StreamNotice,
  StreamOutcome,
  StreamProtocol,
  StreamRequest,
  StreamStats,
  TextFormat,
  ToolCallView,
} from './stream';

/** An event as the webview shows it: the data is cut to a preview length (a 5 MB event is not rendered whole). */
export interface EventView {
  readonly seq: number;
  readonly event: string;
  readonly id: string | null;
  readonly tMs: number;
  readonly chunk: number;
  readonly data: string;
  /** The full length of the data in characters, when `data` was cut. */
  readonly fullLength?: number;
  /** The AI SDK chunk type the data names (text-delta, reasoning-delta, tool-input-start, ...): all its events are "message". */
  readonly part?: string;
}

/** Characters of one event's data that are sent to the webview. */
export const EVENT_PREVIEW_CHARS = 16 * 1024;

/** How a run ended: the stream's own outcome, one definition (./stream.ts). */
export type RunEnd = StreamOutcome;

export type Status = { readonly kind: 'idle' } | { readonly kind: 'connecting' } | { readonly kind: 'streaming' } | RunEnd;

export interface PreviewModel {
  request: StreamRequest;
  run: number;
  status: Status;
  events: EventView[];
  /** Events of this run no longer in `events`. */
  hidden: number;
  text: string;
  textDropped: number;
  textFormat: TextFormat | null;
  textError: string | null;
  /** The protocol the stream speaks, once detected. */
  protocol: StreamProtocol | null;
  /** The finish reason, usage and model the stream reported about itself, once it did. */
  finish: StreamFinish | null;
  /** The reasoning the stream carried (its end, bounded like the text). */
  reasoning: string;
  reasoningDropped: number;
  /** Tool calls in the order they started (bounded by the host's PartsAssembler). */
  toolCalls: ToolCallView[];
  toolCallsOmitted: number;
  stats: StreamStats | null;
  response: {
    readonly status: number;
    readonly headers: ReadonlyArray<readonly [string, string]>;
    readonly checks: readonly HeaderCheck[];
    /** The redirects followed before the response (none when absent); see core/sse/redirects.ts. */
    readonly redirects?: readonly Redirect[];
  } | null;
  buffering: BufferingWarning | null;
  notices: StreamNotice[];
  noticesOmitted: number;
  lastEventId: string | null;
}

// ---- host -> webview ----

export type HostMessage =
  /** Everything the panel shows, sent when a webview (re)loads while the host has a run (e.g. after being hidden). */
  | { readonly type: 'snapshot'; readonly model: PreviewModel }
  /** The request to show in the request bar (a new panel, a CodeLens, a command with options). */
  | { readonly type: 'setRequest'; readonly request: StreamRequest }
  | { readonly type: 'started'; readonly run: number; readonly request: StreamRequest }
  | {
      readonly type: 'response';
      readonly run: number;
      readonly status: number;
      readonly headers: ReadonlyArray<readonly [string, string]>;
      readonly checks: readonly HeaderCheck[];
      /** The redirects followed before this response (absent or empty: none). */
      readonly redirects?: readonly Redirect[];
    }
  /** Everything that happened since the previous batch (the host batches every ~25 ms). */
  | {
      readonly type: 'batch';
      readonly run: number;
      readonly events: readonly EventView[];
      /** Text appended to the assembled text; when `textReplaced`, the whole text. */
      readonly text: string;
      readonly textReplaced: boolean;
      readonly textFormat: TextFormat | null;
      /** The protocol the stream speaks, once detected (see core/sse/parts.ts). */
      readonly protocol: StreamProtocol | null;
      /** Reasoning text appended since the previous batch. */
      readonly reasoning: string;
      /** The tool calls that changed since the previous batch, each in its state after it. */
      readonly toolCalls: readonly ToolCallView[];
      readonly toolCallsOmitted: number;
      readonly notices: readonly StreamNotice[];
      readonly stats: StreamStats;
      /** The finish reason, usage and model so far, when this batch changed them. */
      readonly finish?: StreamFinish;
    }
  | { readonly type: 'buffering'; readonly run: number; readonly warning: BufferingWarning }
  | {
      readonly type: 'ended';
      readonly run: number;
      readonly end: RunEnd;
      readonly lastEventId: string | null;
      readonly stats: StreamStats;
      readonly textError: string | null;
    }
  | { readonly type: 'exported'; readonly path: string; readonly events: number; readonly omitted: number };

// ---- webview -> host ----

export type WebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'send'; readonly request: StreamRequest }
  | { readonly type: 'stop' }
  /** Send the last request again with Last-Event-ID set to the last id seen. */
  | { readonly type: 'reconnect'; readonly request: StreamRequest }
  | { readonly type: 'clear' }
  | { readonly type: 'export' }
  | { readonly type: 'startServer' }
  /** Save the request bar's request as an entry of a .http file (the host asks which file). */
  | { readonly type: 'saveRequest'; readonly request: StreamRequest }
  /** Pick one of the last requests sent (this route's first) into the request bar. */
  | { readonly type: 'history'; readonly request: StreamRequest };

export type HostMessageType = HostMessage['type'];
export type WebviewMessageType = WebviewMessage['type'];

/** Posts a host message through anything with a postMessage (vscode.Webview in the host). */
export function postToWebview(target: { postMessage(message: unknown): PromiseLike<boolean> | boolean }, message: HostMessage): PromiseLike<boolean> | boolean {
  return target.postMessage(message);
}

/** Posts a webview message through the webview's VS Code API object. */
export function postToHost(target: { postMessage(message: unknown): void }, message: WebviewMessage): void {
  target.postMessage(message);
}

/** Messages come from another program: check the discriminant before trusting the shape. */
export function isWebviewMessage(value: unknown): value is WebviewMessage {
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  return (
    type === 'ready' ||
    type === 'send' ||
    type === 'stop' ||
    type === 'reconnect' ||
    type === 'clear' ||
    type === 'export' ||
    type === 'startServer' ||
    type === 'saveRequest' ||
    type === 'history'
  );
}

export function isHostMessage(value: unknown): value is HostMessage {
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  return (
    type === 'snapshot' ||
    type === 'setRequest' ||
    type === 'started' ||
    type === 'response' ||
    type === 'batch' ||
    type === 'buffering' ||
    type === 'ended' ||
    type === 'exported'
  );
}
