/**
 * The preview's DOM: built once, then updated from the model once per animation frame. Event data, text,
 * headers and messages are all set with textContent / text nodes, never parsed as HTML.
 */
import type { EventView, StreamRequest, ToolCallView } from '../protocol/preview';
import { button, formatMs, formatSize, h, icon, rebuild, setText } from './dom';
import { EVENT_WINDOW, redirectText, type Changes, type PreviewModel as Model } from '../core/sse/preview/model';

export interface ViewActions {
  send(request: StreamRequest): void;
  stop(): void;
  reconnect(request: StreamRequest): void;
  clear(): void;
  exportTranscript(): void;
  startServer(): void;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** New event rows drawn per frame at most; more in one frame are summarised by a gap row. */
const ROWS_PER_FRAME = 100;
/** Characters of the assembled text kept in the DOM: a few screens of it (its layout is redone on every append). */
const TEXT_SHOWN = 8 * 1024;

/** Characters of reasoning and of one tool call's arguments drawn (the model keeps more). */
const PART_SHOWN = 4 * 1024;

const PROTOCOL_NAMES: Record<string, string> = {
  sse: 'sse (Catalyst events)',
  'ai-sdk': 'ai-sdk (Vercel AI SDK UI message stream v1)',
  openai: 'openai (Chat Completions chunks)',
};

const FORMAT_NAMES: Record<string, string> = {
  catalyst: 'Catalyst token/done events',
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  'vercel-ai': 'Vercel AI SDK UI message stream',
};

export class PreviewView {
  private readonly method = h(
    'select',
    { className: 'method', attrs: { 'aria-label': 'Method' } },
    ...METHODS.map((m) => h('option', { text: m, attrs: { value: m } })),
  );
  private readonly url = h('input', {
    className: 'url',
    attrs: { type: 'text', 'aria-label': 'URL', placeholder: 'http://127.0.0.1:8000/stream', spellcheck: 'false' },
  });
  private readonly body = h('textarea', {
    className: 'body',
    attrs: { 'aria-label': 'Body (JSON)', rows: '3', placeholder: '{"prompt": "Hello"}', spellcheck: 'false' },
  });
  private readonly headers = h('textarea', {
    className: 'headers',
    attrs: { 'aria-label': 'Headers', rows: '3', placeholder: 'Authorization: Bearer …', spellcheck: 'false' },
  });
  private readonly sendButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly reconnectButton: HTMLButtonElement;
  private readonly status = h('div', { className: 'status', attrs: { role: 'status' } });
  private readonly warnings = h('div', { className: 'warnings' });
  private readonly hiddenNote = h('div', { className: 'hidden-note' });
  private readonly eventList = h('div', { className: 'event-list', attrs: { role: 'log', 'aria-label': 'Events' } });
  private readonly text = h('pre', { className: 'assembled-text' });
  private readonly textNote = h('div', { className: 'hidden-note text-note' });
  /** Characters of assembled text in the DOM: only the tail is shown (see TEXT_SHOWN). */
  private textShown = 0;
  private readonly textTitle = h('span', { text: 'Assembled text' });
  private readonly protocolBadge = h('span', {
    className: 'badge protocol-badge',
    title: 'The protocol the stream speaks, detected from its headers and events',
  });
  private readonly reasoningSection = h('div', { className: 'reasoning-section' });
  private readonly reasoning = h('pre', { className: 'reasoning-text' });
  private readonly reasoningNote = h('div', { className: 'hidden-note' });
  private readonly toolSection = h('div', { className: 'tool-section' });
  private readonly toolList = h('ol', { className: 'tool-calls' });
  private readonly toolNote = h('div', { className: 'hidden-note' });
  private readonly stats = h('dl', { className: 'stats' });
  private readonly counts = h('div', { className: 'counts' });
  private readonly chart = h('canvas', { className: 'gap-chart', attrs: { width: '360', height: '56', 'aria-label': 'Gaps between events' } });
  private readonly headerChecks = h('ul', { className: 'header-checks' });
  private readonly responseHeaders = h('table', { className: 'response-headers' });
  /** Highest seq rendered in the event list. */
  private renderedSeq = -1;
  private drawnGaps: readonly number[] | undefined;
  private renderedResponse: Model['response'] | undefined;
  private stickToBottom = true;

