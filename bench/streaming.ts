/**
 * `npm run bench -- streaming`: the generated streaming module on a real uvicorn (one worker, loopback), side by
 * side with the anchors users would compare it with, in one run:
 *
 * - raw: a plain StreamingResponse of the same pre-encoded bytes (the ceiling);
 * - encode-floor: each token encoded as the module does, in a generator of its own, over a plain StreamingResponse
 *   (no keep-alive, fairness or explicit close): the least any design over a token generator can cost;
 * - module: stream_tokens + streaming_response;
 * - sse-starlette: its EventSourceResponse with JSONServerSentEvent;
 * - fastapi.sse: FastAPI's own SSE (response_class=EventSourceResponse, yielding ServerSentEvent).
 *
 * All of them stream the same token events from the same never-awaiting generator
 * (test/fixtures/streaming/bench_app.py), checked equivalent on the wire before anything is measured. Each runs
 * under uvicorn with uvloop + httptools and with asyncio + h11.
 *
 * The protocol encoders of the same module, each against the raw limit of its own wire format (its output for the
 * same tokens, pre-encoded, over a plain StreamingResponse), in the same rounds:
 * - ui_message_stream (the Vercel AI SDK UI message stream: start, text-start, a text-delta per token, text-end,
 *   finish, [DONE]) vs its pre-encoded bytes;
 * - openai_chat_completion_stream (chat.completion.chunk per token, the finish chunk, [DONE]) vs its pre-encoded
 *   bytes. Target: each >= 0.80x its raw limit per CPU-s. Their events per second count the token events only.
 *
 * - Throughput: events per CPU-second of the server (its cost alone; holds up on a shared machine where other
 *   processes take the CPU in turns) and per wall-clock second, the contenders interleaved in every round, the
 *   ratio to raw taken inside each round, medians over the rounds. Target: module >= 0.90x raw per CPU-second
 *   and ahead of both libraries.
 * - First-event latency: from opening the connection to the first complete event, requests interleaved across
 *   the contenders; median and p95.
 * - Memory: the server's RSS growth over one long stream per contender.
 *
 * Then the module alone, under uvloop + httptools: yield-to-client latency with a generator that awaits, and
 * fairness with one that never awaits.
 *
 * A contender or server flavour that the stack lacks (the oldest stack has neither library, nor uvloop or
 * httptools) is reported as missing and the rest still runs. CATALYST_BENCH_STACK=oldest runs on the oldest stack;
 * CATALYST_BENCH_QUICK=1 does a tenth of the work, to check that the bench runs.
 *
 * Clients are a raw socket that only counts bytes (throughput, memory, first event) and node:http with
 * eventsource-parser (equivalence, latency), so the client is never the bottleneck of the server it measures.
 */
import { copyFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Benchmark } from './benchmark';
import { residentKb } from '../test/support/processMemory';
import { pythonStack, type StackName } from '../test/support/python';
import { rawStream } from '../test/support/rawStream';
import { STREAMING_FIXTURES, writeStreamingApp } from '../test/support/streamingApp';
import { makeTempDir } from '../test/support/tempdir';
import { startUvicorn, type RunningServer } from '../test/support/uvicorn';
import { wallClockMs } from '../test/support/wire';

/** CATALYST_BENCH_QUICK=1: a tenth of the work, to check that the bench runs (its figures mean little). */
const SCALE = process.env.CATALYST_BENCH_QUICK ? 0.1 : 1;
/** Each throughput stream is sized to take about this much server CPU (calibrated per contender)... */
const THROUGHPUT_CPU_SECONDS = 1 * SCALE;
/** ...within these bounds, in events. */
const THROUGHPUT_EVENTS = { min: 20_000 * SCALE, max: 300_000 * SCALE };
const WARM_UP_EVENTS = 10_000 * SCALE;
const THROUGHPUT_ROUNDS = 5;
const FIRST_EVENT_REQUESTS = 60 * SCALE;
const MEMORY_EVENTS = 300_000 * SCALE;
const MEMORY_FROM_EVENTS = MEMORY_EVENTS / 10;
const LATENCY_EVENTS = 300;
const FAIRNESS_EVENTS = 3_000_000;
const SECOND_REQUESTS = 10;
const TARGET_RATIO = 0.9;
/** Issue 10's target for the protocol encoders, each against its own pre-encoded limit. */
const PROTOCOL_TARGET_RATIO = 0.8;

