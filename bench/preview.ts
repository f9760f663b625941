/**
 * Stream Preview at a high rate: 20,000 events/s for 10 s (200,000 events).
 *
 * 1. Host side: a loopback Node server paces the events (Python cannot produce 20k events/s on this machine
 *    while the client runs); the client is runPreview, exactly what the panel runs. Reports whether every
 *    event was counted, how many batch messages the host posted, and the host's CPU time and heap growth.
 * 2. Webview: the recorded batch messages are replayed into the webview bundle in headless Chromium at the
 *    pace they were posted, with a stand-in acquireVsCodeApi. Reports frame intervals (a frozen panel shows
 *    as long frames), long tasks, the event count the panel shows, the rendered rows and the JS heap.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { runPreview } from '../src/core/sse/preview';
import type { HostMessage } from '../src/protocol/preview';
import { launchBrowser, openWebview } from '../test/integration/webviewHarness';
import type { Benchmark } from './benchmark';

const RATE = 20_000;
const SECONDS = 10;
const TOTAL = RATE * SECONDS;

/** Serves TOTAL token events at RATE per second, in whatever chunks the pacing timer produces. */
function pacedServer(): Promise<http.Server> {
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    const start = performance.now();
    let sent = 0;
    const timer = setInterval(() => {
      const due = Math.min(TOTAL, Math.floor(((performance.now() - start) / 1000) * RATE));
      let chunk = '';
      for (; sent < due; sent++) {
        chunk += `event: token\nid: ${sent}\ndata: {"text":"t${sent} "}\n\n`;
      }
      if (chunk) {
        response.write(chunk);
      }
      if (sent >= TOTAL) {
        clearInterval(timer);
        response.end('event: done\ndata: {"token_count":200000}\n\n');
      }
    }, 2);
    response.on('close', () => clearInterval(timer));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}

function table(rows: ReadonlyArray<readonly [string, string]>): void {
  const width = Math.max(...rows.map(([name]) => name.length));
  process.stdout.write(`| ${'measure'.padEnd(width)} | value |\n|${'-'.repeat(width + 2)}|-------|\n`);
  for (const [name, value] of rows) {
    process.stdout.write(`| ${name.padEnd(width)} | ${value} |\n`);
  }
  process.stdout.write('\n');
}

async function hostSide(): Promise<{ messages: HostMessage[]; times: number[] }> {
  const server = await pacedServer();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const messages: HostMessage[] = [];
  const times: number[] = [];
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await runPreview({
    run: 1,
    request: { url, method: 'GET', headers: [] },
    post: (message) => {
      messages.push(message);
      times.push(performance.now() - started);
    },
  });
  const wall = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  server.close();
  const batches = messages.filter((m): m is Extract<HostMessage, { type: 'batch' }> => m.type === 'batch');
  const counted = batches.reduce((n, b) => n + b.events.length, 0);
  const ended = messages.find((m): m is Extract<HostMessage, { type: 'ended' }> => m.type === 'ended');
  const sizes = batches.map((b) => b.events.length).sort((a, b) => a - b);
  table([
    ['outcome', result.outcome.kind],
    ['events sent by the server', (TOTAL + 1).toLocaleString('en-US')],
    ['events in the final stats', (ended?.stats.events ?? 0).toLocaleString('en-US')],
    ['events in batch messages', counted.toLocaleString('en-US')],
    ['batch messages posted', String(batches.length)],
    ['events per batch p50 / max', `${percentile(sizes, 0.5)} / ${sizes.at(-1) ?? 0}`],
    ['wall time', `${(wall / 1000).toFixed(2)} s`],
    ['host CPU (user+system) / wall', `${(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(0)} %`],
    ['heap growth during the run (incl. recorded messages)', `${((process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024).toFixed(1)} MB`],
  ]);
  return { messages, times };
}

/** Installed in the page before the replay: records frame intervals and long tasks (plain JS: see the harness). */
const RECORDER = `(() => {
  const w = window;
  w.__frames = [];
  w.__longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) w.__longTasks.push(e.duration); }).observe({ type: 'longtask' });
  let last = performance.now();
  w.__recording = true;
  const tick = (now) => { w.__frames.push(now - last); last = now; if (w.__recording) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})()`;

