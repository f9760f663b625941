/**
 * Resumable streams at scale on the generated package: 1,000 concurrent streams per worker on two workers
 * sharing one real redis-server, every answer complete (10% dropped once and resumed on the other worker),
 * while Redis's CLIENT LIST shows a small, bounded number of connections per worker (no reader holds one
 * while it waits); and the same resume scenario on a real 3-master Redis Cluster. Correctness only: the
 * figures (events/s, time to first event) are `npm run bench -- resumable`'s.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { residentKb } from '../support/processMemory';
import { PYTHON_STACKS, type PythonStack } from '../support/python';
import { startRedis, type RunningRedis } from '../support/redis';
import { startRedisCluster, type RunningRedisCluster } from '../support/redisCluster';
import { answerProblem, followResumable, type FollowResult } from '../support/resumableClient';
import { writeGeneratedStreaming } from '../support/streamingPackage';
import { makeTempDir } from '../support/tempdir';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { eventually } from '../support/wire';

const APP = `import asyncio
import os
from collections.abc import AsyncIterator

from fastapi import FastAPI
from starlette.responses import Response

from .streaming.resumable.response import ResumableStreamResponse, resumable_response
from .streaming.resumable.stopping import stop_response, until_stopped
from .streaming.tokens import stream_tokens

app = FastAPI()


async def tokens(count: int, pause: float) -> AsyncIterator[str]:
    for i in range(count):
        await asyncio.sleep(pause)
        yield f"t{i} "


@app.get("/stream")
async def stream(count: int = 10, pause: float = 0.1) -> ResumableStreamResponse:
    return resumable_response(
        lambda: stream_tokens(until_stopped(tokens(count, pause)), include_done=False)
    )


@app.post("/stream/{stream_id}/stop")
async def stop_stream(stream_id: str) -> Response:
    return await stop_response(stream, stream_id)


@app.get("/pid")
async def pid() -> dict[str, int]:
    return {"pid": os.getpid()}
`;

/**
 * Per worker. In `npm test` 100, several times the old per-worker pool (16 + 1) and enough to show the connections
 * do not grow with the streams; `CATALYST_SCALE_STREAMS=1000` runs the 2 x 1,000 (a minute on 2 cores).
 */
const STREAMS = Number(process.env.CATALYST_SCALE_STREAMS ?? 100);
const TOKENS = 20;
const PAUSE = 0.15;
/** REDIS_MAX_CONNECTIONS + 1 for commands and the signs of life, and one wake-up listener, per worker. */
const MAX_CONNECTIONS = 6;

export async function makeScaleApp(): Promise<string> {
  const root = await makeTempDir('resumable-scale');
  const app = path.join(root, 'app');
  await mkdir(app);
  await writeFile(path.join(app, '__init__.py'), '');
  await writeGeneratedStreaming(app);
  await writeFile(path.join(app, 'main.py'), APP);
  return root;
}

async function startWorkers(root: string, stack: PythonStack, redisUrl: string, count: number): Promise<RunningServer[]> {
  const workers: RunningServer[] = [];
  for (let i = 0; i < count; i++) workers.push(await startUvicorn({ cwd: root, app: 'app.main:app', stack, env: { REDIS_URL: redisUrl } }));
  return workers;
}

async function workerPid(worker: RunningServer): Promise<number> {
  const response = await fetch(`${worker.baseUrl}/pid`);
  return ((await response.json()) as { pid: number }).pid;
}

/**
 * The connections to `redis` (CLIENT LIST, less redis-cli's own): all of them, whatever their name, and the
 * wake-up listeners among them (the store names its connections `catalyst-stream` and `catalyst-stream-wake`).
 */
async function storeConnections(redis: RunningRedis): Promise<{ all: number; listeners: number }> {
  const lines = (await redis.cli('CLIENT', 'LIST')).split('\n').filter((line) => line.includes('addr='));
  const names = lines.map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1]);
  return { all: lines.length - 1, listeners: names.filter((name) => name === 'catalyst-stream-wake').length };
}

function assertAllComplete(results: readonly FollowResult[], count: number): void {
  const problems = results.map((result, i) => [i, answerProblem(result, count)] as const).filter(([, problem]) => problem !== undefined);
  assert.deepEqual(problems.slice(0, 5), [], `${problems.length} of ${results.length} answers were not complete`);
}