type ContenderKey = 'raw' | 'encode-floor' | 'module' | 'sse-starlette' | 'fastapi.sse' | 'ui-raw' | 'ui-message' | 'openai-raw' | 'openai-chunks';

interface Contender {
  readonly key: ContenderKey;
  readonly label: string;
  readonly path: string;
  /** The pre-encoded stream of the same wire format that its "vs raw" ratio is taken against. */
  readonly limit: ContenderKey;
}

const CONTENDERS: readonly Contender[] = [
  { key: 'raw', label: 'raw StreamingResponse, pre-encoded (ceiling)', path: '/raw', limit: 'raw' },
  { key: 'encode-floor', label: 'encode-only floor: token encoding over a plain StreamingResponse', path: '/encode-floor', limit: 'raw' },
  { key: 'module', label: 'generated module: stream_tokens + streaming_response', path: '/tokens', limit: 'raw' },
  { key: 'sse-starlette', label: 'sse-starlette EventSourceResponse', path: '/sse-starlette', limit: 'raw' },
  { key: 'fastapi.sse', label: 'FastAPI fastapi.sse EventSourceResponse', path: '/fastapi-sse', limit: 'raw' },
  { key: 'ui-raw', label: 'ai-sdk: UI message stream, pre-encoded (its ceiling)', path: '/ui-message-raw', limit: 'ui-raw' },
  { key: 'ui-message', label: 'ai-sdk: ui_message_stream + streaming_response', path: '/ui-message', limit: 'ui-raw' },
  { key: 'openai-raw', label: 'openai: chat.completion.chunk stream, pre-encoded (its ceiling)', path: '/openai-chunks-raw', limit: 'openai-raw' },
  { key: 'openai-chunks', label: 'openai: openai_chat_completion_stream + streaming_response', path: '/openai-chunks', limit: 'openai-raw' },
];

/** How a contender's stream for N tokens is framed: events before the first token event and after the last. */
interface Framing {
  readonly before: number;
  readonly after: number;
  readonly bytesPerEvent: number;
}

interface ServerFlavour {
  readonly label: string;
  readonly args: readonly string[];
  /** Python modules uvicorn needs for it. */
  readonly needs: readonly string[];
}

const FLAVOURS: readonly ServerFlavour[] = [
  { label: 'uvloop + httptools', args: ['--loop', 'uvloop', '--http', 'httptools'], needs: ['uvloop', 'httptools'] },
  { label: 'asyncio + h11', args: ['--loop', 'asyncio', '--http', 'h11'], needs: ['h11'] },
];

/** The events every contender of our own protocol must send for ?count=3, as an SSE client sees them. */
const EXPECTED_EVENT = { event: 'token', data: { text: 'tok' } };

/** Fields that differ between two streams of the same encoder (ids, timestamps); not compared. */
const VOLATILE_FIELDS = new Set(['id', 'created', 'messageId']);

interface ContenderFigures {
  readonly contender: Contender;
  readonly cpuRate: number;
  readonly wallRate: number;
  /** Median over the rounds of (this contender's events per CPU-s / its limit's, in the same round). */
  readonly cpuRatio: number;
  readonly firstEventMs: readonly number[];
  readonly rssGrowthKb: number;
  readonly bytesPerEvent: number;
}

interface FlavourResult {
  readonly flavour: ServerFlavour;
  /** Absent when the stack cannot run this flavour, with why. */
  readonly skipped?: string;
  readonly figures: readonly ContenderFigures[];
  readonly missing: Readonly<Record<string, string>>;
  readonly versions: Readonly<Record<string, string>>;
}

