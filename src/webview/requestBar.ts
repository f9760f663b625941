/** The request bar: method, URL, body and headers, and the buttons that send, stop, reconnect, clear and export. */
import type { PreviewModel as Model } from '../protocol/preview';
import type { StreamRequest } from '../protocol/stream';
import { button, h } from './dom';

export interface RequestActions {
  send(request: StreamRequest): void;
  stop(): void;
  reconnect(request: StreamRequest): void;
  clear(): void;
  exportTranscript(): void;
  saveRequest(request: StreamRequest): void;
  history(request: StreamRequest): void;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export class RequestBar {
  readonly element: HTMLFormElement;
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

  constructor(actions: RequestActions) {
    this.sendButton = button('Send', 'play', () => actions.send(this.request()));
    this.sendButton.classList.add('primary');
    this.stopButton = button('Stop', 'debug-stop', () => actions.stop());
    this.reconnectButton = button('Reconnect', 'debug-restart', () => actions.reconnect(this.request()), 'Send the request again with Last-Event-ID');
    this.url.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        actions.send(this.request());
      }
    });
    this.element = h(
      'form',
      { className: 'request-bar', attrs: { 'aria-label': 'Request' } },
      h(
        'div',
        { className: 'request-line' },
        this.method,
        this.url,
        // One group: on a narrow panel it wraps under the URL whole (see preview.css), the URL keeps its room.
        h(
          'div',
          { className: 'request-actions' },
          this.sendButton,
          this.stopButton,
          this.reconnectButton,
          button('Clear', 'clear-all', () => actions.clear()),
          button('Export', 'save', () => actions.exportTranscript(), 'Export the transcript as .jsonl'),
          button('Save request', 'save-as', () => actions.saveRequest(this.request()), 'Save the request to a .http file'),
          button('History', 'history', () => actions.history(this.request()), 'Recent requests'),
        ),
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
    );
    this.element.addEventListener('submit', (e) => e.preventDefault());
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

  /** Send while idle, Stop while a run is going, Reconnect after a run. */
  renderButtons(model: Model): void {
    const running = model.status.kind === 'connecting' || model.status.kind === 'streaming';
    this.stopButton.disabled = !running;
    this.sendButton.disabled = running;
    this.reconnectButton.disabled = running || model.run === 0;
  }
}
