/**
 * The preview's DOM: built once from its parts (one module per job: the request bar, the status line, the
 * warnings, the event list, the assembled text, the reasoning and tool calls, timing, response headers), then
 * updated from the model once per animation frame. Event data, text, headers and messages are all set with
 * textContent / text nodes, never parsed as HTML.
 */
import type { PreviewModel as Model } from '../protocol/preview';
import type { StreamRequest } from '../protocol/stream';
import type { Changes } from '../core/sse/preview/model';
import { h, icon } from './dom';
import { EventList } from './eventList';
import { PartsView } from './partsView';
import { RequestBar, type RequestActions } from './requestBar';
import { ResponseHeadersView } from './responseHeaders';
import { StatusLine } from './statusLine';
import { TextView } from './textView';
import { TimingView } from './timing';
import { Warnings } from './warnings';

export interface ViewActions extends RequestActions {
  startServer(): void;
  /** The view needs a frame although the model did not change (the event list scrolled or was resized). */
  requestFrame(): void;
}

export class PreviewView {
  private readonly requestBar: RequestBar;
  private readonly status: StatusLine;
  private readonly warnings = new Warnings();
  private readonly events: EventList;
  private readonly text = new TextView();
  private readonly parts = new PartsView();
  private readonly timing = new TimingView();
  private readonly headers = new ResponseHeadersView();

  constructor(root: HTMLElement, actions: ViewActions) {
    this.requestBar = new RequestBar(actions);
    this.events = new EventList(() => actions.requestFrame());
    this.status = new StatusLine(() => actions.startServer());
    root.append(
      this.requestBar.element,
      this.status.element,
      this.warnings.element,
      h(
        'main',
        { className: 'columns' },
        h(
          'section',
          { className: 'events-column' },
          h('h2', {}, icon('list-unordered'), h('span', { text: 'Events' })),
          this.events.hiddenNote,
          this.events.list,
          this.events.detail,
        ),
        h(
          'section',
          { className: 'side-column' },
          this.text.heading,
          this.text.note,
          this.text.text,
          this.parts.reasoningSection,
          this.parts.toolSection,
          h('h2', {}, icon('graph'), h('span', { text: 'Timing' })),
          this.timing.stats,
          this.timing.counts,
          this.timing.chart,
          this.timing.usageSection,
          h('h2', {}, icon('checklist'), h('span', { text: 'Response headers' })),
          this.headers.checks,
          this.headers.table,
        ),
      ),
    );
  }

  /** The request as the bar shows it. */
  request(): StreamRequest {
    return this.requestBar.request();
  }

  setRequest(request: StreamRequest): void {
    this.requestBar.setRequest(request);
  }

  render(model: Model, changes: Changes): void {
    // Read layout before any DOM write: a read after a write forces a synchronous layout, every frame.
    const textAtEnd = this.text.isAtEnd();
    if (changes.all) {
      this.setRequest(model.request);
    }
    this.events.render(model, changes);
    this.text.render(model, changes, textAtEnd);
    if (changes.all || changes.parts) {
      this.parts.render(model);
    }
    this.status.render(model);
    this.warnings.render(model);
    this.timing.render(model);
    this.headers.render(model);
    this.requestBar.renderButtons(model);
  }
}