export const streamingBenchmark: Benchmark = {
  name: 'streaming',
  description:
    'generated streaming module vs raw StreamingResponse, sse-starlette and fastapi.sse on uvicorn (uvloop+httptools, asyncio+h11), and its ai-sdk and openai protocol encoders vs their own pre-encoded limits: events per CPU-s, first-token latency, RSS; then the module alone: yield-to-client latency, fairness',
  async run() {
    const stackName = (process.env.CATALYST_BENCH_STACK ?? 'current') as StackName;
    const stack = pythonStack(stackName);
    const python = (await stack.interpreter()).command;
    const dir = await makeTempDir('bench-streaming');
    try {
      await writeStreamingApp(dir);
      await copyFile(path.join(STREAMING_FIXTURES, 'bench_app.py'), path.join(dir, 'bench_app.py'));
      const loadBefore = os.loadavg()[0]!;
      const results: FlavourResult[] = [];
      for (const flavour of FLAVOURS) {
        const absent = [];
        for (const module of flavour.needs) {
          if (!(await stack.has(module))) absent.push(module);
        }
        if (absent.length > 0) {
          results.push({ flavour, skipped: `${absent.join(', ')} not installed`, figures: [], missing: {}, versions: {} });
          continue;
        }
        results.push(await withServer(dir, python, flavour.args, (server) => compareContenders(server, flavour)));
      }
      const loadAfter = os.loadavg()[0]!;
      printComparison(stackName, python, results, [loadBefore, loadAfter]);

      const moduleFlavour = FLAVOURS.find((f) => !results.find((r) => r.flavour === f)?.skipped) ?? FLAVOURS[FLAVOURS.length - 1]!;
      process.stdout.write(`\n### The generated module alone (${moduleFlavour.label})\n\n`);
      const rows = await withServer(dir, python, moduleFlavour.args, async (server) => [...(await latency(server)), ...(await fairness(server))]);
      printTable(['measure', 'value', 'comparison / target'], rows);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

async function withServer<T>(dir: string, python: string, extraArgs: readonly string[], use: (server: RunningServer) => Promise<T>): Promise<T> {
  const server = await startUvicorn({ cwd: dir, app: 'bench_app:app', python, extraArgs });
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}

async function compareContenders(server: RunningServer, flavour: ServerFlavour): Promise<FlavourResult> {
  const { missing, versions } = await getJson<{ missing: Record<string, string>; versions: Record<string, string> }>(server, '/contenders');
  const present = CONTENDERS.filter((c) => missing[c.key] === undefined && missing[c.limit] === undefined);
  const framings = new Map<Contender, Framing>();
  const events = new Map<Contender, number>();
  for (const contender of present) {
    const limit = present.find((c) => c.key === contender.limit)!;
    const framing = await checkEquivalent(server, contender, limit);
    framings.set(contender, framing);
    // Warm-up (the first requests of a route build its models and caches), which also sizes the measured streams:
    // the slowest library would otherwise take minutes per stream.
    await countedStream(server, contender, framing, WARM_UP_EVENTS);
    const cpuBefore = await cpuSeconds(server);
    await countedStream(server, contender, framing, WARM_UP_EVENTS);
    const rate = WARM_UP_EVENTS / ((await cpuSeconds(server)) - cpuBefore);
    const sized = Math.round((rate * THROUGHPUT_CPU_SECONDS) / 1000) * 1000;
    events.set(contender, Math.min(THROUGHPUT_EVENTS.max, Math.max(THROUGHPUT_EVENTS.min, sized)));
  }
  process.stderr.write(`bench streaming (${flavour.label}): ${present.map((c) => c.key).join(', ')} send equivalent events; measuring\n`);

  const cpu = new Map<Contender, number[]>(present.map((c) => [c, []]));
  const wall = new Map<Contender, number[]>(present.map((c) => [c, []]));
  const ratios = new Map<Contender, number[]>(present.map((c) => [c, []]));
  for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
    // Rotate the order every round so that no contender always follows the same one.
    const order = present.map((_, i) => present[(i + round) % present.length]!);
    const cpuThisRound = new Map<Contender, number>();
    for (const contender of order) {
      const count = events.get(contender)!;
      const cpuBefore = await cpuSeconds(server);
      const elapsedMs = await countedStream(server, contender, framings.get(contender)!, count);
      const cpuUsed = (await cpuSeconds(server)) - cpuBefore;
      cpuThisRound.set(contender, count / cpuUsed);
      cpu.get(contender)!.push(count / cpuUsed);
      wall.get(contender)!.push(count / (elapsedMs / 1000));
    }
    for (const contender of present) {
      const limit = cpuThisRound.get(present.find((c) => c.key === contender.limit)!)!;
      ratios.get(contender)!.push(cpuThisRound.get(contender)! / limit);
    }
  }

  const firstEvent = new Map<Contender, number[]>(present.map((c) => [c, []]));
  for (let i = 0; i < FIRST_EVENT_REQUESTS; i++) {
    for (const contender of present) firstEvent.get(contender)!.push(await firstEventMs(server, contender, framings.get(contender)!));
  }

  const pid = (await getJson<{ pid: number }>(server, '/info')).pid;
  const figures: ContenderFigures[] = [];
  for (const contender of present) {
    figures.push({
      contender,
      cpuRate: median(cpu.get(contender)!),
      wallRate: median(wall.get(contender)!),
      cpuRatio: median(ratios.get(contender)!),
      firstEventMs: [...firstEvent.get(contender)!].sort((a, b) => a - b),
      rssGrowthKb: await rssGrowth(server, contender, framings.get(contender)!, pid),
      bytesPerEvent: framings.get(contender)!.bytesPerEvent,
    });
  }
  return { flavour, figures, missing, versions };
}

/**
 * Streams 3 tokens from the contender and checks an SSE client sees the expected events: our token events, or for a
 * protocol encoder the same events as its pre-encoded limit (ids and timestamps aside), 3 of them with the token.
 */
async function checkEquivalent(server: RunningServer, contender: Contender, limit: Contender): Promise<Framing> {
  const { events, body } = await parsedStream(server, contender);
  const seen = events.map((e) => ({ event: e.event, data: parseData(e.data) }));
  const tokenAt = seen.flatMap((e, i) => (JSON.stringify(e.data).includes('"tok"') ? [i] : []));
  const framing = { before: tokenAt[0] ?? 0, after: seen.length - 1 - (tokenAt.at(-1) ?? 0), bytesPerEvent: Buffer.byteLength(body) / seen.length };
  if (limit.key === 'raw') {
    if (seen.length !== 3 || !seen.every((e) => isDeepStrictEqual(e, EXPECTED_EVENT))) {
      throw new Error(`${contender.key} does not send the expected token events: ${JSON.stringify(body)}`);
    }
    return framing;
  }
  const expected = (await parsedStream(server, limit)).events.map((e) => ({ event: e.event, data: parseData(e.data) }));
  if (tokenAt.length !== 3 || tokenAt[2]! - tokenAt[0]! !== 2 || !isDeepStrictEqual(seen.map(stable), expected.map(stable))) {
    throw new Error(`${contender.key} does not send the events of ${limit.key}: ${JSON.stringify(body)}`);
  }
  return framing;
}

/** An event's data as JSON when it is JSON (not `[DONE]`), without the fields that change from stream to stream. */
function parseData(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (VOLATILE_FIELDS.has(k) ? [] : [[k, stable(v)]])));
  }
  return value;
}

