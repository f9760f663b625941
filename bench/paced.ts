/**
 * `npm run bench -- paced`: the shape of real LLM traffic, not a flood. Many streams at once on one uvicorn
 * worker, each sending 50 tokens a second (paced by its generator, as a model's API paces it), compared with a
 * plain Starlette `StreamingResponse` paced and formatted the same (the same bytes per event):
 *
 * - CPU per million events: the server process's CPU time over the events the clients received;
 * - delay: from the moment the generator yields a token (its text carries the server's wall clock then) to the
 *   moment the client reads it (same machine, same clock), p50/p99 over every event of every stream; and from
 *   the moment the token was due (its paced time), which adds the server's lag: a saturated worker yields late;
 * - stretch: how long the streams took over how long they were paced to take (1.00: the worker keeps up).
 *
 * Contenders: plain Starlette; the package's `streaming_response(stream_tokens(...))`; the route as the planner
 * writes it (the source handed to its on_finish hook by `with_on_finish`, and the done event); resumable on
 * Redis. They are interleaved in every round and the CPU ratio to plain is taken inside each round. Then plain
 * and the route are run at growing numbers of streams, to report how many one worker holds with p99 <= 50
 * ms. CATALYST_BENCH_QUICK=1 runs fewer and shorter streams. The client runs on the same machine.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeGeneratedStreaming } from '../test/support/streamingPackage';
import { pythonStack } from '../test/support/python';
import { startRedis } from '../test/support/redis';
import { makeTempDir } from '../test/support/tempdir';
import { startUvicorn, type RunningServer } from '../test/support/uvicorn';
import type { Benchmark } from './benchmark';

const QUICK = Boolean(process.env.CATALYST_BENCH_QUICK);
const RATE = 50;
const SECONDS = QUICK ? 2 : 6;
const ROUNDS = QUICK ? 1 : 3;
const LEVELS = QUICK ? [100, 400] : [400, 1000];
const CAPACITY_LEVELS = QUICK ? [200, 600] : [200, 400, 600, 800, 1000, 1200];
const P99_GOAL_MS = 50;
/** Before each run the server must have used under this share of a core over SETTLE_MS (at most SETTLE_TRIES looks). */
const IDLE_CPU_SHARE = 0.05;
const SETTLE_MS = 250;
const SETTLE_TRIES = 40;
/** New connections are spread over this long, as real users arrive. */
const RAMP_MS = 1_000;

const APP = `import asyncio
import os
import time
from collections.abc import AsyncIterator

from fastapi import FastAPI
from starlette.responses import StreamingResponse

from streaming.events import json_dumps
from streaming.finish import FinishResult
from streaming.lifecycle import with_on_finish
from streaming.resumable.redis_store import RedisStreamStore
from streaming.resumable.response import resumable_response
from streaming.response import streaming_response
from streaming.tokens import stream_tokens

app = FastAPI()
REDIS = RedisStreamStore.from_url(os.environ["BENCH_REDIS_URL"])
_START = b'event: token\\ndata: {"text":'


async def paced(count: int, rate: float) -> AsyncIterator[str]:
    """count tokens, rate a second, each "<due>/<yielded>": the wall clock when
    it was due (as a model's API would send it) and when it was yielded."""
    start, start_wall = time.monotonic(), time.time()
    for index in range(1, count + 1):
        delay = start + index / rate - time.monotonic()
        await asyncio.sleep(max(delay, 0.0))
        yield f"{start_wall + index / rate:.6f}/{time.time():.6f}"


async def formatted(count: int, rate: float) -> AsyncIterator[bytes]:
    async for token in paced(count, rate):
        yield _START + json_dumps(token) + b"}\\n\\n"


@app.get("/starlette")
async def starlette(count: int, rate: float) -> StreamingResponse:
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    events = formatted(count, rate)
    return StreamingResponse(events, media_type="text/event-stream", headers=headers)


@app.get("/package")
async def package(count: int, rate: float):
    return streaming_response(stream_tokens(paced(count, rate), include_done=False))


async def on_stream_finish(result: FinishResult) -> None:
    pass


@app.get("/route")
async def route(count: int, rate: float):
    # As the planner writes a route: the answer handed to its on_finish hook.
    answer = with_on_finish(paced(count, rate), on_stream_finish, on_disconnect="cancel")
    return streaming_response(stream_tokens(answer))


@app.get("/redis")
async def redis(count: int, rate: float):
    events = lambda: stream_tokens(paced(count, rate), include_done=False)  # noqa: E731
    return resumable_response(events, store=REDIS)


@app.get("/cpu")
async def cpu() -> dict[str, float]:
    return {"seconds": time.process_time()}
`;

