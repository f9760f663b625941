/**
 * A light client of resumable SSE streams for load tests and benches: many at once, each reading the events
 * with their ids (`id: <stream>:<seq>`), optionally dropping the connection after some events and resuming
 * with `Last-Event-ID` (on another server, to land on another worker), until the response ends.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';

export interface ResumableEvent {
  readonly stream: string;
  readonly seq: number;
  readonly data: string;
}

export interface FollowOptions {
  /** Where each attempt goes: attempt 0 starts the stream, later ones resume (cycled). */
  readonly ports: readonly number[];
  readonly path: string;
  /** Drop the connection once this many events arrived (once), then resume. */
  readonly dropAfter?: number;
  /** Bound on the connections one answer may take. */
  readonly maxAttempts?: number;
  /** Told each event as it arrives (with the number of events so far). */
  readonly onEvent?: (event: ResumableEvent, count: number) => void;
  /** Bound on the whole answer, ms (default 120 s): a connection still open then is cut, the answer incomplete. */
  readonly deadlineMs?: number;
}

export interface FollowResult {
  readonly events: readonly ResumableEvent[];
  /** Events without an id (an error event of the connection, never stored). */
  readonly unnumbered: readonly string[];
  /** Every attempt's status (200, then 200s after resumes, or 204 when nothing was left). */
  readonly statuses: readonly number[];
  /** The last response ended with its terminating chunk (not cut, not dropped by us). */
  readonly complete: boolean;
  /** The deadline passed: the answer was cut (a server that stopped sending). */
  readonly timedOut: boolean;
  /** From the first request to the first event, ms. */
  readonly firstEventMs: number | undefined;
  readonly elapsedMs: number;
}

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

/** Follows one answer to its end across drops and resumes. */
export async function followResumable(options: FollowOptions): Promise<FollowResult> {
  const started = performance.now();
  const events: ResumableEvent[] = [];
  const statuses: number[] = [];
  const unnumbered: string[] = [];
  let firstEventMs: number | undefined;
  let dropped = false;
  let timedOut = false;
  const deadline = started + (options.deadlineMs ?? 120_000);
  const maxAttempts = options.maxAttempts ?? 4;
  for (let attempt = 0; attempt < maxAttempts && !timedOut; attempt++) {
    const last = events.at(-1);
    const headers: Record<string, string> = last ? { 'Last-Event-ID': `${last.stream}:${last.seq}` } : {};
    const port = options.ports[attempt % options.ports.length]!;
    const dropAt = !dropped && options.dropAfter !== undefined ? events.length + options.dropAfter : undefined;
    const outcome = await new Promise<{ status: number; ended: boolean }>((resolve) => {
      const request = http.get({ host: '127.0.0.1', port, path: options.path, headers, agent }, (response) => {
        let ended = false;
        const parser = createParser({
          onEvent: (message) => {
            if (request.destroyed) return;
            firstEventMs ??= performance.now() - started;
            const event = numbered(message.id, message.data);
            if (!event) {
              unnumbered.push(message.data);
              return;
            }
            events.push(event);
            options.onEvent?.(event, events.length);
            if (dropAt !== undefined && events.length >= dropAt) {
              dropped = true;
              request.destroy();
            }
          },
        });
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => parser.feed(chunk));
        response.on('end', () => (ended = true));
        response.on('close', () => resolve({ status: response.statusCode ?? 0, ended: ended && !request.destroyed }));
      });
      request.on('error', () => resolve({ status: 0, ended: false }));
      const timer = setTimeout(
        () => {
          timedOut = true;
          request.destroy();
        },
        Math.max(0, deadline - performance.now()),
      );
      request.on('close', () => clearTimeout(timer));
    });
    statuses.push(outcome.status);
    if (outcome.status === 204 || (outcome.status === 200 && outcome.ended)) {
      return { events, unnumbered, statuses, complete: true, timedOut, firstEventMs, elapsedMs: performance.now() - started };
    }
    if (outcome.status !== 200 && outcome.status !== 0) break;
  }
  return { events, unnumbered, statuses, complete: false, timedOut, firstEventMs, elapsedMs: performance.now() - started };
}

function numbered(id: string | undefined, data: string): ResumableEvent | undefined {
  if (id === undefined) return undefined;
  const colon = id.lastIndexOf(':');
  return { stream: id.slice(0, colon), seq: Number(id.slice(colon + 1)), data };
}

/** Why `result` is not the whole answer of `count` tokens `t0 `..: ids 1..count once each, in order; or undefined. */
export function answerProblem(result: FollowResult, count: number): string | undefined {
  if (result.unnumbered.length > 0) return `unnumbered events: ${result.unnumbered.join(' | ')}`;
  if (result.timedOut) return `cut at the deadline (statuses ${result.statuses.join(',')}, ${result.events.length} events)`;
  if (!result.complete) return `incomplete (statuses ${result.statuses.join(',')}, ${result.events.length} events)`;
  const streams = new Set(result.events.map((event) => event.stream));
  if (streams.size !== 1) return `events from ${streams.size} streams`;
  for (let i = 0; i < count; i++) {
    const event = result.events[i];
    if (event?.seq !== i + 1) return `event ${i + 1} is ${event ? `seq ${event.seq}` : 'missing'}`;
    if (event.data !== JSON.stringify({ text: `t${i} ` })) return `event ${i + 1} is ${event.data}`;
  }
  if (result.events.length !== count) return `${result.events.length - count} events too many`;
  return undefined;
}
