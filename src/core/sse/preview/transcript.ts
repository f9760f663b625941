/** The transcript of a stream: its events with timings, exported as JSON Lines (one event a line). */
import type { SseEvent } from '../../../protocol/stream';
import { round } from '../stats';

/** One event as the CLI's --json prints it: `{"event","data","id","t_ms"}`. */
export function eventRecord(event: SseEvent): { event: string; data: string; id: string | null; t_ms: number } {
  return { event: event.event, data: event.data, id: event.id, t_ms: round(event.tMs) };
}

/** One transcript line: the CLI's record plus the network chunk the event arrived in. */
export function transcriptLine(event: SseEvent): string {
  return JSON.stringify({ ...eventRecord(event), chunk: event.chunk });
}

export interface TranscriptLimits {
  readonly maxEvents: number;
  /** Total characters of event data kept. */
  readonly maxDataChars: number;
}

/** Bounded: a stream left running for an hour must not eat the extension host's memory. */
export const DEFAULT_TRANSCRIPT_LIMITS: TranscriptLimits = { maxEvents: 250_000, maxDataChars: 64 * 1024 * 1024 };

export class Transcript {
  private readonly events: SseEvent[] = [];
  private dataChars = 0;
  /** Events that arrived after the limits were reached and are not in the export. */
  omitted = 0;

  constructor(private readonly limits: TranscriptLimits = DEFAULT_TRANSCRIPT_LIMITS) {}

  add(event: SseEvent): void {
    if (this.omitted > 0 || this.events.length >= this.limits.maxEvents || this.dataChars + event.data.length > this.limits.maxDataChars) {
      this.omitted++;
      return;
    }
    this.events.push(event);
    this.dataChars += event.data.length;
  }

  get size(): number {
    return this.events.length;
  }

  clear(): void {
    this.events.length = 0;
    this.dataChars = 0;
    this.omitted = 0;
  }

  toJsonl(): string {
    return this.events.map((event) => `${transcriptLine(event)}\n`).join('');
  }
}
