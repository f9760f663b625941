/** The response's status and headers, and the verdict on each header that decides whether a stream streams. */
import type { PreviewModel as Model } from '../protocol/preview';
import { redirectText } from '../core/sse/preview/model';
import { h, icon } from './dom';

const ICON_FOR_LEVEL = { ok: 'pass', info: 'info', warning: 'warning', error: 'error' } as const;

export class ResponseHeadersView {
  readonly checks = h('ul', { className: 'header-checks' });
  readonly table = h('table', { className: 'response-headers' });
  private rendered: Model['response'] | undefined;

  render(model: Model): void {
    const response = model.response;
    if (response === this.rendered) {
      return;
    }
    this.rendered = response;
    if (response === null) {
      this.checks.replaceChildren();
      this.table.replaceChildren();
      return;
    }
    this.checks.replaceChildren(
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
          icon(ICON_FOR_LEVEL[check.level]),
          h('strong', { text: check.header }),
          h('span', { text: check.message }),
        ),
      ),
    );
    this.table.replaceChildren(
      h('caption', { text: `HTTP ${response.status}` }),
      ...response.headers.map(([name, value]) => h('tr', {}, h('th', { text: name }), h('td', { text: value }))),
    );
  }
}
