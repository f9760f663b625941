/**
 * The Stream Preview's Stop for one run. On a resumable route (stopEndpoint.ts says which and where) Stop asks
 * the server to stop the answer, `POST {route}/{id}/stop`, and lets the stream end as the server ends it: the
 * final event (`done` with finish reason "stopped", the AI SDK's `finish`, OpenAI's `[DONE]`) arrives, the
 * server's on_finish gets "stopped", and the run reports itself stopped. Closing the connection instead would
 * not stop a resumable answer at all: it goes on in the background for a later reconnect. The connection is
 * closed only when the stop endpoint failed (no answer, or one other than 200/202/409) or the stream has not
 * ended within STOP_GRACE_MS of the press. Any other stream's Stop closes the connection, as it always did.
 */
import type { ResponseHead, StreamResult } from '../connection';
import type { SessionListener } from '../session';
import type { StreamProtocol, StreamRequest } from '../../../protocol/stream';
import { stopRequest, stopTarget, type StopTarget } from '../stopEndpoint';

/** How long after the press the stream may take to end by the server's stop before its connection is closed. */
export const STOP_GRACE_MS = 2000;

/**
 * How a Stop went: the server stopped the answer and the stream ended with its final event; the connection was
 * closed (no stop endpoint, it failed, or too slow); or the run had already ended.
 */
export type StopOutcome = 'stopped-by-server' | 'aborted' | 'already-ended';

/** The stop endpoint's answers that mean the stream ends on its own: 200 stopped, 202 stopping, 409 already ended. */
const ENDING_STATUSES = new Set([200, 202, 409]);

export interface RunStopperOptions {
  /** STOP_GRACE_MS unless a test says otherwise. */
  readonly graceMs?: number;
}

export class RunStopper {
  private readonly controller = new AbortController();
  /** Aborted when the connection is to be closed: the run's signal. */
  readonly signal = this.controller.signal;
  private head: ResponseHead | undefined;
  private eventId: string | null = null;
  private protocol: StreamProtocol | null = null;
  private finished = false;
  private markEnded: () => void = () => undefined;
  private readonly ended = new Promise<void>((resolve) => (this.markEnded = resolve));
  private stopping: Promise<StopOutcome> | undefined;
  /** The stop endpoint's answer, once asked: true when it stopped the answer (200 or 202). */
  private answer: Promise<boolean | 'gone'> | undefined;

  constructor(
    private readonly request: StreamRequest,
    private readonly options: RunStopperOptions = {},
  ) {}

  /**
   * `listener`, also telling this stopper what it needs to know: the response's head, each event's id and the
   * protocol the session read (`protocol`). Run the session with this stopper's `signal`, then `settle` its result.
   */
  listen(listener: SessionListener, protocol: () => StreamProtocol | null): SessionListener {
    return {
      ...listener,
      onResponse: (head, checks) => {
        this.head = head;
        listener.onResponse?.(head, checks);
      },
      onEvent: (event, text, parts) => {
        this.eventId = event.id;
        this.protocol = protocol();
        listener.onEvent?.(event, text, parts);
      },
    };
  }

  /**
   * The run is over with `result`: a stream the server's stop ended counts as stopped, not completed. The stream
   * may end before the stop endpoint answers (it answers once every reader got the end): then this waits for
   * that answer, which is bounded by the grace.
   */
  async settle(result: StreamResult): Promise<StreamResult> {
    this.finished = true;
    this.markEnded();
    const byServer = (await this.answer) === true;
    return byServer && result.outcome.kind === 'completed' ? { ...result, outcome: { kind: 'stopped' } } : result;
  }

  /** The stop endpoint of this run's stream, once the stream has shown it is a resumable one. */
  target(): StopTarget | undefined {
    return this.head === undefined
      ? undefined
      : stopTarget(this.request, { headers: this.head.headers, redirects: this.head.redirects, protocol: this.protocol, eventId: this.eventId });
  }

  /** Closes the connection now. */
  abort(): void {
    this.controller.abort();
  }

  /** Stop as the stream allows (see the top of this file). Pressing again while a stop is under way changes nothing. */
  stop(): Promise<StopOutcome> {
    this.stopping ??= this.stopOnce();
    return this.stopping;
  }

  private async stopOnce(): Promise<StopOutcome> {
    if (this.finished) {
      return 'already-ended';
    }
    const target = this.target();
    if (target === undefined) {
      this.abort();
      return 'aborted';
    }
    const graceMs = this.options.graceMs ?? STOP_GRACE_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    try {
      this.answer = this.askServer(target, graceMs);
      const answer = await Promise.race([this.answer, grace]);
      if (answer === false || answer === 'late' || (await Promise.race([this.ended.then(() => 'ended' as const), grace])) === 'late') {
        this.abort();
        return 'aborted';
      }
      return answer === true ? 'stopped-by-server' : 'already-ended';
    } finally {
      clearTimeout(timer);
    }
  }

  /** POSTs the stop: true when the server stopped the answer, 'gone' when it had already ended, false when it failed. */
  private async askServer(target: StopTarget, graceMs: number): Promise<boolean | 'gone'> {
    const request = stopRequest(this.request, target);
    try {
      const response = await fetch(request.url, {
        method: 'POST',
        headers: request.headers.map(([name, value]) => [name, value]),
        redirect: 'manual',
        signal: AbortSignal.timeout(graceMs),
      });
      await response.body?.cancel();
      return ENDING_STATUSES.has(response.status) ? response.status !== 409 || 'gone' : false;
    } catch {
      return false;
    }
  }
}
