/**
 * The assembled text under its heading (the text format, the protocol badge): only its tail is in the DOM, since
 * laying out a megabyte of wrapping text on every frame would freeze the panel.
 */
import type { PreviewModel as Model } from '../protocol/preview';
import type { Changes } from '../core/sse/preview/model';
import { h, icon, setText } from './dom';

/**
 * Characters of the assembled text kept in the DOM while the stream runs: a screen or two of it, since its
 * layout is redone on every append (at 20,000 events/s, 8 KB here cost a fifth of the main thread in layout,
 * `npm run bench -- preview`). Once the run is over, a longer tail to read back through.
 */
const TEXT_SHOWN_LIVE = 2 * 1024;
const TEXT_SHOWN_DONE = 16 * 1024;

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

export class TextView {
  private readonly title = h('span', { text: 'Assembled text' });
  private readonly protocolBadge = h('span', {
    className: 'badge protocol-badge',
    title: 'The protocol the stream speaks, detected from its headers and events',
  });
  readonly heading = h('h2', {}, icon('symbol-string'), this.title, this.protocolBadge);
  readonly note = h('div', { className: 'hidden-note text-note' });
  readonly text = h('pre', { className: 'assembled-text' });
  /** Characters of assembled text in the DOM: only the tail is shown (see TEXT_SHOWN_LIVE). */
  private shown = 0;
  private limit = TEXT_SHOWN_LIVE;

  constructor() {
    this.protocolBadge.hidden = true;
  }

  /** A layout read, made before the frame's writes: the user has not scrolled up from the end of the text. */
  isAtEnd(): boolean {
    return this.text.scrollHeight - this.text.scrollTop - this.text.clientHeight < 24;
  }

  render(model: Model, changes: Changes, atEnd: boolean): void {
    setText(this.title, model.textFormat ? `Assembled text · ${FORMAT_NAMES[model.textFormat] ?? model.textFormat}` : 'Assembled text');
    if (changes.all || changes.parts) {
      this.protocolBadge.hidden = model.protocol === null;
      setText(this.protocolBadge, model.protocol ?? '');
      this.protocolBadge.title = model.protocol ? `Protocol: ${PROTOCOL_NAMES[model.protocol] ?? model.protocol}` : '';
      this.protocolBadge.dataset.protocol = model.protocol ?? '';
    }
    this.renderText(model, changes, atEnd);
  }

  /** Appends while the shown part is under twice the limit, then cuts back to the limit (amortised). */
  private renderText(model: Model, changes: Changes, atEnd: boolean): void {
    const appended = changes.text === undefined || changes.text === 'reset' ? undefined : changes.text.appended;
    const running = model.status.kind === 'connecting' || model.status.kind === 'streaming';
    const limit = running ? TEXT_SHOWN_LIVE : TEXT_SHOWN_DONE;
    const grew = limit !== this.limit;
    this.limit = limit;
    if (changes.all || grew || changes.text === 'reset' || (appended !== undefined && this.shown + appended.length > 2 * limit)) {
      const tail = model.text.slice(-limit);
      this.text.textContent = tail;
      this.shown = tail.length;
    } else if (appended !== undefined) {
      this.text.append(appended);
      this.shown += appended.length;
    } else {
      return;
    }
    const hidden = model.textDropped + model.text.length - this.shown;
    setText(this.note, hidden > 0 ? `${hidden.toLocaleString('en-US')} earlier characters not shown` : '');
    this.note.hidden = hidden <= 0;
    // Follow the text as it grows, unless the user scrolled up to read.
    if (atEnd) {
      this.text.scrollTop = this.text.scrollHeight;
    }
  }
}
