/**
 * The callouts above the columns: suspected buffering and the stream's notices. An error the stream reported is
 * the status line's (one status per outcome), not a callout of its own.
 */
import type { PreviewModel as Model } from '../protocol/preview';
import { formatMs, h, icon, rebuild } from './dom';

export class Warnings {
  readonly element = h('div', { className: 'warnings' });

  render(model: Model): void {
    const b = model.buffering;
    const key = `${b ? `${b.burstEvents}@${b.atMs}` : ''}|${model.notices.length}+${model.noticesOmitted}`;
    rebuild(this.element, key, () => warningItems(model));
  }
}

function warningItems(model: Model): Node[] {
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