  constructor(
    root: HTMLElement,
    private readonly actions: ViewActions,
  ) {
    this.sendButton = button('Send', 'play', () => actions.send(this.request()));
    this.sendButton.classList.add('primary');
    this.stopButton = button('Stop', 'debug-stop', () => actions.stop());
    this.reconnectButton = button('Reconnect', 'debug-restart', () => actions.reconnect(this.request()), 'Send the request again with Last-Event-ID');
    this.url.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        actions.send(this.request());
      }
    });
    // Follow new events unless the user scrolled away from the bottom. Only scrolls right after user input count:
    // our own scrolling, and the browser's scroll anchoring when old rows are dropped, must not flip it.
    let lastInput = 0;
    for (const type of ['wheel', 'pointerdown', 'keydown', 'touchstart']) {
      this.eventList.addEventListener(type, () => (lastInput = performance.now()), { passive: true });
    }
    this.eventList.addEventListener('scroll', () => {
      if (performance.now() - lastInput < 1000) {
        const list = this.eventList;
        this.stickToBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
      }
    });
    // One listener for every row's JSON toggle (rows come and go 20,000 times a second).
    this.eventList.addEventListener('click', (e) => {
      const cell = (e.target as Element).closest('.event-data.json');
      if (cell instanceof HTMLElement) {
        toggleJson(cell);
      }
    });
    this.eventList.addEventListener('keydown', (e) => {
      const cell = (e.target as Element).closest('.event-data.json');
      if (cell instanceof HTMLElement && (e.key === 'Enter' || e.key === ' ')) {
        e.preventDefault();
        toggleJson(cell);
      }
    });
    root.append(
      h(
        'form',
        { className: 'request-bar', attrs: { 'aria-label': 'Request' } },
        h(
          'div',
          { className: 'request-line' },
          this.method,
          this.url,
          this.sendButton,
          this.stopButton,
          this.reconnectButton,
          button('Clear', 'clear-all', () => actions.clear()),
          button('Export', 'save', () => actions.exportTranscript(), 'Export the transcript as .jsonl'),
        ),
        h(
          'details',
          { className: 'request-details' },
          h('summary', { text: 'Body and headers' }),
          h(
            'div',
            { className: 'request-fields' },
            h('label', { text: 'Body (JSON)' }, this.body),
            h('label', { text: 'Headers (Name: value, one a line)' }, this.headers),
          ),
        ),
      ),
      this.status,
      this.warnings,
      h(
        'main',
        { className: 'columns' },
        h('section', { className: 'events-column' }, h('h2', {}, icon('list-unordered'), h('span', { text: 'Events' })), this.hiddenNote, this.eventList),
        h(
          'section',
          { className: 'side-column' },
          h('h2', {}, icon('symbol-string'), this.textTitle, this.protocolBadge),
          this.textNote,
          this.text,
          this.reasoningSection,
          this.toolSection,
          h('h2', {}, icon('graph'), h('span', { text: 'Timing' })),
          this.stats,
          this.counts,
          this.chart,
          h('h2', {}, icon('checklist'), h('span', { text: 'Response headers' })),
          this.headerChecks,
          this.responseHeaders,
        ),
      ),
    );
    this.reasoningSection.append(h('h2', {}, icon('lightbulb'), h('span', { text: 'Reasoning' })), this.reasoningNote, this.reasoning);
    this.toolSection.append(h('h2', {}, icon('tools'), h('span', { text: 'Tool calls' })), this.toolList, this.toolNote);
    this.reasoningSection.hidden = true;
    this.toolSection.hidden = true;
    this.protocolBadge.hidden = true;
    root.querySelector('form')?.addEventListener('submit', (e) => e.preventDefault());
  }

  /** The request as the bar shows it. */
  request(): StreamRequest {
    const headers: [string, string][] = [];
    for (const line of this.headers.value.split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) {
        headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
      }
    }
    const body = this.body.value.trim();
    return { url: this.url.value.trim(), method: this.method.value, headers, ...(body ? { body } : {}) };
  }

  setRequest(request: StreamRequest): void {
    this.method.value = METHODS.includes(request.method.toUpperCase()) ? request.method.toUpperCase() : 'GET';
    this.url.value = request.url;
    this.body.value = request.body ?? '';
    this.headers.value = request.headers.map(([name, value]) => `${name}: ${value}`).join('\n');
  }

  render(model: Model, changes: Changes): void {
    // Read layout before any DOM write: a read after a write forces a synchronous layout, every frame.
    const textAtEnd = this.text.scrollHeight - this.text.scrollTop - this.text.clientHeight < 24;
    const list = this.eventList;
    const listBehind = this.stickToBottom && list.scrollHeight - list.scrollTop - list.clientHeight > 1;
    if (changes.all) {
      this.setRequest(model.request);
      this.eventList.replaceChildren();
      this.renderedSeq = -1;
      this.appendEvents(model.events, EVENT_WINDOW);
    } else if (changes.events) {
      this.appendEvents(changes.events, ROWS_PER_FRAME);
    }
    this.renderText(model, changes, textAtEnd);
    if (changes.all || changes.parts) {
      this.renderParts(model);
    }
    setText(this.hiddenNote, model.hidden > 0 ? `${model.hidden.toLocaleString('en-US')} earlier events hidden (the transcript export has them)` : '');
    this.hiddenNote.hidden = model.hidden === 0;
    setText(this.textTitle, model.textFormat ? `Assembled text · ${FORMAT_NAMES[model.textFormat] ?? model.textFormat}` : 'Assembled text');
    this.renderStatus(model);
    this.renderWarnings(model);
    this.renderStats(model);
    this.renderHeaders(model);
    const running = model.status.kind === 'connecting' || model.status.kind === 'streaming';
    this.stopButton.disabled = !running;
    this.sendButton.disabled = running;
    this.reconnectButton.disabled = running || model.run === 0;
    // Last, after every write above (a note or warning appearing shrinks the list): follow the newest event.
    // Past the end: the browser clamps it, with one layout for the whole frame's changes.
    if (this.stickToBottom && (changes.all || changes.events || listBehind)) {
      list.scrollTop = Number.MAX_SAFE_INTEGER;
    }
  }

  /** The protocol badge, the reasoning (its tail) and the tool calls: redrawn when they change. */
  private renderParts(model: Model): void {
    this.protocolBadge.hidden = model.protocol === null;
    setText(this.protocolBadge, model.protocol ?? '');
    this.protocolBadge.title = model.protocol ? `Protocol: ${PROTOCOL_NAMES[model.protocol] ?? model.protocol}` : '';
    this.protocolBadge.dataset.protocol = model.protocol ?? '';
    this.reasoningSection.hidden = model.reasoning === '';
    const shown = model.reasoning.slice(-PART_SHOWN);
    setText(this.reasoning, shown);
    const hidden = model.reasoningDropped + model.reasoning.length - shown.length;
    setText(this.reasoningNote, hidden > 0 ? `${hidden.toLocaleString('en-US')} earlier characters not shown` : '');
    this.reasoningNote.hidden = hidden <= 0;
    this.toolSection.hidden = model.toolCalls.length === 0;
    this.toolList.replaceChildren(...model.toolCalls.map(toolCallItem));
    setText(this.toolNote, model.toolCallsOmitted > 0 ? `…and ${model.toolCallsOmitted.toLocaleString('en-US')} more (not kept)` : '');
    this.toolNote.hidden = model.toolCallsOmitted === 0;
  }

  /**
   * The assembled text, its tail only: laying out a megabyte of wrapping text on every frame would freeze the
   * panel. Appends while the shown part is under twice TEXT_SHOWN, then cuts back to TEXT_SHOWN (amortised).
   */
  private renderText(model: Model, changes: Changes, atEnd: boolean): void {
    const appended = changes.text === undefined || changes.text === 'reset' ? undefined : changes.text.appended;
    if (changes.all || changes.text === 'reset' || (appended !== undefined && this.textShown + appended.length > 2 * TEXT_SHOWN)) {
      const tail = model.text.slice(-TEXT_SHOWN);
      this.text.textContent = tail;
      this.textShown = tail.length;
    } else if (appended !== undefined) {
      this.text.append(appended);
      this.textShown += appended.length;
    } else {
      return;
    }
    const hidden = model.textDropped + model.text.length - this.textShown;
    setText(this.textNote, hidden > 0 ? `${hidden.toLocaleString('en-US')} earlier characters not shown` : '');
    this.textNote.hidden = hidden <= 0;
    // Follow the text as it grows, unless the user scrolled up to read.
    if (atEnd) {
      this.text.scrollTop = this.text.scrollHeight;
    }
  }

  /**
   * Adds rows for events not yet shown, at most `limit` (the newest), and drops the oldest rows beyond
   * EVENT_WINDOW. Events past the limit get one gap row that says how many: at 20,000 events/s nobody reads
   * each row, and drawing them all would take the frame.
   */
  private appendEvents(events: readonly EventView[], limit: number): void {
    const fresh = events.filter((e) => e.seq > this.renderedSeq);
    if (fresh.length === 0) {
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
    this.renderedSeq = fresh[fresh.length - 1]!.seq;
    this.eventList.append(fragment);
    const excess = this.eventList.childElementCount - EVENT_WINDOW;
    if (excess > 0) {
      // One range deletion instead of `excess` single removals.
      const range = document.createRange();
      range.setStartBefore(this.eventList.firstElementChild!);
      range.setEndBefore(this.eventList.children[excess]!);
      range.deleteContents();
    }
  }

  private renderStatus(model: Model): void {
    const s = model.status;
    const line = (iconName: string, kind: string, text: string, ...extra: Node[]) => {
      if (this.status.className !== `status status-${kind}`) {
        this.status.className = `status status-${kind}`;
      }
      rebuild(this.status, `${iconName}|${extra.length}`, () => [icon(iconName), h('span', { className: 'status-text' }), ...extra]);
      setText(this.status.children[1] as HTMLElement, text);
    };
    const events = model.stats?.events ?? 0;
    switch (s.kind) {
      case 'idle':
        return line('info', 'idle', 'Enter a URL and press Send.');
      case 'connecting':
        return line('loading', 'running', `Connecting to ${model.request.url}…`);
      case 'streaming':
        return line('pulse', 'running', `Streaming · ${events.toLocaleString('en-US')} events`);
      case 'completed':
        return line('pass', 'ok', `Stream ended normally · ${events.toLocaleString('en-US')} events`);
      case 'stopped':
        return line('debug-stop', 'idle', `Stopped · ${events.toLocaleString('en-US')} events`);
      case 'failed': {
        const extra: Node[] = [];
        if (s.failure.kind === 'connection-refused') {
          extra.push(button('Start Dev Server', 'server-process', () => this.actions.startServer()));
        }
        return line('error', 'error', s.failure.message, ...extra);
      }
    }
  }

  private renderWarnings(model: Model): void {
    const b = model.buffering;
    const key = `${b ? `${b.burstEvents}@${b.atMs}` : ''}|${model.textError ?? ''}|${model.notices.length}+${model.noticesOmitted}`;
    rebuild(this.warnings, key, () => this.warningItems(model));
  }

  private warningItems(model: Model): Node[] {
    const items: Node[] = [];
    if (model.buffering) {
      const b = model.buffering;
      items.push(
        h(
          'div',
          { className: 'callout callout-warning buffering-warning' },
          h(
            'div',
            { className: 'callout-title' },
            icon('warning'),
            h('span', {
              text: `Buffering suspected: ${b.burstEvents} events arrived in one burst after ${formatMs(b.silenceMs)} of silence (at ${formatMs(b.atMs)}).`,
            }),
          ),
          h('div', { text: 'Something between the generator and this client is holding events back. Usual causes:' }),
          h('ul', {}, ...b.causes.map((cause) => h('li', { text: cause }))),
        ),
      );
    }
    if (model.textError) {
      items.push(h('div', { className: 'callout callout-error' }, icon('error'), h('span', { text: `The stream reported an error: ${model.textError}` })));
    }
    if (model.notices.length > 0) {
      const more = model.noticesOmitted > 0 ? [h('li', { text: `…and ${model.noticesOmitted} more` })] : [];
      items.push(
        h(
          'details',
          { className: 'callout callout-info notices' },
          h('summary', { text: `${model.notices.length + model.noticesOmitted} stream notice(s)` }),
          h('ul', {}, ...model.notices.map((n) => h('li', { text: n.message })), ...more),
        ),
      );
    }
    return items;
  }

  private renderStats(model: Model): void {
    const s = model.stats;
    const rows: [string, string][] = [
      ['Headers', formatMs(model.response ? (s?.headersMs ?? null) : null)],
      ['First byte', formatMs(s?.firstByteMs ?? null)],
      ['First token', formatMs(s?.firstTokenMs ?? null)],
      ['Tokens/s', s?.tokensPerSecond != null ? s.tokensPerSecond.toFixed(1) : '–'],
      ['Events', (s?.events ?? 0).toLocaleString('en-US')],
      ['Tokens', (s?.tokens ?? 0).toLocaleString('en-US')],
      ['Comments', (s?.comments ?? 0).toLocaleString('en-US')],
      ['Chunks', (s?.chunks ?? 0).toLocaleString('en-US')],
      ['Bytes', formatSize(s?.bytes ?? 0)],
      ['Longest gap', formatMs(s ? s.maxGapMs : null)],
    ];
    if (s?.retryMs != null) {
      rows.push(['retry', `${s.retryMs} ms`]);
    }
    // The rows are stable (only `retry` may join): rebuild on a new set of names, else update the values in place.
    rebuild(this.stats, rows.map(([name]) => name).join('|'), () =>
      rows.flatMap(([name]) => [h('dt', { text: name }), h('dd', { attrs: { 'data-stat': name } })]),
    );
    rows.forEach(([, value], i) => setText(this.stats.children[i * 2 + 1] as HTMLElement, value));
    // The host lists the most frequent types only (stats.ts SHOWN_TYPES) and sums the rest: one "others" badge.
    const counts = Object.entries(s?.countsByType ?? {});
    const others = s?.otherEvents ?? 0;
    rebuild(this.counts, `${counts.map(([type]) => type).join('\u0000')}${others > 0 ? '\u0000\u0001others' : ''}`, () => [
      ...counts.map(([type]) => h('span', { className: 'badge', attrs: { 'data-type': type } })),
      ...(others > 0
        ? [h('span', { className: 'badge badge-others', title: 'Too many event types to list: the most frequent are shown, the rest are counted together' })]
        : []),
    ]);
    counts.forEach(([type, count], i) => setText(this.counts.children[i] as HTMLElement, `${type} ${count.toLocaleString('en-US')}`));
    if (others > 0) {
      setText(this.counts.children[counts.length] as HTMLElement, `others ${others.toLocaleString('en-US')} (truncated)`);
    }
    if (s?.recentGapsMs !== this.drawnGaps) {
      this.drawnGaps = s?.recentGapsMs;
      this.drawGaps(s?.recentGapsMs ?? []);
    }
  }

  private drawGaps(gaps: readonly number[]): void {
    const context = this.chart.getContext('2d');
    if (context === null) {
      return;
    }
    const { width, height } = this.chart;
    context.clearRect(0, 0, width, height);
    if (gaps.length === 0) {
      return;
    }
    const style = getComputedStyle(document.body);
    context.fillStyle = style.getPropertyValue('--vscode-charts-blue').trim() || style.color;
    const max = Math.max(...gaps, 1);
    // Bars at most 6 px wide, newest at the right edge: a few gaps should not look like a histogram.
    const barWidth = Math.min(6, width / gaps.length);
    const left = width - barWidth * gaps.length;
    gaps.forEach((gap, i) => {
      // Square-root scale: one long silence should not flatten every other bar.
      const barHeight = Math.max(1, Math.sqrt(gap / max) * (height - 2));
      context.fillRect(left + i * barWidth, height - barHeight, Math.max(1, barWidth - 1), barHeight);
    });
    this.chart.title = `Gaps between the last ${gaps.length} events; longest ${formatMs(max)}`;
  }

  private renderHeaders(model: Model): void {
    const response = model.response;
    if (response === this.renderedResponse) {
      return;
    }
    this.renderedResponse = response;
    if (response === null) {
      this.headerChecks.replaceChildren();
      this.responseHeaders.replaceChildren();
      return;
    }
    const iconFor = { ok: 'pass', info: 'info', warning: 'warning', error: 'error' } as const;
    this.headerChecks.replaceChildren(
      ...(response.redirects ?? []).map((redirect) =>
        h(
          'li',
          { className: `check check-${redirect.crossOrigin ? 'warning' : 'info'}`, attrs: { 'data-redirect': redirect.to } },
          icon(redirect.crossOrigin ? 'warning' : 'info'),
          h('strong', { text: 'Redirect' }),
          h('span', { text: redirectText(redirect) }),
        ),
      ),
      ...response.checks.map((check) =>
        h(
          'li',
          { className: `check check-${check.level}`, attrs: { 'data-header': check.header } },
          icon(iconFor[check.level]),
          h('strong', { text: check.header }),
          h('span', { text: check.message }),
        ),
      ),
    );
    this.responseHeaders.replaceChildren(
      h('caption', { text: `HTTP ${response.status}` }),
      ...response.headers.map(([name, value]) => h('tr', {}, h('th', { text: name }), h('td', { text: value }))),
    );
  }
}

