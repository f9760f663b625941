/**
 * `npm run bench -- resumable`: what resumability costs, in one run on one uvicorn (loopback), against a
 * real redis-server started for the bench:
 *
 * - plain: stream_tokens + streaming_response (the generated package);
 * - in-process: resumable_response over the in-process store (one worker);
 * - redis: resumable_response over Redis Streams (any number of workers).
 *
 * All three stream the same never-awaiting token generator. Throughput: events per wall-clock second and per
 * server CPU-second (the server process only: Redis's own CPU is not counted), contenders interleaved in every
 * round, the ratio to plain taken inside each round, medians over the rounds. Memory per open stream: the
 * server's RSS growth with STREAMS streams open at once (each producing one event a second), divided by
 * their number. Then the scale-out runs of ./resumableScale.ts (many workers behind nginx, one Redis and a
 * Redis Cluster). CATALYST_BENCH_STACK=oldest runs on the oldest stack; CATALYST_BENCH_QUICK=1 does less work;
 * CATALYST_BENCH_ONE_WORKER=1 skips the scale-out runs, CATALYST_BENCH_NGINX_ONLY=1 all but those behind nginx.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { residentKb } from '../test/support/processMemory';
import { pythonStack, type StackName } from '../test/support/python';
import { rawStream, type RawStreamResult } from '../test/support/rawStream';
import { startRedis } from '../test/support/redis';
import { writeGeneratedStreaming } from '../test/support/streamingPackage';
import { makeTempDir } from '../test/support/tempdir';
import { startUvicorn, type RunningServer } from '../test/support/uvicorn';
import type { Benchmark } from './benchmark';
import { scaleOut } from './resumableScale';

const SCALE = process.env.CATALYST_BENCH_QUICK ? 0.1 : 1;
const EVENTS = Math.round(20_000 * SCALE);
const ROUNDS = 5;
const STREAMS = Math.round(200 * SCALE);

const APP = `import asyncio
import os
import time
from collections.abc import AsyncIterator

from fastapi import FastAPI

from .streaming.response import streaming_response
from .streaming.resumable.redis_store import RedisStreamStore
from .streaming.resumable.response import resumable_response
from .streaming.resumable.store import MemoryStreamStore
from .streaming.tokens import stream_tokens

app = FastAPI()
MEMORY = MemoryStreamStore()
REDIS = RedisStreamStore.from_url(os.environ["BENCH_REDIS_URL"])


async def tokens(count: int, pause: float, text: int) -> AsyncIterator[str]:
    for i in range(count):
        if pause:
            await asyncio.sleep(pause)
        # text=1: numbered tokens, so that a client can check order and completeness.
        yield f"t{i} " if text else "tok"


@app.get("/plain")
async def plain(count: int, pause: float = 0.0, text: int = 0):
    return streaming_response(
        stream_tokens(tokens(count, pause, text), include_done=False)
    )


@app.get("/in-process")
async def in_process(count: int, pause: float = 0.0, text: int = 0):
    events = lambda: stream_tokens(tokens(count, pause, text), include_done=False)  # noqa: E731
    return resumable_response(events, store=MEMORY)


@app.get("/redis")
async def redis(count: int, pause: float = 0.0, text: int = 0):
    events = lambda: stream_tokens(tokens(count, pause, text), include_done=False)  # noqa: E731
    return resumable_response(events, store=REDIS)


@app.get("/cpu")
async def cpu() -> dict[str, float]:
    return {"seconds": time.process_time()}


@app.get("/pid")
async def pid() -> dict[str, int]:
    return {"pid": os.getpid()}
`;

const CONTENDERS = ['plain', 'in-process', 'redis'] as const;
type Contender = (typeof CONTENDERS)[number];

export const resumableBenchmark: Benchmark = {
  name: 'resumable',
  description:
    'the cost of resumability: plain stream vs resumable (in-process store, Redis) on one uvicorn: events/s, CPU, RSS per open stream; then thousands of streams over several workers behind nginx on Redis and a Redis Cluster',
  async run() {
    const stackName = (process.env.CATALYST_BENCH_STACK ?? 'current') as StackName;
    const stack = pythonStack(stackName);
    const dir = await makeTempDir('bench-resumable');
    await mkdir(path.join(dir, 'app'));
    await writeFile(path.join(dir, 'app', '__init__.py'), '');
    await writeGeneratedStreaming(path.join(dir, 'app'));
    await writeFile(path.join(dir, 'app', 'main.py'), APP);
    const redis = await startRedis();
    const server = await startUvicorn({ cwd: dir, app: 'app.main:app', stack, env: { BENCH_REDIS_URL: redis.url } });
    try {
      // CATALYST_BENCH_NGINX_ONLY=1: only the runs behind nginx (./resumableScale.ts).
      if (!process.env.CATALYST_BENCH_NGINX_ONLY) {
        await throughput(server);
        await memory(server);
      }
    } finally {
      await server.stop();
      await redis.stop();
    }
    process.stdout.write(`\n(${stackName} stack; ${EVENTS} events per stream, ${ROUNDS} rounds; ${STREAMS} open streams for memory)\n`);
    // CATALYST_BENCH_ONE_WORKER=1: only the runs on one uvicorn (throughput and memory).
    if (!process.env.CATALYST_BENCH_ONE_WORKER) await scaleOut(dir, stack, SCALE);
  },
};

async function throughput(server: RunningServer): Promise<void> {
  for (const contender of CONTENDERS) {
    await counted(server, contender, Math.round(EVENTS / 10)); // warm up
  }
  const wall = new Map<Contender, number[]>(CONTENDERS.map((c) => [c, []]));
  const cpu = new Map<Contender, number[]>(CONTENDERS.map((c) => [c, []]));
  const ratios = new Map<Contender, number[]>(CONTENDERS.map((c) => [c, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round) % CONTENDERS.length]!);
    const thisRound = new Map<Contender, number>();
    for (const contender of order) {
      const before = await cpuSeconds(server);
      const result = await counted(server, contender, EVENTS);
      if (result.events !== EVENTS || !result.complete) throw new Error(`${contender}: ${result.events} of ${EVENTS} events`);
      const used = (await cpuSeconds(server)) - before;
      const rate = EVENTS / (result.elapsedMs / 1000);
      thisRound.set(contender, rate);
      wall.get(contender)!.push(rate);
      cpu.get(contender)!.push(EVENTS / used);
    }
    for (const contender of CONTENDERS) ratios.get(contender)!.push(thisRound.get(contender)! / thisRound.get('plain')!);
  }
  process.stdout.write('| stream | events/s (wall) | events per server CPU-s | vs plain (wall, same round) |\n|---|---:|---:|---:|\n');
  for (const contender of CONTENDERS) {
    process.stdout.write(
      `| ${contender} | ${Math.round(median(wall.get(contender)!))} | ${Math.round(median(cpu.get(contender)!))} | ${median(ratios.get(contender)!).toFixed(2)}x |\n`,
    );
  }
}

async function memory(server: RunningServer): Promise<void> {
  const pid = (await getJson<{ pid: number }>(server, '/pid')).pid;
  process.stdout.write(`\n| stream | RSS growth with ${STREAMS} open streams | per open stream |\n|---|---:|---:|\n`);
  for (const contender of CONTENDERS) {
    const before = residentKb(pid);
    const closers: Array<() => void> = [];
    let opened = 0;
    const done: Array<Promise<RawStreamResult>> = [];
    const allOpen = new Promise<void>((resolve) => {
      for (let i = 0; i < STREAMS; i++) {
        let counted = false;
        done.push(
          rawStream(server.port, `/${contender}?count=600&pause=1`, (progress) => {
            if (!counted && progress.events >= 1) {
              counted = true;
              closers.push(() => progress.close());
              if (++opened === STREAMS) resolve();
            }
          }),
        );
      }
    });
    await Promise.race([allOpen, new Promise((resolve) => setTimeout(resolve, 60_000))]);
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // a couple of events each
    const grown = residentKb(pid) - before;
    closers.forEach((close) => close());
    await Promise.all(done);
    process.stdout.write(`| ${contender} | ${grown} kB (${opened} open) | ${(grown / Math.max(1, opened)).toFixed(1)} kB |\n`);
  }
}

function counted(server: RunningServer, contender: Contender, count: number): Promise<RawStreamResult> {
  return rawStream(server.port, `/${contender}?count=${count}`);
}

async function cpuSeconds(server: RunningServer): Promise<number> {
  return (await getJson<{ seconds: number }>(server, '/cpu')).seconds;
}

/** GET `urlPath` of the bench's server, as JSON. */
export function getJson<T>(server: RunningServer, urlPath: string): Promise<T> {
  return new Promise((resolve, reject) => {
    http
      .get(`${server.baseUrl}${urlPath}`, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve(JSON.parse(body) as T));
      })
      .on('error', reject);
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
