/**
 * The event list: one row per event, the newest at the bottom, followed unless the user scrolled away. Rows are
 * appended per frame (at most ROWS_PER_FRAME, the rest summarised by a gap row) and the oldest dropped beyond
 * EVENT_WINDOW, so the DOM stays the same size however long the stream.
 */
import type { EventView, PreviewModel as Model } from '../protocol/preview';
import { EVENT_WINDOW, type Changes } from '../core/sse/preview/model';
import { formatMs, formatSize, h, setText } from './dom';

/** New event rows drawn per frame at most; more in one frame are summarised by a gap row. */
const ROWS_PER_FRAME = 100;

export class EventList {
  readonly hiddenNote = h('div', { className: 'hidden-note' });
  readonly list = h('div', { className: 'event-list', attrs: { role: 'log', 'aria-label': 'Events' } });
  /** Highest seq rendered in the list. */
  private renderedSeq = -1;
  private stickToBottom = true;

  constructor() {
    // Follow new events unless the user scrolled away from the bottom. Only scrolls right after user input count:
    // our own scrolling, and the browser's scroll anchoring when old rows are dropped, must not flip it.
    let lastInput = 0;
    for (const type of ['wheel', 'pointerdown', 'keydown', 'touchstart']) {
      this.list.addEventListener(type, () => (lastInput = performance.now()), { passive: true });
    }
    this.list.addEventListener('scroll', () => {
      if (performance.now() - lastInput < 1000) {
        const list = this.list;
        this.stickToBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
      }
    });
    // One listener for every row's JSON toggle (rows come and go 20,000 times a second).
    this.list.addEventListener('click', (e) => {
      const cell = (e.target as Element).closest('.event-data.json');
      if (cell instanceof HTMLElement) {
        toggleJson(cell);
      }
    });
    this.list.addEventListener('keydown', (e) => {
      const cell = (e.target as Element).closest('.event-data.json');
      if (cell instanceof HTMLElement && (e.key === 'Enter' || e.key === ' ')) {
        e.preventDefault();
        toggleJson(cell);
      }
    });
  }

  /** A layout read, made before the frame's writes: the list follows but is not at its end (a note grew, say). */
  isBehind(): boolean {
    const list = this.list;
    return this.stickToBottom && list.scrollHeight - list.scrollTop - list.clientHeight > 1;
  }

  render(model: Model, changes: Changes): void {
    if (changes.all) {
      this.list.replaceChildren();
      this.renderedSeq = -1;
      this.appendEvents(model.events, EVENT_WINDOW);
    } else if (changes.events) {
      this.appendEvents(changes.events, ROWS_PER_FRAME);
    }
    setText(this.hiddenNote, model.hidden > 0 ? `${model.hidden.toLocaleString('en-US')} earlier events hidden (the transcript export has them)` : '');
    this.hiddenNote.hidden = model.hidden === 0;
  }

  /**
   * Last in a frame, after every write (a note or warning appearing shrinks the list): follow the newest event.
   * Past the end: the browser clamps it, with one layout for the whole frame's changes.
   */
  follow(changes: Changes, wasBehind: boolean): void {
    if (this.stickToBottom && (changes.all || changes.events || wasBehind)) {
      this.list.scrollTop = Number.MAX_SAFE_INTEGER;
    }
  }

  /**
   * Adds rows for events not yet shown, at most `limit` (the newest), and drops the oldest rows beyond
   * EVENT_WINDOW. Events past the limit get one gap row that says how many: at 20,000 events/s nobody reads
   * each row, and drawing them all would take the frame.
   */
  private appendEvents(events: readonly EventView[], limit: number): void {
    const fresh = events.filter((e) => e.seq > this.renderedSeq);
    const newest = fresh.at(-1);
    if (newest === undefined) {
      return;
    }
    const drawn = fresh.slice(-limit);
    const fragment = document.createDocumentFragment();
    if (drawn.length < fresh.length) {
      const skipped = fresh.length - drawn.length;
      fragment.append(
        h('div', {
          className: 'event-gap',
          text: `⋯ ${skipped.toLocaleString('en-US')} events not drawn (they arrived faster than rows can be; all are counted)`,
          attrs: { 'data-skipped': String(skipped) },
        }),
      );
    }
    for (const event of drawn) {
      fragment.append(eventRow(event));
    }
    this.renderedSeq = newest.seq;
    this.list.append(fragment);
    const excess = this.list.childElementCount - EVENT_WINDOW;
    const first = this.list.firstElementChild;
    const firstKept = excess > 0 ? this.list.children[excess] : undefined;
    if (first && firstKept) {
      // One range deletion instead of one removal per excess row.
      const range = document.createRange();
      range.setStartBefore(first);
      range.setEndBefore(firstKept);
      range.deleteContents();
    }
  }
}

/**
 * One row: time, type, id, data, as inline spans in a fixed-height block (no grid or flex: a row's layout is
 * one line box). Cheap to build: four elements, no listeners.
 */
function eventRow(event: EventView): HTMLElement {
  const cut = event.fullLength !== undefined ? ` … (${formatSize(event.fullLength)}, the first ${formatSize(event.data.length)} shown)` : '';
  const first = event.data.trimStart()[0];
  // JSON data can be opened into a pretty-printed view (see toggleJson); the row holds it compact until then.
  const json = cut === '' && (first === '{' || first === '[');
  const data = h('span', { className: json ? 'event-data json' : 'event-data', text: event.data + cut });
  if (json) {
    data.tabIndex = 0;
    data.setAttribute('role', 'button');
    data.setAttribute('aria-expanded', 'false');
  }
  return h(
    'div',
    { className: 'event-row', attrs: { 'data-seq': String(event.seq) } },
    h('span', { className: 'event-time', text: `+${formatMs(event.tMs)}`, title: `chunk ${event.chunk}` }),
    h('span', { className: 'badge event-type', text: event.event }),
    h('span', { className: 'event-id', text: event.id === null ? '' : `id ${event.id}` }),
    data,
  );
}

/** Opens or closes a JSON data cell: the pretty-printed text is built on first open (most rows never are). */
function toggleJson(cell: HTMLElement): void {
  const open = cell.getAttribute('aria-expanded') !== 'true';
  cell.setAttribute('aria-expanded', String(open));
  cell.parentElement?.classList.toggle('open', open);
  let pretty = cell.nextElementSibling;
  if (open && !(pretty instanceof HTMLPreElement)) {
    const data = cell.textContent ?? '';
    let text: string;
    try {
      text = JSON.stringify(JSON.parse(data), null, 2);
    } catch {
      text = data;
    }
    pretty = h('pre', { className: 'event-pretty', text });
    cell.after(pretty);
  }
  if (pretty instanceof HTMLPreElement) {
    pretty.hidden = !open;
  }
}
