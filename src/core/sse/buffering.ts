/**
 * Buffering detection. A stream that really streams delivers events spread out as they are generated. When
 * something between the generator and the client buffers (a proxy, a compressor, a blocked event loop), the
 * events pile up and then arrive together: many events in one burst right after a silence.
 */
import type { BufferingWarning } from '../../protocol/stream';

export interface BufferingThresholds {
  /** Events closer together than this belong to one burst. */
  readonly burstGapMs: number;
  /** A burst this large is suspicious... */
  readonly minBurstEvents: number;
  /** ...when the stream was silent this long before it. */
  readonly minSilenceMs: number;
}

export const DEFAULT_THRESHOLDS: BufferingThresholds = { burstGapMs: 5, minBurstEvents: 10, minSilenceMs: 250 };

export class BufferingDetector {
  private lastMs: number;
  private burstStartMs = 0;
  private burstSilenceMs = 0;
  private burstEvents = 0;
  private warning: BufferingWarning | null = null;
  private warnedBurstStartMs = Number.NaN;

  /** `startMs`: when the stream could first deliver events (the response headers' arrival). */
  constructor(
    startMs: number,
    private readonly headers: ReadonlyArray<readonly [string, string]> = [],
    private readonly thresholds: BufferingThresholds = DEFAULT_THRESHOLDS,
  ) {
    this.lastMs = startMs;
  }

  /** Feeds one event's arrival time; returns the warning the first time a suspicious burst completes its threshold. */
  event(tMs: number): BufferingWarning | undefined {
    const gap = tMs - this.lastMs;
    this.lastMs = tMs;
    if (gap >= this.thresholds.burstGapMs || this.burstEvents === 0) {
      this.burstStartMs = tMs;
      this.burstSilenceMs = gap;
      this.burstEvents = 1;
    } else {
      this.burstEvents++;
    }
    if (this.warning !== null && this.warnedBurstStartMs === this.burstStartMs) {
      // The burst that raised the warning keeps growing: report its final size.
      this.warning = { ...this.warning, burstEvents: this.burstEvents };
      return undefined;
    }
    if (this.warning === null && this.burstEvents >= this.thresholds.minBurstEvents && this.burstSilenceMs >= this.thresholds.minSilenceMs) {
      this.warnedBurstStartMs = this.burstStartMs;
      this.warning = {
        burstEvents: this.burstEvents,
        silenceMs: Math.round(this.burstSilenceMs),
        atMs: Math.round(this.burstStartMs),
        causes: likelyCauses(this.headers),
      };
      return this.warning;
    }
    return undefined;
  }

  get result(): BufferingWarning | null {
    return this.warning;
  }
}

/** The usual suspects, the ones the headers point at first. */
export function likelyCauses(headers: ReadonlyArray<readonly [string, string]>): string[] {
  const get = (name: string) => headers.find(([n]) => n.toLowerCase() === name)?.[1];
  const compression = get('content-encoding');
  const server = get('server') ?? '';
  const viaProxy = get('via') !== undefined || server.toLowerCase().includes('nginx');
  const causes = {
    compression: `Response compression${compression ? ` (Content-Encoding: ${compression})` : ''}: GZipMiddleware and similar buffer output until a block fills. Exclude text/event-stream from compression.`,
    proxy: `A reverse proxy buffering the response${viaProxy ? ` (this one says Server: ${server || 'a proxy'})` : ''}: nginx does unless the response has "X-Accel-Buffering: no" or the location sets "proxy_buffering off".`,
    blocking:
      'A blocked event loop: time.sleep() or a synchronous client (requests, a sync LLM SDK) inside an async generator holds every event until it returns. Use await asyncio.sleep() and the async client, or a plain def generator.',
    devProxy: 'A development proxy or CDN in between (Vite/webpack/Next.js rewrites, Cloudflare) that buffers or compresses responses.',
  };
  const order: (keyof typeof causes)[] = compression
    ? ['compression', 'proxy', 'blocking', 'devProxy']
    : viaProxy
      ? ['proxy', 'blocking', 'compression', 'devProxy']
      : ['blocking', 'proxy', 'compression', 'devProxy'];
  return order.map((key) => causes[key]);
}
