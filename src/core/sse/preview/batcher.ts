/**
 * Batches items and hands them over at most once per interval. The host posts one message per batch instead
 * of one per event: at 20,000 events/s, per-event postMessage would flood the webview's message queue.
 */
/** The timer a Batcher waits on: the global one, or a test's manual clock. */
export interface BatchTimer {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMER: BatchTimer = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class Batcher<T> {
  private items: T[] = [];
  private timer: unknown;

  constructor(
    private readonly flushItems: (items: T[]) => void,
    private readonly intervalMs = 25,
    private readonly clock: BatchTimer = REAL_TIMER,
  ) {}

  push(item: T): void {
    this.items.push(item);
    this.timer ??= this.clock.set(() => this.flush(), this.intervalMs);
  }

  /** Hands over whatever is pending now (also called when the stream ends, so nothing waits for the timer). */
  flush(): void {
    if (this.timer !== undefined) {
      this.clock.clear(this.timer);
      this.timer = undefined;
    }
    if (this.items.length > 0) {
      const items = this.items;
      this.items = [];
      this.flushItems(items);
    }
  }

  /** Drops pending items and the timer. */
  dispose(): void {
    if (this.timer !== undefined) {
      this.clock.clear(this.timer);
      this.timer = undefined;
    }
    this.items = [];
  }
}