const CONTENDERS = ['starlette', 'package', 'route', 'redis'] as const;
/**
 * The Redis contender runs up to this many streams: at 1,000 it cost 2.7 ms of CPU per event on 12-07 (over 13
 * minutes of CPU per run), which kept the others' rounds from ever finishing on a shared machine.
 */
const REDIS_MAX_STREAMS = 400;
/** Run at growing numbers of streams: the plain response, and the route as users get it. */
const CAPACITY_CONTENDERS = ['starlette', 'route'] as const;
type Contender = (typeof CONTENDERS)[number];

interface Run {
  readonly events: number;
  readonly expected: number;
  readonly incomplete: number;
  readonly cpuSeconds: number;
  readonly delaysMs: Float64Array;
  /** From when each token was due (its paced time) to the client: includes the server's lag. */
  readonly dueDelaysMs: Float64Array;
  readonly stretch: number;
}

export const pacedBenchmark: Benchmark = {
  name: 'paced',
  description: `${RATE} tokens/s per stream, many streams on one worker: CPU per million events vs a plain Starlette StreamingResponse, p99 yield-to-client delay`,
  async run() {
    const dir = await makeTempDir('bench-paced');
    await writeGeneratedStreaming(dir);
    await mkdir(path.join(dir, 'app'), { recursive: true });
    await writeFile(path.join(dir, 'app', '__init__.py'), '');
    await writeFile(path.join(dir, 'app', 'main.py'), APP);
    const redis = await startRedis();
    const server = await startUvicorn({ cwd: dir, app: 'app.main:app', stack: pythonStack('current'), env: { BENCH_REDIS_URL: redis.url } });
    try {
      await run(server, 'starlette', 50); // warm up
      await run(server, 'package', 50);
      await run(server, 'route', 50);
      await compare(server);
      await capacity(server);
    } finally {
      await server.stop();
      await redis.stop();
    }
    process.stdout.write(
      `\n(current stack, one uvicorn worker, ${RATE} tokens/s per stream for ${SECONDS} s, ${ROUNDS} round(s); client on the same machine)\n`,
    );
  },
};

async function compare(server: RunningServer): Promise<void> {
  process.stdout.write(
    '| streams | response | CPU µs per event | CPU per event vs plain (median, range) | yield to client p50 / p99 | due to client p99 | stretch | incomplete |\n|---:|---|---:|---:|---:|---:|---:|---:|\n',
  );
  for (const streams of LEVELS) {
    const runs = new Map<Contender, Run[]>(CONTENDERS.map((c) => [c, []]));
    const ratios = new Map<Contender, number[]>(CONTENDERS.map((c) => [c, []]));
    const contenders = CONTENDERS.filter((c) => c !== 'redis' || streams <= REDIS_MAX_STREAMS);
    for (let round = 0; round < ROUNDS; round++) {
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!);
      const thisRound = new Map<Contender, Run>();
      for (const contender of order) {
        const result = await run(server, contender, streams);
        thisRound.set(contender, result);
        runs.get(contender)!.push(result);
      }
      for (const contender of contenders) {
        ratios.get(contender)!.push(perEvent(thisRound.get(contender)!) / perEvent(thisRound.get('starlette')!));
      }
    }
    for (const contender of contenders) {
      const all = runs.get(contender)!;
      const delays = concat(all.map((r) => r.delaysMs));
      const dueDelays = concat(all.map((r) => r.dueDelaysMs));
      const ratio = ratios.get(contender)!;
      process.stdout.write(
        `| ${streams} | ${contender} | ${(median(all.map(perEvent)) * 1e6).toFixed(1)} | ${median(ratio).toFixed(2)}x (${Math.min(...ratio).toFixed(2)}-${Math.max(...ratio).toFixed(2)}) | ${quantile(delays, 0.5).toFixed(1)} / ${quantile(delays, 0.99).toFixed(1)} ms | ${quantile(dueDelays, 0.99).toFixed(1)} ms | ${median(all.map((r) => r.stretch)).toFixed(2)} | ${all.reduce((sum, r) => sum + r.incomplete, 0)} |\n`,
      );
    }
  }
}

