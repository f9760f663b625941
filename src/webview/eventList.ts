/**
 * The event list, virtualised: every event the model keeps (EVENT_WINDOW) can be scrolled to, but only the rows
 * in view are in the DOM, a small pool of fixed-height rows reused as the list scrolls or grows. A frame costs
 * the same at 20 events/s as at 20,000: the spacer's height, a transform, and the text of the visible rows.
 *
 * The list follows the newest event while it is scrolled to its end; once the user scrolls up it stays on the
 * events they were reading, also when the oldest events leave the window. Clicking a row opens its data,
 * pretty-printed when it is JSON, in the detail pane below the list (a row never changes height).
 */
import type { EventView, PreviewModel as Model } from '../protocol/preview';
import type { Changes } from '../core/sse/preview/model';
import { button, formatMs, formatSize, h, setText } from './dom';

/** Every row's height in CSS pixels: the scroll arithmetic depends on it (the stylesheet reads it as --row-height). */
export const ROW_HEIGHT = 20;
/** Rows drawn beyond the visible ones, so a small scroll shows drawn rows before the next frame. */
const OVERSCAN = 4;

export class EventList {
  readonly hiddenNote = h('div', { className: 'hidden-note' });
  readonly list = h('div', { className: 'event-list', attrs: { role: 'log', 'aria-label': 'Events', tabindex: '0' } });
  readonly detail = h('div', { className: 'event-detail', attrs: { 'aria-label': 'Event data' } });
  private readonly spacer = h('div', { className: 'event-spacer' });
  private readonly rows = h('div', { className: 'event-rows' });
  private readonly detailTitle = h('span', { className: 'event-detail-title' });
  private readonly detailText = h('pre', { className: 'event-pretty' });
  private readonly pool: HTMLElement[] = [];
  private events: readonly EventView[] = [];
  /** model.hidden at the last render: how many events left the window since tells how far to move the view. */
  private hidden = 0;
  private stickToBottom = true;
  /** The list's scroll offset and height, kept from scroll events and a ResizeObserver: a frame reads no layout. */
  private scrollTop = 0;
  private viewHeight = 0;
  private selected: number | undefined;
  /** A scroll or resize since the last frame: the visible rows must be redrawn even if no event came. */
  private dirty = true;
  private readonly requestFrame: () => void;

