/**
 * One run of a stream with everything the preview shows about it: the connection, the assembled text, timing
 * statistics, header checks and buffering detection. The CLI and the extension host both drive this class;
 * it knows nothing of how its results are displayed.
 */
import { BufferingDetector } from './buffering';
import { openStream, type OpenStreamOptions, type ResponseHead, type StreamResult } from './connection';
import { checkResponseHeaders } from './headers';
import type { BufferingWarning, HeaderCheck, Redirect, SseEvent, StreamNotice, StreamRequest } from '../../protocol/stream';
import { FinishAssembler } from './finish';
import { StatsTracker } from './stats';
import { PartsAssembler, type PartReading, type ToolCallView } from './parts';
import { parseObject, TextAssembler } from './text';

export interface SessionListener {
  onResponse?(head: ResponseHead, checks: readonly HeaderCheck[]): void;
  /**
   * `text`: what this event added to the assembled text, if it carried text; `parts`: the reasoning or tool call
   * it carried (with the call's state after it), and the protocol it showed.
   */
  onEvent?(
    event: SseEvent,
    text: { readonly delta: string; readonly replaced: boolean } | undefined,
    parts: (PartReading & { readonly call?: ToolCallView }) | undefined,
  ): void;
  onComment?(comment: string, tMs: number): void;
  onNotice?(notice: StreamNotice): void;
  onBuffering?(warning: BufferingWarning): void;
  /** A redirect, before it is followed (see redirects.ts: which headers go to another origin). */
  onRedirect?(redirect: Redirect): void;
}

export class StreamSession {
  readonly stats = new StatsTracker();
  readonly text = new TextAssembler();
  /** The protocol the stream speaks, its reasoning and its tool calls. */
  readonly parts = new PartsAssembler();
  /** The finish reason, usage and model the stream reported (see finish.ts). */
  readonly finish = new FinishAssembler();
  private buffering: BufferingDetector | null = null;
  headerChecks: readonly HeaderCheck[] = [];

  constructor(
    readonly request: StreamRequest,
    private readonly listener: SessionListener = {},
  ) {}

  get bufferingWarning(): BufferingWarning | null {
    return this.buffering?.result ?? null;
  }

  run(options: OpenStreamOptions = {}): Promise<StreamResult> {
    const { stats, text, listener } = this;
    return openStream(
      this.request,
      {
        onResponse: (head) => {
          stats.headers(head.tMs);
          this.headerChecks = checkResponseHeaders(head.headers, head.httpVersion);
          this.buffering = new BufferingDetector(head.tMs, head.headers);
          this.parts.headers(head.headers);
          listener.onResponse?.(head, this.headerChecks);
        },
        onChunk: (chunk) => stats.chunk(chunk.bytes, chunk.tMs),
        onEvent: (event) => {
          const json = parseObject(event.data);
          const added = text.push(event.event, event.data, json);
          const parts = this.parts.push(event.event, event.data, json);
          this.finish.push(event.event, json);
          stats.event(event.event, event.tMs, added !== undefined && !added.replaced);
          listener.onEvent?.(event, added, parts);
          const warning = this.buffering?.event(event.tMs);
          if (warning) {
            listener.onBuffering?.(warning);
          }
        },
        onComment: (comment, tMs) => {
          stats.comment();
          listener.onComment?.(comment, tMs);
        },
        onRetry: (ms) => stats.retry(ms),
        onNotice: (notice) => listener.onNotice?.(notice),
        onRedirect: (redirect) => listener.onRedirect?.(redirect),
      },
      options,
    );
  }
}
