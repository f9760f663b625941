/** Timing and counts: the stats table, a badge per event type, and the chart of the gaps between events. */
import type { PreviewModel as Model } from '../protocol/preview';
import { formatMs, formatSize, h, rebuild, setText } from './dom';

export class TimingView {
  readonly stats = h('dl', { className: 'stats' });
  readonly counts = h('div', { className: 'counts' });
  readonly chart = h('canvas', { className: 'gap-chart', attrs: { width: '360', height: '56', 'aria-label': 'Gaps between events' } });
  private drawnGaps: readonly number[] | undefined;

  render(model: Model): void {
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
    rows.forEach(([, value], i) => setText(this.stats.children[i * 2 + 1], value));
    // The host lists the most frequent types only (stats.ts SHOWN_TYPES) and sums the rest: one "others" badge.
    const counts = Object.entries(s?.countsByType ?? {});
    const others = s?.otherEvents ?? 0;
    rebuild(this.counts, `${counts.map(([type]) => type).join('\u0000')}${others > 0 ? '\u0000\u0001others' : ''}`, () => [
      ...counts.map(([type]) => h('span', { className: 'badge', attrs: { 'data-type': type } })),
      ...(others > 0
        ? [h('span', { className: 'badge badge-others', title: 'Too many event types to list: the most frequent are shown, the rest are counted together' })]
        : []),
    ]);
    counts.forEach(([type, count], i) => setText(this.counts.children[i], `${type} ${count.toLocaleString('en-US')}`));
    if (others > 0) {
      setText(this.counts.children[counts.length], `others ${others.toLocaleString('en-US')} (truncated)`);
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
}
