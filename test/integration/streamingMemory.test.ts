/**
 * Constant memory: 1,000,000 token events through stream_tokens with include_done off, while the test reads the
 * uvicorn process's resident set size from /proc/PID/status as the events arrive. The tokens are all distinct
 * strings, so a module that kept them (or the events) would grow by tens of MB; flat means nothing is retained.
 * Runs without coverage.py, whose tracing would only make it slower.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PYTHON_STACKS, type PythonStack } from '../support/python';
import { startStreamingApp, type StreamingApp } from '../support/streamingApp';
import { residentKb } from '../support/processMemory';
import { rawStream } from '../support/rawStream';
import { getJson } from '../support/wire';

const TOTAL = 1_000_000;
const BASELINE_AT = 100_000;
/** Growth allowed between 100k and 1M events: allocator noise, far below the ~60 MB that keeping the tokens costs. */
const MAX_GROWTH_KB = 8 * 1024;

for (const stack of PYTHON_STACKS) {
  describe(`generated streaming module memory (stream_tokens, include_done off) ${stack.tag}`, function () {
    this.timeout(180_000);
    memorySuite(stack);
  });
}

function memorySuite(stack: PythonStack): void {
  let app: StreamingApp;

  before(async () => {
    app = await startStreamingApp({ stack });
  });

  after(async () => {
    await app?.stop();
  });

  it(`keeps the server's RSS flat over ${TOTAL.toLocaleString('en')} events`, async () => {
    const { pid } = await getJson<{ pid: number }>(`${app.server.baseUrl}/info`);
    const samples: Array<{ events: number; rssKb: number }> = [];
    const checkpoints = [BASELINE_AT, 250_000, 500_000, 750_000, TOTAL - 10_000];
    // A raw socket that only counts: node:http would emit one 'data' event per HTTP chunk (a million of them)
    // and could take more CPU than the server.
    const received = await rawStream(app.server.port, `/in-memory/${randomUUID()}?count=${TOTAL}`, ({ events }) => {
      // The server is still streaming at every checkpoint: its memory is measured mid-stream, where a leak shows.
      while (checkpoints.length > 0 && events >= checkpoints[0]!) {
        checkpoints.shift();
        samples.push({ events, rssKb: residentKb(pid) });
      }
    });
    assert.deepEqual({ events: received.events, complete: received.complete }, { events: TOTAL, complete: true });
    assert.equal(samples.length, 5, 'RSS sampled at every checkpoint');
    const baseline = samples[0]!.rssKb;
    const peak = Math.max(...samples.map((s) => s.rssKb));
    const report = samples.map((s) => `${s.events}: ${s.rssKb} kB`).join(', ');
    assert.ok(peak - baseline < MAX_GROWTH_KB, `RSS grew ${peak - baseline} kB after ${BASELINE_AT} events (${report})`);
  });
}
