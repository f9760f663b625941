/**
 * One run of the Stream Preview, host side, without VS Code: streams the request with a StreamSession and turns
 * what happens into protocol messages, batching events into one `batch` message per interval (whatever the
 * event rate). The extension's panel posts these messages to its webview; tests record them and replay them
 * into the webview bundle in Chromium.
 */
import { Batcher } from './batcher';
import type { BufferingWarning, SseEvent, StreamFinish, StreamNotice, StreamRequest, ToolCallView } from '../../../protocol/stream';
import { StreamSession, type SessionListener } from '../session';
import type { StreamResult } from '../connection';
import type { Transcript } from './transcript';
import { EVENT_PREVIEW_CHARS, type EventView, type HostMessage } from '../../../protocol/preview';
import type { RunStopper } from './stop';

/** How often a batch is posted while events flow: under one 60 Hz frame's worth of delay, 40 messages a second. */
export const BATCH_INTERVAL_MS = 25;

type BatchItem =
  | {
      readonly event: EventView;
      readonly text?: { readonly delta: string; readonly replaced: boolean };
      readonly reasoning?: string;
      readonly call?: ToolCallView;
    }
  | { readonly notice: StreamNotice };

/** The event as the webview shows it; `part` is the AI SDK chunk type its data names (see parts.ts). */
export function toEventView(event: SseEvent, part?: string): EventView {
  const view = {
    seq: event.seq,
    event: event.event,
    id: event.id,
    tMs: Math.round(event.tMs * 100) / 100,
    chunk: event.chunk,
    ...(part !== undefined ? { part } : {}),
  };
  return event.data.length > EVENT_PREVIEW_CHARS
    ? { ...view, data: event.data.slice(0, EVENT_PREVIEW_CHARS), fullLength: event.data.length }
    : { ...view, data: event.data };
}

export interface PreviewRunOptions {
  readonly run: number;
  readonly request: StreamRequest;
  readonly post: (message: HostMessage) => void;
  /** Receives every event whole (for export). */
  readonly transcript?: Transcript;
  readonly signal?: AbortSignal;
  /**
   * The run's Stop (stop.ts), instead of `signal`: it hears the response and the events, so that on a resumable
   * route Stop asks the server to stop; a stream the server's stop ended is reported as stopped.
   */
  readonly stopper?: RunStopper;
  readonly batchIntervalMs?: number;
}

/** Streams the request and posts `started`, `response`, `batch`es, `buffering` and `ended`. Never throws for stream trouble. */
export async function runPreview(options: PreviewRunOptions): Promise<StreamResult> {
  const { run, request, post, transcript, stopper } = options;
  post({ type: 'started', run, request });
  const listener: SessionListener = {
    onResponse: (head, checks) => post({ type: 'response', run, status: head.status, headers: head.headers, checks, redirects: head.redirects }),
    onEvent: (event, text, parts) => {
      transcript?.add(event);
      batcher.push({
        event: toEventView(event, parts?.chunkType),
        ...(text ? { text } : {}),
        ...(parts?.reasoning ? { reasoning: parts.reasoning } : {}),
        ...(parts?.call ? { call: parts.call } : {}),
      });
    },
    onNotice: (notice) => batcher.push({ notice }),
    onBuffering: (warning) => {
      batcher.flush();
      post({ type: 'buffering', run, warning });
      postedWarning = warning;
    },
  };
  const session: StreamSession = new StreamSession(request, stopper ? stopper.listen(listener, () => session.parts.protocol) : listener);
  let postedWarning: BufferingWarning | null = null;
  // The finish as last posted: a batch carries it only when it changed.
  let postedFinish = session.finish.current;
  const batcher = new Batcher<BatchItem>((items) => {
    const finish = session.finish.current;
    post(batchMessage(run, items, session, finish !== postedFinish && finish !== null ? finish : undefined));
    postedFinish = finish;
  }, options.batchIntervalMs ?? BATCH_INTERVAL_MS);
  try {
    const signal = stopper?.signal ?? options.signal;
    const ran = await session.run(signal ? { signal } : {});
    const result = stopper ? await stopper.settle(ran) : ran;
    batcher.flush();
    // The burst that raised the warning may have grown after it was posted: send its final size.
    const warning = session.bufferingWarning;
    if (warning !== null && warning !== postedWarning) {
      post({ type: 'buffering', run, warning });
    }
    post({ type: 'ended', run, end: result.outcome, lastEventId: result.lastEventId, stats: session.stats.snapshot(), textError: session.text.error });
    return result;
  } finally {
    batcher.dispose();
  }
}

function batchMessage(run: number, items: readonly BatchItem[], session: StreamSession, finish: StreamFinish | undefined): HostMessage {
  const events: EventView[] = [];
  const notices: StreamNotice[] = [];
  let text = '';
  let textReplaced = false;
  let reasoning = '';
  const calls = new Map<string, ToolCallView>();
  for (const item of items) {
    if ('notice' in item) {
      notices.push(item.notice);
      continue;
    }
    events.push(item.event);
    reasoning += item.reasoning ?? '';
    if (item.call) {
      calls.set(item.call.id, item.call);
    }
    if (item.text?.replaced) {
      text = item.text.delta;
      textReplaced = true;
    } else if (item.text) {
      text += item.text.delta;
    }
  }
  const { parts } = session;
  return {
    type: 'batch',
    run,
    events,
    text,
    textReplaced,
    textFormat: session.text.format,
    protocol: parts.protocol,
    reasoning,
    // A call the OpenAI finish closed without an event of its own is sent in its final state too.
    toolCalls: calls.size > 0 ? parts.toolCalls.filter((call) => calls.has(call.id) || call.done) : [],
    toolCallsOmitted: parts.toolCallsOmitted,
    notices,
    stats: session.stats.snapshot(),
    ...(finish ? { finish } : {}),
  };
}