async function parsedStream(server: RunningServer, contender: Contender): Promise<{ events: EventSourceMessage[]; body: string }> {
  const events: EventSourceMessage[] = [];
  const body = await new Promise<string>((resolve, reject) => {
    http
      .get(`${server.baseUrl}${contender.path}?count=3`, { agent: false }, (response) => {
        let text = '';
        const parser = createParser({ onEvent: (event) => events.push(event) });
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          parser.feed(chunk);
        });
        response.on('end', () => resolve(text));
        response.on('error', reject);
      })
      .on('error', reject);
  });
  return { events, body };
}

/** Streams `count` tokens from the contender and returns the wall-clock ms it took; throws unless all arrived. */
async function countedStream(server: RunningServer, contender: Contender, framing: Framing, count: number): Promise<number> {
  const result = await rawStream(server.port, `${contender.path}?count=${count}`);
  const expected = framing.before + count + framing.after;
  if (!result.complete || result.events !== expected) {
    throw new Error(`${contender.path}: ${result.events} of ${expected} events, complete=${result.complete}`);
  }
  return result.elapsedMs;
}

/** From opening the connection to the first complete token event of a one-token stream, in ms. */
async function firstEventMs(server: RunningServer, contender: Contender, framing: Framing): Promise<number> {
  const start = performance.now();
  let firstAt: number | undefined;
  const result = await rawStream(server.port, `${contender.path}?count=1`, ({ events }) => {
    if (events >= framing.before + 1 && firstAt === undefined) firstAt = performance.now();
  });
  if (firstAt === undefined || !result.complete) {
    throw new Error(`${contender.path}?count=1: no event (${result.events} events, complete=${result.complete})`);
  }
  return firstAt - start;
}

