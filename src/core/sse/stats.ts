/** Timing statistics of one stream, updated incrementally (O(1) per event) so they keep up at 20,000 events/s. */
import type { StreamStats } from '../../protocol/stream';

/** How many recent inter-event gaps are kept for the chart. */
export const RECENT_GAPS = 120;
/** Distinct event types counted one by one; events of further types are only counted together. */
export const TRACKED_TYPES = 1000;
/** Event types listed in a snapshot (the most frequent); the rest are summed as "others". */
export const SHOWN_TYPES = 20;

export class StatsTracker {
  private headersMs: number | null = null;
  private firstByteMs: number | null = null;
  private firstEventMs: number | null = null;
  private firstTokenMs: number | null = null;
  private lastTokenMs: number | null = null;
  private lastEventMs: number | null = null;
  private events = 0;
  private comments = 0;
  private chunks = 0;
  private bytes = 0;
  private tokens = 0;
  private maxGapMs = 0;
  private retryMs: number | null = null;
  private readonly counts = new Map<string, number>();
  /** Events of types no longer counted one by one (their names were dropped to keep the map bounded). */
  private untrackedEvents = 0;
  // A ring buffer: the chart needs the last few gaps, not all of them.
  private readonly gaps = new Float64Array(RECENT_GAPS);
  private gapCount = 0;

  headers(tMs: number): void {
    this.headersMs = tMs;
  }

  chunk(bytes: number, tMs: number): void {
    this.firstByteMs ??= tMs;
    this.chunks++;
    this.bytes += bytes;
  }

  event(type: string, tMs: number, isToken: boolean): void {
    if (this.lastEventMs !== null) {
      const gap = tMs - this.lastEventMs;
      this.gaps[this.gapCount % RECENT_GAPS] = gap;
      this.gapCount++;
      if (gap > this.maxGapMs) {
        this.maxGapMs = gap;
      }
    }
    this.firstEventMs ??= tMs;
    this.lastEventMs = tMs;
    this.events++;
    if (!this.counts.has(type) && this.counts.size >= TRACKED_TYPES) {
      this.evictRareTypes();
    }
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
    if (isToken) {
      this.firstTokenMs ??= tMs;
      this.lastTokenMs = tMs;
      this.tokens++;
    }
  }

  /** How many event types are counted one by one now: never more than TRACKED_TYPES. */
  get trackedTypes(): number {
    return this.counts.size;
  }

  comment(): void {
    this.comments++;
  }

  retry(ms: number): void {
    this.retryMs = ms;
  }

  snapshot(): StreamStats {
    const recent: number[] = [];
    const kept = Math.min(this.gapCount, RECENT_GAPS);
    for (let i = this.gapCount - kept; i < this.gapCount; i++) {
      recent.push(round(this.gaps[i % RECENT_GAPS] ?? 0));
    }
    const span = this.firstTokenMs !== null && this.lastTokenMs !== null ? this.lastTokenMs - this.firstTokenMs : 0;
    return {
      headersMs: roundOrNull(this.headersMs),
      firstByteMs: roundOrNull(this.firstByteMs),
      firstEventMs: roundOrNull(this.firstEventMs),
      firstTokenMs: roundOrNull(this.firstTokenMs),
      lastEventMs: roundOrNull(this.lastEventMs),
      events: this.events,
      comments: this.comments,
      chunks: this.chunks,
      bytes: this.bytes,
      tokens: this.tokens,
      // Rate over the span between the first and the last token: n tokens make n-1 intervals.
      tokensPerSecond: this.tokens >= 2 && span > 0 ? round(((this.tokens - 1) * 1000) / span) : null,
      ...this.countsSnapshot(),
      recentGapsMs: recent,
      maxGapMs: round(this.maxGapMs),
      retryMs: this.retryMs,
    };
  }

  /**
   * Makes room among TRACKED_TYPES by dropping the rarer half of the types (their events move to the "others"
   * sum), so the frequent types stay listed while memory stays bounded; at most once per TRACKED_TYPES / 2 new types.
   */
  private evictRareTypes(): void {
    const sorted = [...this.counts.values()].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    let toFree = Math.ceil(this.counts.size / 2);
    // The rarer types first; among types as frequent as the median, the ones seen first.
    for (const pass of [(n: number) => n < median, (n: number) => n === median]) {
      for (const [type, n] of this.counts) {
        if (toFree > 0 && pass(n)) {
          this.counts.delete(type);
          this.untrackedEvents += n;
          toFree--;
        }
      }
    }
  }

  /** Every type while there are few; else the SHOWN_TYPES most frequent, and the rest summed as otherEvents. */
  private countsSnapshot(): Pick<StreamStats, 'countsByType' | 'otherEvents'> {
    if (this.counts.size <= SHOWN_TYPES && this.untrackedEvents === 0) {
      return { countsByType: Object.fromEntries(this.counts) };
    }
    const sorted = [...this.counts].sort((a, b) => b[1] - a[1]);
    const shown = sorted.slice(0, SHOWN_TYPES);
    const rest = sorted.slice(SHOWN_TYPES);
    return {
      countsByType: Object.fromEntries(shown),
      otherEvents: rest.reduce((sum, [, n]) => sum + n, 0) + this.untrackedEvents,
    };
  }
}

/** Milliseconds to 0.01 ms: finer than any clock we read, short in JSON. */
export function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function roundOrNull(ms: number | null): number | null {
  return ms === null ? null : round(ms);
}