  constructor(requestFrame: () => void) {
    this.requestFrame = requestFrame;
    this.list.style.setProperty('--row-height', `${ROW_HEIGHT}px`);
    this.spacer.append(this.rows);
    this.list.append(this.spacer);
    this.detail.append(
      h(
        'div',
        { className: 'event-detail-head' },
        this.detailTitle,
        button('Close', 'close', () => this.select(undefined)),
      ),
      this.detailText,
    );
    this.detail.hidden = true;
    // Follow new events unless the user scrolled away from the bottom. Only scrolls right after user input count:
    // our own scrolling must not flip it.
    let lastInput = Number.NEGATIVE_INFINITY;
    for (const type of ['wheel', 'pointerdown', 'keydown', 'touchstart']) {
      this.list.addEventListener(type, () => (lastInput = performance.now()), { passive: true });
    }
    this.list.addEventListener(
      'scroll',
      () => {
        this.scrollTop = this.list.scrollTop;
        if (performance.now() - lastInput < 1000) {
          this.stickToBottom = this.maxScrollTop() - this.scrollTop < ROW_HEIGHT;
        }
        this.dirty = true;
        this.requestFrame();
      },
      { passive: true },
    );
    new ResizeObserver(([entry]) => {
      this.viewHeight = entry?.contentRect.height ?? this.list.clientHeight;
      this.dirty = true;
      this.requestFrame();
    }).observe(this.list);
    // One listener for every row (rows are reused, not rebuilt).
    this.list.addEventListener('click', (e) => {
      const row = (e.target as Element).closest('.event-row');
      if (row instanceof HTMLElement && row.dataset.seq !== undefined) {
        const seq = Number(row.dataset.seq);
        this.select(this.selected === seq ? undefined : seq);
      }
    });
    // From the keyboard (the list takes the focus, its rows do not): arrows open the previous or next event,
    // Escape closes it.
    this.list.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
        e.preventDefault();
        this.step(e.key === 'ArrowUp' ? -1 : 1);
      } else if (e.key === 'Escape' && this.selected !== undefined) {
        this.select(undefined);
      }
    });
  }

  render(model: Model, changes: Changes): void {
    const dropped = changes.all ? 0 : Math.max(0, model.hidden - this.hidden);
    this.hidden = model.hidden;
    if (!changes.all && !changes.events && dropped === 0 && !this.dirty && this.events === model.events) {
      return;
    }
    this.dirty = false;
    this.events = model.events;
    if (changes.all) {
      // A new run numbers its events from 0 again: no pooled row may be taken as already showing its event.
      for (const row of this.pool) {
        delete row.dataset.seq;
      }
      this.select(undefined);
    }
    const total = this.events.length;
    const height = `${total * ROW_HEIGHT}px`;
    if (this.spacer.style.height !== height) {
      this.spacer.style.height = height;
    }
    let top: number;
    if (this.stickToBottom) {
      top = this.maxScrollTop();
    } else {
      // Keep the rows the user reads in place: events that left the window above them move the view up.
      top = Math.max(0, Math.min(this.scrollTop - dropped * ROW_HEIGHT, this.maxScrollTop()));
    }
    // Compared with the offset kept from scroll events, not read back: a read here, after the spacer's new
    // height, would force a second layout every frame.
    if (top !== this.scrollTop) {
      this.list.scrollTop = top;
      this.scrollTop = top;
    }
    this.drawRows(top);
    setText(this.hiddenNote, model.hidden > 0 ? `${model.hidden.toLocaleString('en-US')} earlier events not kept (the transcript export has them)` : '');
    this.hiddenNote.hidden = model.hidden === 0;
  }

  private maxScrollTop(): number {
    return Math.max(0, this.events.length * ROW_HEIGHT - this.viewHeight);
  }

  /** Shows the rows from `top` down, reusing the pool; a row whose event did not change is not touched. */
  private drawRows(top: number): void {
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const count = Math.min(this.events.length - first, Math.ceil(this.viewHeight / ROW_HEIGHT) + 2 * OVERSCAN);
    while (this.pool.length < count) {
      const row = eventRow();
      this.pool.push(row);
      this.rows.append(row);
    }
    const transform = `translateY(${first * ROW_HEIGHT}px)`;
    if (this.rows.style.transform !== transform) {
      this.rows.style.transform = transform;
    }
    this.pool.forEach((row, i) => {
      const event = i < count ? this.events[first + i] : undefined;
      row.hidden = event === undefined;
      if (event === undefined) {
        // A spare row (the list was taller, or has fewer events): it shows, and is taken for, no event.
        delete row.dataset.seq;
      } else {
        fillRow(row, event);
        const selected = String(event.seq === this.selected);
        if (row.getAttribute('aria-selected') !== selected) {
          row.setAttribute('aria-selected', selected);
        }
      }
    });
  }

  /** Opens the event before or after the open one (with none open: the newest, or the first in view), and shows its row. */
  private step(direction: -1 | 1): void {
    const at = this.selected === undefined ? -1 : this.events.findIndex((e) => e.seq === this.selected);
    const index =
      at >= 0
        ? Math.max(0, Math.min(this.events.length - 1, at + direction))
        : direction < 0
          ? this.events.length - 1
          : Math.min(this.events.length - 1, Math.ceil(this.scrollTop / ROW_HEIGHT));
    const event = this.events[index];
    if (event === undefined) {
      return;
    }
    this.select(event.seq);
    const top = index * ROW_HEIGHT;
    if (top < this.scrollTop || top + ROW_HEIGHT > this.scrollTop + this.viewHeight) {
      // A keyboard scroll: the list stops following unless the row is the last one.
      this.stickToBottom = index === this.events.length - 1;
      this.scrollTop = Math.max(0, direction < 0 ? top : top + ROW_HEIGHT - this.viewHeight);
      this.list.scrollTop = this.scrollTop;
    }
    this.dirty = true;
    this.requestFrame();
  }

  /** Opens the detail pane on one event (or closes it). */
  private select(seq: number | undefined): void {
    this.selected = seq;
    const event = seq === undefined ? undefined : this.events.find((e) => e.seq === seq);
    this.detail.hidden = event === undefined;
    for (const row of this.pool) {
      row.setAttribute('aria-selected', String(row.dataset.seq !== undefined && Number(row.dataset.seq) === seq));
    }
    if (event !== undefined) {
      setText(this.detailTitle, `Event ${event.seq} · ${event.part ?? event.event}${event.id === null ? '' : ` · id ${event.id}`} · +${formatMs(event.tMs)}`);
      setText(this.detailText, prettyData(event));
    }
  }
}

/** A pooled row: time, type, id and data, as inline spans in a fixed-height line (no grid or flex: one line box). */
function eventRow(): HTMLElement {
  return h(
    'div',
    { className: 'event-row', attrs: { tabindex: '-1', 'aria-selected': 'false' } },
    h('span', { className: 'event-time' }),
    h('span', { className: 'badge event-type' }),
    h('span', { className: 'event-id' }),
    h('span', { className: 'event-data' }),
  );
}

function fillRow(row: HTMLElement, event: EventView): void {
  const seq = String(event.seq);
  if (row.dataset.seq === seq) {
    return;
  }
  row.dataset.seq = seq;
  const [time, type, id, data] = row.children;
  setText(time, `+${formatMs(event.tMs)}`);
  // An AI SDK stream's events are all "message": the chunk type in the data is what tells them apart.
  setText(type, event.part ?? event.event);
  type?.classList.toggle('event-part', event.part !== undefined);
  if (type instanceof HTMLElement) {
    type.title = event.part !== undefined ? `AI SDK chunk type ${event.part} (SSE event "${event.event}")` : `SSE event type ${event.event}`;
  }
  setText(id, event.id === null ? '' : `id ${event.id}`);
  const cut = event.fullLength !== undefined ? ` … (${formatSize(event.fullLength)}, the first ${formatSize(event.data.length)} shown)` : '';
  setText(data, event.data + cut);
}

/** The event's data for the detail pane: pretty-printed when it is JSON, as it came otherwise. */
function prettyData(event: EventView): string {
  const first = event.data.trimStart()[0];
  if (event.fullLength === undefined && (first === '{' || first === '[')) {
    try {
      return JSON.stringify(JSON.parse(event.data), null, 2);
    } catch {
      // Not JSON after all: shown as it came.
    }
  }
  return event.fullLength !== undefined ? `${event.data}\n… (${formatSize(event.fullLength)}, the first ${formatSize(event.data.length)} shown)` : event.data;
}