/** The server's RSS growth from a tenth of the way into one long stream to its last hundredth, in kB. */
async function rssGrowth(server: RunningServer, contender: Contender, framing: Framing, pid: number): Promise<number> {
  const samples: number[] = [];
  const checkpoints = [MEMORY_FROM_EVENTS, MEMORY_EVENTS - MEMORY_EVENTS / 100];
  const expected = framing.before + MEMORY_EVENTS + framing.after;
  const result = await rawStream(server.port, `${contender.path}?count=${MEMORY_EVENTS}`, ({ events }) => {
    while (checkpoints.length > 0 && events >= checkpoints[0]!) {
      checkpoints.shift();
      samples.push(residentKb(pid));
    }
  });
  if (!result.complete || result.events !== expected || samples.length !== 2) {
    throw new Error(`${contender.path}: ${result.events} of ${expected} events, complete=${result.complete}`);
  }
  return samples[1]! - samples[0]!;
}

async function cpuSeconds(server: RunningServer): Promise<number> {
  return (await getJson<{ seconds: number }>(server, '/cpu')).seconds;
}

function printComparison(stackName: string, python: string, results: readonly FlavourResult[], load: readonly [number, number]): void {
  const versions = results.find((r) => !r.skipped)?.versions ?? {};
  const cpus = os.cpus();
  process.stdout.write(
    [
      `Stack: ${stackName} (${python}): ${Object.entries(versions)
        .map(([name, version]) => `${name} ${version}`)
        .join(', ')}.`,
      `Machine: ${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${os.platform()} ${os.release()}, shared (load average ${load[0].toFixed(1)} at the start, ${load[1].toFixed(1)} at the end); one uvicorn worker, client on loopback.`,
      `Events: 'event: token' + data {"text":"tok"} (the ai-sdk and openai rows: their own event per token, "vs its raw" against their own pre-encoded bytes) from a generator that never awaits; throughput over ${THROUGHPUT_ROUNDS} interleaved rounds of streams sized to ~${THROUGHPUT_CPU_SECONDS} CPU-s each (${fmt(THROUGHPUT_EVENTS.min)}-${fmt(THROUGHPUT_EVENTS.max)} events; medians), first event over ${FIRST_EVENT_REQUESTS} requests each, RSS from ${fmt(MEMORY_FROM_EVENTS)} to ${fmt(MEMORY_EVENTS - MEMORY_EVENTS / 100)} events of one stream.`,
      '',
      '',
    ].join('\n'),
  );
  const rows: string[][] = [];
  const verdicts: string[] = [];
  for (const result of results) {
    if (result.skipped) {
      rows.push([result.flavour.label, '(not run)', `skipped: ${result.skipped}`, '', '', '', '', '', '']);
      verdicts.push(`${result.flavour.label}: not run (${result.skipped}).`);
      continue;
    }
    for (const f of result.figures) {
      rows.push([
        result.flavour.label,
        f.contender.label,
        fmt(f.cpuRate),
        `${f.cpuRatio.toFixed(2)}x`,
        fmt(f.wallRate),
        `${quantile(f.firstEventMs, 0.5).toFixed(2)} ms`,
        `${quantile(f.firstEventMs, 0.95).toFixed(2)} ms`,
        `${f.rssGrowthKb >= 0 ? '+' : ''}${fmt(f.rssGrowthKb)} kB`,
        f.bytesPerEvent.toFixed(0),
      ]);
    }
    for (const contender of CONTENDERS) {
      const why = result.missing[contender.key];
      if (why !== undefined) rows.push([result.flavour.label, contender.label, `missing: ${why}`, '', '', '', '', '', '']);
    }
    verdicts.push(verdict(result));
  }
  printTable(
    ['server', 'contender', 'events / CPU-s', 'vs its raw', 'events / s (wall)', 'first token p50', 'first token p95', 'RSS growth', 'bytes / event'],
    rows,
  );
  process.stdout.write(`\n${verdicts.map((v) => `- ${v}`).join('\n')}\n`);
}

