/**
 * Timing and counts: the stats table, a badge per event type, the chart of the gaps between events (with its
 * axes labelled: arrival time across, the gap up), and the usage and finish reason the stream reported.
 */
import type { PreviewModel as Model } from '../protocol/preview';
import type { StreamFinish } from '../protocol/stream';
import { formatMs, formatSize, h, icon, rebuild, setText } from './dom';

export class TimingView {
  readonly stats = h('dl', { className: 'stats' });
  readonly counts = h('div', { className: 'counts' });
  private readonly canvas = h('canvas', { className: 'gap-chart', attrs: { role: 'img', 'aria-label': 'Gaps between events' } });
  private readonly yMax = h('span', { className: 'gap-y-max' });
  private readonly xStart = h('span', { className: 'gap-x-start' });
  /** The chart with its axes: the y axis (gap, ms) on the left, the x axis (arrival time) below. */
  readonly chart = h(
    'figure',
    { className: 'gap-figure' },
    h(
      'div',
      { className: 'gap-y-axis' },
      this.yMax,
      h('span', { className: 'gap-axis-title gap-y-title', text: 'gap (ms, √ scale)' }),
      h('span', { text: '0' }),
    ),
    this.canvas,
    h(
      'div',
      { className: 'gap-x-axis' },
      this.xStart,
      h('span', { className: 'gap-axis-title gap-x-title', text: 'time (arrival of each event)' }),
      h('span', { text: 'latest' }),
    ),
  );
  readonly usageSection = h('div', { className: 'usage-section' });
  private readonly usage = h('dl', { className: 'stats usage' });
  private drawnGaps: readonly number[] | undefined;
  private drawnFinish: StreamFinish | null | undefined;

  constructor() {
    this.usageSection.append(h('h2', {}, icon('symbol-numeric'), h('span', { text: 'Usage (as the stream reported it)' })), this.usage);
    this.usageSection.hidden = true;
    // The canvas draws at its laid-out size (crisp at any panel width), redrawn when that changes.
    new ResizeObserver(([entry]) => {
      const width = Math.round((entry?.contentRect.width ?? 0) * devicePixelRatio);
      const height = Math.round((entry?.contentRect.height ?? 0) * devicePixelRatio);
      if (width > 0 && (this.canvas.width !== width || this.canvas.height !== height)) {
        this.canvas.width = width;
        this.canvas.height = height;
        this.drawGaps(this.drawnGaps ?? []);
      }
    }).observe(this.canvas);
  }

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
    statRows(this.stats, rows);
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
    if (model.finish !== this.drawnFinish) {
      this.drawnFinish = model.finish;
      this.renderUsage(model.finish);
    }
  }

  /** The finish reason, the model and each usage count the stream gave; the section is hidden until it gives one. */
  private renderUsage(finish: StreamFinish | null): void {
    const u = finish?.usage;
    const count = (n: number | undefined) => (n === undefined ? undefined : n.toLocaleString('en-US'));
    const all: ReadonlyArray<readonly [string, string | undefined]> = [
      ['Input tokens', count(u?.inputTokens)],
      ['Output tokens', count(u?.outputTokens)],
      ['Cached input', count(u?.cachedInputTokens)],
      ['Reasoning tokens', count(u?.reasoningTokens)],
      ['Total tokens', count(u?.totalTokens)],
      ['Finish reason', finish?.finishReason],
      ['Model', finish?.model],
    ];
    const rows = all.filter((row): row is readonly [string, string] => row[1] !== undefined);
    this.usageSection.hidden = rows.length === 0;
    statRows(this.usage, rows);
  }

  /**
   * Bars placed by arrival time (the sum of the gaps before them), newest at the right edge, so a silence shows
   * as empty space before a tall bar; heights on a square-root scale, so one long silence does not flatten the rest.
   */
  private drawGaps(gaps: readonly number[]): void {
    const context = this.canvas.getContext('2d');
    if (context === null) {
      return;
    }
    const { width, height } = this.canvas;
    context.clearRect(0, 0, width, height);
    const max = Math.max(0, ...gaps);
    const span = gaps.reduce((sum, gap) => sum + gap, 0);
    setText(this.yMax, gaps.length > 0 ? formatMs(max) : '–');
    setText(this.xStart, gaps.length > 0 ? `−${formatMs(span)}` : '');
    this.canvas.setAttribute(
      'aria-label',
      gaps.length > 0 ? `Gaps between the last ${gaps.length + 1} events, over ${formatMs(span)}; longest ${formatMs(max)}` : 'Gaps between events: none yet',
    );
    if (gaps.length === 0 || width === 0) {
      return;
    }
    const style = getComputedStyle(document.body);
    context.fillStyle = style.getPropertyValue('--vscode-charts-blue').trim() || style.color;
    const barWidth = Math.max(1, Math.min(6 * devicePixelRatio, width / gaps.length) - 1);
    let t = 0;
    gaps.forEach((gap, i) => {
      t += gap;
      // Evenly spaced when the gaps are all zero (one burst): their order is all there is to show.
      const x = (span > 0 ? t / span : (i + 1) / gaps.length) * (width - barWidth);
      const barHeight = Math.max(1, max > 0 ? Math.sqrt(gap / max) * (height - 1) : 1);
      context.fillRect(x, height - barHeight, barWidth, barHeight);
    });
  }
}

/** A dt/dd list: rebuilt when the names change, else its values updated in place (they change every frame). */
function statRows(list: HTMLElement, rows: ReadonlyArray<readonly [string, string]>): void {
  rebuild(list, rows.map(([name]) => name).join('|'), () => rows.flatMap(([name]) => [h('dt', { text: name }), h('dd', { attrs: { 'data-stat': name } })]));
  rows.forEach(([, value], i) => setText(list.children[i * 2 + 1], value));
}