interface Metrics {
  readonly TaskDuration: number;
  readonly ScriptDuration: number;
  readonly LayoutDuration: number;
  readonly RecalcStyleDuration: number;
}

async function webviewSide(messages: readonly HostMessage[], times: readonly number[]): Promise<void> {
  const browser = await launchBrowser();
  try {
    const page = await openWebview(browser, { width: 1200, height: 800 });
    const cdp = await page.page.context().newCDPSession(page.page);
    await cdp.send('Performance.enable');
    const metrics = async (): Promise<Metrics> =>
      Object.fromEntries(
        ((await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }).metrics.map((m) => [m.name, m.value]),
      ) as unknown as Metrics;
    await cdp.send('HeapProfiler.collectGarbage');
    const heapBefore = ((await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
    await page.page.evaluate(RECORDER);
    const before = await metrics();
    // Each batch crosses into the page on its own, at the time the host posted it, as VS Code delivers it.
    const start = performance.now();
    for (let i = 0; i < messages.length; i++) {
      const wait = start + times[i]! - performance.now();
      if (wait > 1) {
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      await page.deliver([messages[i]!]);
    }
    await page.page.waitForSelector('.status-ok', { timeout: 30_000 });
    const seconds = (performance.now() - start) / 1000;
    const after = await metrics();
    const { frames, longTasks } = (await page.page.evaluate(
      '(() => { window.__recording = false; return { frames: window.__frames, longTasks: window.__longTasks }; })()',
    )) as {
      frames: number[];
      longTasks: number[];
    };
    const shown = await page.page.locator('dd[data-stat="Events"]').textContent();
    // The list is virtualised: rows in view plus a few; pooled rows with no event are hidden.
    const rows = await page.page.locator('.event-row:not([hidden])').count();
    const hidden = await page.page.locator('.events-column .hidden-note').textContent();
    await cdp.send('HeapProfiler.collectGarbage');
    const heapAfter = ((await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
    const sorted = [...frames].sort((a, b) => a - b);
    const busy = (name: keyof Metrics) => `${(((after[name] - before[name]) / seconds) * 100).toFixed(0)} %`;
    const streamSeconds = (times.at(-1) ?? 0) / 1000;
    table([
      ['stream duration (when the host posted its last message)', `${streamSeconds.toFixed(2)} s`],
      ['replay duration (until the panel shows the end)', `${seconds.toFixed(2)} s`],
      ['drawing time / stream time (1.00 = real time)', (seconds / streamSeconds).toFixed(2)],
      ['frames rendered', `${frames.length} (${(frames.length / seconds).toFixed(0)} per second)`],
      [
        'frame interval p50 / p95 / max',
        `${percentile(sorted, 0.5).toFixed(1)} / ${percentile(sorted, 0.95).toFixed(1)} / ${(sorted.at(-1) ?? 0).toFixed(1)} ms`,
      ],
      ['frames longer than 50 ms', String(frames.filter((f) => f > 50).length)],
      ['long tasks (> 50 ms): count / longest', `${longTasks.length} / ${Math.max(0, ...longTasks).toFixed(0)} ms`],
      [
        'renderer main thread busy: all / script / layout / style',
        `${busy('TaskDuration')} / ${busy('ScriptDuration')} / ${busy('LayoutDuration')} / ${busy('RecalcStyleDuration')}`,
      ],
      ['events the panel counts', shown ?? ''],
      ['event rows shown in the DOM', String(rows)],
      ['hidden note', hidden ?? ''],
      ['JS heap after GC: before / after', `${(heapBefore / 1024 / 1024).toFixed(1)} / ${(heapAfter / 1024 / 1024).toFixed(1)} MB`],
    ]);
    await page.close();
  } finally {
    await browser.close();
  }
}

export const previewBenchmark: Benchmark = {
  name: 'preview',
  description: `Stream Preview at ${RATE.toLocaleString('en-US')} events/s for ${SECONDS} s: host batching, then the webview in headless Chromium`,
  async run() {
    process.stdout.write('### Host: runPreview against a paced loopback server\n\n');
    const { messages, times } = await hostSide();
    process.stdout.write('### Webview: the recorded messages replayed at their pace in headless Chromium\n\n');
    await webviewSide(messages, times);
  },
};