/**
 * Where the module stands on one server flavour: >= TARGET_RATIO x raw per CPU-s and ahead of each library present.
 * Every comparison is between ratios to raw (medians of per-round ratios), so that they agree with the table.
 */
function verdict(result: FlavourResult): string {
  const byKey = (key: ContenderKey) => result.figures.find((f) => f.contender.key === key);
  const module = byKey('module')!;
  const parts = [
    `module ${module.cpuRatio.toFixed(2)}x raw per CPU-s (target >= ${TARGET_RATIO.toFixed(2)}x): ${module.cpuRatio >= TARGET_RATIO ? 'OK' : 'BELOW TARGET'}`,
  ];
  const floor = byKey('encode-floor');
  if (floor !== undefined) {
    parts.push(`the encode-only floor is ${floor.cpuRatio.toFixed(2)}x raw, the module ${(module.cpuRatio / floor.cpuRatio).toFixed(2)}x the floor`);
  }
  for (const key of ['sse-starlette', 'fastapi.sse'] as const) {
    const library = byKey(key);
    if (library === undefined) {
      parts.push(`${key} missing, not compared`);
    } else {
      const lead = module.cpuRatio / library.cpuRatio;
      parts.push(`${lead.toFixed(2)}x ${key} (${lead > 1 ? 'ahead' : 'NOT AHEAD'})`);
    }
  }
  for (const [key, name] of [
    ['ui-message', 'ui_message_stream'],
    ['openai-chunks', 'openai_chat_completion_stream'],
  ] as const) {
    const encoder = byKey(key);
    parts.push(
      encoder === undefined
        ? `${name} missing (${result.missing[key] ?? 'not measured'})`
        : `${name} ${encoder.cpuRatio.toFixed(2)}x its raw limit per CPU-s (target >= ${PROTOCOL_TARGET_RATIO.toFixed(2)}x): ${encoder.cpuRatio >= PROTOCOL_TARGET_RATIO ? 'OK' : 'BELOW TARGET'}`,
    );
  }
  return `${result.flavour.label}: ${parts.join('; ')}.`;
}

async function latency(server: RunningServer): Promise<string[][]> {
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
    ['yield -> event at client, median', `${p50.toFixed(2)} ms`, `target < 5 ms ${p50 < 5 ? 'OK' : 'ABOVE TARGET'}`],
    ['yield -> event at client, p95', `${quantile(sorted, 0.95).toFixed(2)} ms`, `${delays.length} events, 5 ms apart`],
  ];
}

async function fairness(server: RunningServer): Promise<string[][]> {
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
    [
      'never-awaiting stream: 2nd request waits',
      `median ${median(during).toFixed(1)} ms, max ${Math.max(...during).toFixed(1)} ms`,
      `idle server: median ${median(idle).toFixed(1)} ms; behind a plain StreamingResponse: ${behindRaw[0]?.toFixed(0)} ms`,
    ],
    [
      'never-awaiting stream: disconnect',
      `stopped ${fmt(beyond)} events past the last received`,
      `generator closed ${(closed.closedAtMs - closedAt).toFixed(1)} ms after hang-up; ${fmt(closed.produced)} of ${fmt(FAIRNESS_EVENTS)} produced (${streamed.events} received)`,
    ],
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
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en');
}

/** Prints a markdown table, columns padded to their widest cell. */
function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  process.stdout.write([line(headers), rule, ...rows.map(line)].join('\n') + '\n');
}