for (const stack of PYTHON_STACKS) {
  describe(`resumable streams at scale: 2 workers x ${STREAMS} streams on one Redis ${stack.tag} (package)`, function () {
    this.timeout(180_000);
    let redis: RunningRedis;
    let workers: RunningServer[] = [];

    before(async () => {
      const root = await makeScaleApp();
      redis = await startRedis();
      workers = await startWorkers(root, stack, redis.url, 2);
    });

    afterEach(function () {
      if (this.currentTest?.state === 'failed') workers.forEach((worker) => process.stdout.write(worker.output().slice(-3000)));
    });

    after(async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
      await redis?.stop();
    });

    it('every answer complete, 10% dropped and resumed on the other worker; Redis connections per worker bounded', async () => {
      const pids = await Promise.all(workers.map(workerPid));
      const rssBefore = pids.map(residentKb);
      const ports = workers.map((worker) => worker.port);
      const results: Array<Promise<FollowResult>> = [];
      // Streams that got their first event (or ended without one: a failure assertAllComplete reports).
      let begun = 0;
      for (let i = 0; i < STREAMS * workers.length; i++) {
        const start = i % workers.length;
        const follow = followResumable({
          ports: [ports[start]!, ports[1 - start]!],
          path: `/stream?count=${TOKENS}&pause=${PAUSE}`,
          ...(i % 10 === 0 ? { dropAfter: 1 + (i % 7) } : {}),
          onEvent: (_event, count) => {
            if (count === 1) begun++;
          },
        });
        results.push(
          follow.then((result) => {
            if (result.events.length === 0) begun++;
            return result;
          }),
        );
      }
      // Mid-answer: every stream begun (each takes TOKENS x PAUSE = 3 s), its reader waiting.
      await eventually(`all ${results.length} streams begun`, async () => (begun === results.length ? true : undefined), 120_000);
      const clients = await storeConnections(redis);
      const rssDuring = pids.map(residentKb);
      const answers = await Promise.all(results);
      const perStream = rssDuring.map((kb, i) => (kb - rssBefore[i]!) / STREAMS);
      process.stdout.write(
        `      Redis connections with ${STREAMS * workers.length} streams open: ${clients.all}, ${clients.listeners} of them listening, for ${workers.length} workers; ` +
          `RSS per open stream: ${perStream.map((kb) => kb.toFixed(1)).join(', ')} kB\n`,
      );
      assertAllComplete(answers, TOKENS);
      assert.ok(clients.all <= MAX_CONNECTIONS * workers.length, `${clients.all} Redis connections for ${workers.length} workers`);
      // At most one per worker (none while every read still finds new events: nobody waits).
      assert.ok(clients.listeners <= workers.length, `${clients.listeners} wake-up listeners for ${workers.length} workers`);
    });
  });
}

// redis-py 4.3's cluster client cannot pipeline PUBLISH (it finds no key to route it by): current stack only.
for (const stack of PYTHON_STACKS.filter((s) => s.name === 'current')) {
  describe(`resumable streams on a 3-master Redis Cluster (redis+cluster://), 2 workers: resume and stop ${stack.tag} (package)`, function () {
    this.timeout(120_000);
    let cluster: RunningRedisCluster;
    let workers: RunningServer[] = [];

    before(async () => {
      const root = await makeScaleApp();
      cluster = await startRedisCluster(3);
      workers = await startWorkers(root, stack, cluster.url, 2);
    });

    after(async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
      await cluster?.stop();
    });

    it('200 streams across both workers, each dropped once and resumed on the other: every answer complete, keys on every node', async () => {
      const ports = workers.map((worker) => worker.port);
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          followResumable({ ports: [ports[i % 2]!, ports[1 - (i % 2)]!], path: `/stream?count=${TOKENS}&pause=0.02`, dropAfter: 1 + (i % 13) }),
        ),
      );
      assertAllComplete(answers, TOKENS);
      assert.ok(
        answers.every((answer) => answer.statuses.length === 2),
        'each answer took two connections',
      );
      // The streams spread over the masters: each holds some (hash tags keep a stream's keys together).
      const keys = await Promise.all(cluster.nodes.map((node) => node.cli('DBSIZE')));
      assert.ok(
        keys.every((count) => Number(count) > 0),
        `keys per node: ${keys.join(', ')}`,
      );
    });

    it('a stop sent to the other worker ends the answer on the producing one; a resume then gets 204', async () => {
      let stop: Promise<Response> | undefined;
      const answer = await followResumable({
        ports: [workers[0]!.port],
        path: '/stream?count=400&pause=0.02',
        onEvent: (event, count) => {
          if (count === 3) stop = fetch(`${workers[1]!.baseUrl}/stream/${event.stream}/stop`, { method: 'POST' });
        },
      });
      assert.ok(stop, 'the stop was sent');
      const stopped = await stop;
      assert.equal(stopped.status, 200);
      assert.deepEqual(await stopped.json(), { status: 'stopped' });
      assert.ok(answer.complete && answer.unnumbered.length === 0, `the answer ended cleanly: ${answerProblem(answer, answer.events.length)}`);
      assert.ok(answer.events.length >= 3 && answer.events.length < 400, `${answer.events.length} events before the end`);
      assert.equal(answerProblem(answer, answer.events.length), undefined);
      const last = answer.events.at(-1)!;
      const again = await fetch(`${workers[1]!.baseUrl}/stream`, { headers: { 'Last-Event-ID': `${last.stream}:${last.seq}` } });
      assert.equal(again.status, 204);
    });

    it('replays a finished stream from an old id on either worker; 204 after its last event', async () => {
      const whole = await followResumable({ ports: [workers[0]!.port], path: `/stream?count=${TOKENS}&pause=0` });
      assertAllComplete([whole], TOKENS);
      const third = whole.events[2]!;
      for (const worker of workers) {
        const response = await fetch(`${worker.baseUrl}/stream`, { headers: { 'Last-Event-ID': `${third.stream}:${third.seq}` } });
        const text = await response.text();
        assert.equal(response.status, 200);
        assert.equal(text.split('\n\n').filter((block) => block.includes('id: ')).length, TOKENS - 3);
      }
      const last = whole.events.at(-1)!;
      const atEnd = await fetch(`${workers[1]!.baseUrl}/stream`, { headers: { 'Last-Event-ID': `${last.stream}:${last.seq}` } });
      assert.equal(atEnd.status, 204);
    });
  });
}