/**
 * One row: time, type, id, data, as inline spans in a fixed-height block (no grid or flex: a row's layout is
 * one line box). Cheap to build: four elements, no listeners.
 */
/** One tool call: its name and id, whether its arguments are complete, and the arguments (pretty once parsed). */
function toolCallItem(call: ToolCallView): HTMLElement {
  let args = call.arguments;
  if (call.done && 'input' in call) {
    args = JSON.stringify(call.input, null, 2);
  }
  const cut = args.length > PART_SHOWN ? `${args.slice(0, PART_SHOWN)}… (${formatSize(args.length)})` : args;
  const dropped = call.argumentsDropped ? ` … (${call.argumentsDropped.toLocaleString('en-US')} more characters not kept)` : '';
  return h(
    'li',
    { className: `tool-call ${call.done ? 'tool-call-done' : 'tool-call-streaming'}`, attrs: { 'data-id': call.id } },
    h(
      'div',
      { className: 'tool-call-head' },
      h('strong', { className: 'tool-call-name', text: call.name }),
      h('span', { className: 'tool-call-id', text: call.id }),
      h('span', { className: 'badge tool-call-state', text: call.done ? 'complete' : 'streaming…' }),
    ),
    h('pre', { className: 'tool-call-arguments', text: cut + dropped }),
  );
}

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