async function capacity(server: RunningServer): Promise<void> {
  process.stdout.write(`\n| streams | response | yield to client p99 | due to client p99 | stretch | CPU µs per event |\n|---:|---|---:|---:|---:|---:|\n`);
  const held = new Map<Contender, number>();
  for (const streams of CAPACITY_LEVELS) {
    for (const contender of CAPACITY_CONTENDERS) {
      const result = await run(server, contender, streams);
      const p99 = quantile(result.delaysMs, 0.99);
      const dueP99 = quantile(result.dueDelaysMs, 0.99);
      // Held: every answer complete and tokens reach the client within the goal of when they were due, which
      // counts the server's lag too (a saturated worker yields late, then at once: its yield-to-client stays low).
      if (dueP99 <= P99_GOAL_MS && result.incomplete === 0) held.set(contender, streams);
      process.stdout.write(
        `| ${streams} | ${contender} | ${p99.toFixed(1)} ms | ${dueP99.toFixed(1)} ms | ${result.stretch.toFixed(2)} | ${(perEvent(result) * 1e6).toFixed(1)} |\n`,
      );
    }
  }
  for (const contender of CAPACITY_CONTENDERS) {
    process.stdout.write(
      `\n${contender}: one worker holds ${held.get(contender) ?? 'fewer than the smallest level of'} paced streams with p99 <= ${P99_GOAL_MS} ms from when each token was due`,
    );
  }
  process.stdout.write('\n');
}

async function run(server: RunningServer, contender: Contender, streams: number): Promise<Run> {
  const count = RATE * SECONDS;
  await settle(server);
  const before = await cpuSeconds(server);
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: streams }, (_, i) => delay((RAMP_MS * i) / streams).then(() => timedStream(server.port, `/${contender}?count=${count}&rate=${RATE}`))),
  );
  const elapsed = (performance.now() - started - RAMP_MS) / 1000;
  const cpu = (await cpuSeconds(server)) - before;
  return {
    events: results.reduce((sum, r) => sum + r.delays.length, 0),
    expected: streams * count,
    incomplete: results.filter((r) => !r.complete || r.delays.length !== count).length,
    cpuSeconds: cpu,
    delaysMs: concat(results.map((r) => Float64Array.from(r.delays))),
    dueDelaysMs: concat(results.map((r) => Float64Array.from(r.dueDelays))),
    stretch: elapsed / SECONDS,
  };
}

/** A token event's text (the route's done event carries all the text: it is not a token). */
const TOKEN_MARK = 'event: token\ndata: {"text":"';

/** One GET on a raw socket; every token's text is the server's clock when it was yielded (seconds). */
function timedStream(port: number, urlPath: string): Promise<{ delays: number[]; dueDelays: number[]; complete: boolean }> {
  return new Promise((resolve) => {
    const delays: number[] = [];
    const dueDelays: number[] = [];
    let text = '';
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET ${urlPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      const now = (performance.timeOrigin + performance.now()) / 1000;
      text += chunk;
      let at = text.indexOf(TOKEN_MARK);
      let consumed = 0;
      while (at >= 0) {
        const end = text.indexOf('"', at + TOKEN_MARK.length);
        if (end < 0) break;
        const [due, yielded] = text.slice(at + TOKEN_MARK.length, end).split('/');
        dueDelays.push((now - Number(due)) * 1000);
        delays.push((now - Number(yielded)) * 1000);
        consumed = end;
        at = text.indexOf(TOKEN_MARK, end);
      }
      text = text.slice(consumed);
    });
    const finish = () => resolve({ delays, dueDelays, complete: text.endsWith('0\r\n\r\n') });
    socket.on('end', finish);
    socket.on('error', finish);
  });
}

/**
 * Waits (at most SETTLE_TRIES looks) until the server is idle: work a run leaves behind (the Redis contender's
 * producers, ending streams) must not be counted in the next contender's CPU.
 */
async function settle(server: RunningServer): Promise<void> {
  for (let tries = 0; tries < SETTLE_TRIES; tries++) {
    const before = await cpuSeconds(server);
    await delay(SETTLE_MS);
    if ((await cpuSeconds(server)) - before < (SETTLE_MS / 1000) * IDLE_CPU_SHARE) return;
  }
}

function perEvent(run: Run): number {
  return run.cpuSeconds / Math.max(1, run.events);
}

async function cpuSeconds(server: RunningServer): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(`${server.baseUrl}/cpu`, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve((JSON.parse(body) as { seconds: number }).seconds));
      })
      .on('error', reject);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function concat(arrays: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((sum, a) => sum + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

function quantile(values: Float64Array, q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
