/**
 * Batches items and hands them over at most once per interval. The host posts one message per batch instead
 * of one per event: at 20,000 events/s, per-event postMessage would flood the webview's message queue.
 */
export class Batcher<T> {
  private items: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly flushItems: (items: T[]) => void,
    private readonly intervalMs = 25,
  ) {}

  push(item: T): void {
    this.items.push(item);
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Hands over whatever is pending now (also called when the stream ends, so nothing waits for the timer). */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
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
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.items = [];
  }
}
