/**
 * `npm run bench -- streaming`: the generated streaming module on a real uvicorn (one worker, loopback).
 *
 * - Throughput: stream_tokens + streaming_response over a zero-delay generator against a plain StreamingResponse
 *   of the same pre-encoded bytes (the practical limit), alternated, median of several rounds, per wall-clock
 *   second and per CPU-second of the server. Target >= 0.8x.
 * - Latency: from the generator yielding (it sends its own time.time() as the token) to the event arriving at
 *   the client. Target: median < 5 ms.
 * - Memory: the server's RSS over 1,000,000 events with include_done off.
 * - Fairness, with a generator that never awaits: how long a second request waits while it streams (against
 *   the same request on an idle server, and behind a plain StreamingResponse), and how many events the
 *   generator produced past the last one the client received when the client hung up.
 *
 * Clients are a raw socket that only counts bytes (throughput, memory) and node:http with eventsource-parser
 * (latency), so the client is never the bottleneck of the server it measures.
 */
import { copyFile, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { createParser } from 'eventsource-parser';
import type { Benchmark } from './index';
import { residentKb } from '../test/support/processMemory';
import { rawStream } from '../test/support/rawStream';
import { STREAMING_FIXTURES, writeStreamingApp } from '../test/support/streamingApp';
import { makeTempDir } from '../test/support/tempdir';
import { startUvicorn, type RunningServer } from '../test/support/uvicorn';
import { wallClockMs } from '../test/support/wire';

const THROUGHPUT_EVENTS = 300_000;
const THROUGHPUT_ROUNDS = 3;
const LATENCY_EVENTS = 300;
const MEMORY_EVENTS = 1_000_000;
const FAIRNESS_EVENTS = 3_000_000;
const SECOND_REQUESTS = 10;

export const streamingBenchmark: Benchmark = {
  name: 'streaming',
  description: 'generated streaming module on uvicorn: events/s vs raw StreamingResponse, yield-to-client latency, RSS, fairness',
  async run() {
    const dir = await makeTempDir('bench-streaming');
    let server: RunningServer | undefined;
    try {
      await writeStreamingApp(dir);
      await copyFile(path.join(STREAMING_FIXTURES, 'bench_app.py'), path.join(dir, 'bench_app.py'));
      server = await startUvicorn({ cwd: dir, app: 'bench_app:app' });
      const rows: Row[] = [];
      rows.push(...(await throughput(server)));
      rows.push(...(await latency(server)));
      rows.push(...(await memory(server)));
      rows.push(...(await fairness(server)));
      printTable(rows);
    } finally {
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

interface Row {
  readonly measure: string;
  readonly value: string;
  readonly comparison: string;
}

async function throughput(server: RunningServer): Promise<Row[]> {
  // Wall-clock events/s is what a client sees; events per CPU-second of the server is the module's cost alone,
  // and holds up better on a shared machine, where other processes take the CPU in turns.
  const wall = { raw: [] as number[], tokens: [] as number[] };
  const cpu = { raw: [] as number[], tokens: [] as number[] };
  for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
    for (const kind of ['raw', 'tokens'] as const) {
      const cpuBefore = await cpuSeconds(server);
      const result = await rawStream(server.port, `/${kind}?count=${THROUGHPUT_EVENTS}`);
      const cpuUsed = (await cpuSeconds(server)) - cpuBefore;
      if (!result.complete || result.events !== THROUGHPUT_EVENTS) {
        throw new Error(`/${kind}: ${result.events} events, complete=${result.complete}`);
      }
      wall[kind].push(THROUGHPUT_EVENTS / (result.elapsedMs / 1000));
      cpu[kind].push(THROUGHPUT_EVENTS / cpuUsed);
    }
  }
  const ratio = median(wall.tokens) / median(wall.raw);
  const cpuRatio = median(cpu.tokens) / median(cpu.raw);
  return [
    {
      measure: 'raw StreamingResponse, pre-encoded bytes',
      value: `${fmt(median(wall.raw))} events/s (${fmt(median(cpu.raw))}/CPU-s)`,
      comparison: '1.00x (the limit)',
    },
    {
      measure: 'stream_tokens + streaming_response',
      value: `${fmt(median(wall.tokens))} events/s (${fmt(median(cpu.tokens))}/CPU-s)`,
      comparison: `${ratio.toFixed(2)}x raw wall, ${cpuRatio.toFixed(2)}x per CPU-s (target >= 0.80x) ${ratio >= 0.8 ? 'OK' : 'BELOW TARGET'}`,
    },
  ];
}

async function cpuSeconds(server: RunningServer): Promise<number> {
  return (await getJson<{ seconds: number }>(server, '/cpu')).seconds;
}

async function latency(server: RunningServer): Promise<Row[]> {
  const delays: number[] = [];
  await new Promise<void>((resolve, reject) => {
    const request = http.get(`${server.baseUrl}/stamped?count=${LATENCY_EVENTS}&interval=0.005`, { agent: false }, (response) => {
      let arrival = 0;
      const parser = createParser({
        onEvent: (event) => {
          const yieldedAt = Number((JSON.parse(event.data) as { text: string }).text) * 1000;
          delays.push(arrival - yieldedAt);
        },
      });
      response.setEncoding('utf8');
      response.on('data', (text: string) => {
        arrival = wallClockMs();
        parser.feed(text);
      });
      response.on('end', resolve);
      response.on('error', reject);
    });
    request.on('error', reject);
  });
  const sorted = [...delays].sort((a, b) => a - b);
  const p50 = quantile(sorted, 0.5);
  return [
    { measure: 'yield -> event at client, median', value: `${p50.toFixed(2)} ms`, comparison: `target < 5 ms ${p50 < 5 ? 'OK' : 'ABOVE TARGET'}` },
    { measure: 'yield -> event at client, p95', value: `${quantile(sorted, 0.95).toFixed(2)} ms`, comparison: `${delays.length} events, 5 ms apart` },
  ];
}

async function memory(server: RunningServer): Promise<Row[]> {
  const pid = (await getJson<{ pid: number }>(server, '/info')).pid;
  const samples: number[] = [];
  const checkpoints = [100_000, MEMORY_EVENTS - 10_000];
  const result = await rawStream(server.port, `/tokens?count=${MEMORY_EVENTS}`, ({ events }) => {
    while (checkpoints.length > 0 && events >= checkpoints[0]!) {
      checkpoints.shift();
      samples.push(residentKb(pid));
    }
  });
  const [atStart = 0, atEnd = 0] = samples;
  return [
    {
      measure: `server RSS, 100k -> ${MEMORY_EVENTS / 1000}k events`,
      value: `${fmt(atStart)} -> ${fmt(atEnd)} kB`,
      comparison: `+${fmt(atEnd - atStart)} kB (${result.events} events, include_done off)`,
    },
  ];
}

async function fairness(server: RunningServer): Promise<Row[]> {
  const idle = await secondRequestWaits(server, SECOND_REQUESTS);

  // The module's response, with a generator that never awaits.
  const name = randomUUID();
  let during: number[] = [];
  let receivedAtClose = 0;
  let closedAt = 0;
  let measuring: Promise<void> | undefined;
  const stream = rawStream(server.port, `/in-memory/${name}?count=${FAIRNESS_EVENTS}`, (progress) => {
    if (progress.events >= 100_000 && measuring === undefined) {
      measuring = secondRequestWaits(server, SECOND_REQUESTS).then((waits) => {
        during = waits;
        receivedAtClose = progress.events;
        closedAt = wallClockMs();
        progress.close();
      });
    }
  });
  const streamed = await stream;
  await measuring;
  const closed = await waitForClose(server, name);

  // For contrast: a plain StreamingResponse over the same kind of generator, no hand-back to the event loop.
  let behindRaw: number[] = [];
  let rawMeasuring: Promise<void> | undefined;
  const rawEvents = 200_000;
  await rawStream(server.port, `/raw?count=${rawEvents}`, (progress) => {
    if (progress.events >= 10_000 && rawMeasuring === undefined) {
      rawMeasuring = secondRequestWaits(server, 1).then((waits) => {
        behindRaw = waits;
      });
    }
  });
  await rawMeasuring;

  const beyond = closed.produced - receivedAtClose;
  return [
    {
      measure: 'never-awaiting stream: 2nd request waits',
      value: `median ${median(during).toFixed(1)} ms, max ${Math.max(...during).toFixed(1)} ms`,
      comparison: `idle server: median ${median(idle).toFixed(1)} ms; behind a plain StreamingResponse: ${behindRaw[0]?.toFixed(0)} ms`,
    },
    {
      measure: 'never-awaiting stream: disconnect',
      value: `stopped ${fmt(beyond)} events past the last received`,
      comparison: `generator closed ${(closed.closedAtMs - closedAt).toFixed(1)} ms after hang-up; ${fmt(closed.produced)} of ${fmt(FAIRNESS_EVENTS)} produced (${streamed.events} received)`,
    },
  ];
}

/** Times `count` sequential GET /ping requests, each on a fresh connection. */
async function secondRequestWaits(server: RunningServer, count: number): Promise<number[]> {
  const waits: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await getJson(server, '/ping');
    waits.push(performance.now() - start);
  }
  return waits;
}

async function waitForClose(server: RunningServer, name: string): Promise<{ produced: number; closedAtMs: number }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await getJson<{ produced: number; closed_at: number | null }>(server, `/runs/${name}`);
    if (status.closed_at !== null) {
      return { produced: status.produced, closedAtMs: status.closed_at * 1000 };
    }
    if (Date.now() > deadline) {
      throw new Error('the never-awaiting generator was not closed within 30 s of the disconnect');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function getJson<T>(server: RunningServer, urlPath: string): Promise<T> {
  return new Promise((resolve, reject) => {
    http
      .get(`${server.baseUrl}${urlPath}`, { agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (text: string) => (body += text));
        response.on('end', () => resolve(JSON.parse(body) as T));
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en');
}

function printTable(rows: readonly Row[]): void {
  const headers: Row = { measure: 'measure', value: 'value', comparison: 'ratio / target' };
  const width = (key: keyof Row) => Math.max(...[headers, ...rows].map((r) => r[key].length));
  const line = (r: Row) => `| ${r.measure.padEnd(width('measure'))} | ${r.value.padEnd(width('value'))} | ${r.comparison.padEnd(width('comparison'))} |`;
  const rule = `|${'-'.repeat(width('measure') + 2)}|${'-'.repeat(width('value') + 2)}|${'-'.repeat(width('comparison') + 2)}|`;
  process.stdout.write([line(headers), rule, ...rows.map(line)].join('\n') + '\n');
}
