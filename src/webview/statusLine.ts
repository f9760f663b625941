/**
 * The one-line status of the run, one status per outcome (runOutcome in the model): idle, connecting, streaming,
 * then completed, error event, connection lost, stopped or failed (with Start Dev Server when refused). A stream
 * that reported an error is never shown as a success: the error is this line, not a box beside a green tick.
 */
import type { PreviewModel as Model } from '../protocol/preview';
import { runOutcome } from '../core/sse/preview/model';
import { button, h, icon, rebuild, setText } from './dom';

export class StatusLine {
  readonly element = h('div', { className: 'status', attrs: { role: 'status' } });

  constructor(private readonly startServer: () => void) {}

  render(model: Model): void {
    const line = (iconName: string, kind: string, text: string, ...extra: Node[]) => {
      if (this.element.className !== `status status-${kind}`) {
        this.element.className = `status status-${kind}`;
      }
      rebuild(this.element, `${iconName}|${extra.length}`, () => [icon(iconName), h('span', { className: 'status-text' }), ...extra]);
      setText(this.element.children[1], text);
    };
    const events = `${(model.stats?.events ?? 0).toLocaleString('en-US')} events`;
    const reason = model.finish?.finishReason !== undefined ? ` · finish reason ${model.finish.finishReason}` : '';
    const outcome = runOutcome(model);
    switch (outcome.kind) {
      case 'idle':
        return line('info', 'idle', 'Enter a URL and press Send.');
      case 'connecting':
        return line('loading', 'running', `Connecting to ${model.request.url}…`);
      case 'streaming':
        return line('pulse', 'running', `Streaming · ${events}`);
      case 'completed':
        return line('pass', 'ok', `Completed · ${events}${reason}`);
      case 'stopped':
        return line('debug-stop', 'stopped', `Stopped · ${events}${reason}`);
      case 'error-event':
        return line('error', 'error', `Error event · ${events}: the stream reported an error: ${outcome.message}`);
      case 'connection-lost':
        return line('debug-disconnect', 'error', `Connection lost · ${events}: ${outcome.message}`);
      case 'failed': {
        const extra: Node[] = [];
        if (outcome.failure.kind === 'connection-refused') {
          extra.push(button('Start Dev Server', 'server-process', () => this.startServer()));
        }
        return line('error', 'error', outcome.failure.message, ...extra);
      }
    }
  }
}
