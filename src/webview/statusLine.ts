/** The one-line status of the run: idle, connecting, streaming, how it ended (with Start Dev Server when refused). */
import type { PreviewModel as Model } from '../protocol/preview';
import { button, h, icon, rebuild, setText } from './dom';

export class StatusLine {
  readonly element = h('div', { className: 'status', attrs: { role: 'status' } });

  constructor(private readonly startServer: () => void) {}

  render(model: Model): void {
    const s = model.status;
    const line = (iconName: string, kind: string, text: string, ...extra: Node[]) => {
      if (this.element.className !== `status status-${kind}`) {
        this.element.className = `status status-${kind}`;
      }
      rebuild(this.element, `${iconName}|${extra.length}`, () => [icon(iconName), h('span', { className: 'status-text' }), ...extra]);
      setText(this.element.children[1], text);
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
          extra.push(button('Start Dev Server', 'server-process', () => this.startServer()));
        }
        return line('error', 'error', s.failure.message, ...extra);
      }
    }
  }
}
