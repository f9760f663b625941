/**
 * What a resumable stream answers at its edges, on the generated package, on both stores (Redis, and the
 * in-process store) and both Python stacks: the answer to every kind of `Last-Event-ID` (one table, the same
 * on both stores), history that the store no longer keeps (`HistoryLost`, per protocol, never a silent gap),
 * the in-process store's bounds (a runaway source is stopped with `StreamTooLarge`, the server's memory stays
 * bounded), streams bound to their route and to an owner, a worker killed mid-answer (the loss is found
 * within a few seconds and stored, so the next resume is answered at once), and a Redis restarted between
 * requests (no 503 once it is back).
 *
 * The app is the test's own (app/main.py), written against the package's public API, with the scripted token
 * source of resumable.test.ts. Waits are bounded; the one measured time (detection of a dead worker) is
 * asserted only against a generous bound and printed.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadExeca } from '../support/execa';
import { residentKb } from '../support/processMemory';
import { PYTHON_STACKS, type PythonStack } from '../support/python';
import { startRedis, type RunningRedis } from '../support/redis';
import { makeTempDir } from '../support/tempdir';
import { writeGeneratedStreaming } from '../support/streamingPackage';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { openStream, parseSse, readStream, wallClockMs } from '../support/wire';

const MAIN = `import asyncio
import functools
import os
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

from fastapi import Depends, FastAPI, Header

from streaming.protocols.ai_sdk import ui_message_stream
from streaming.protocols.openai_chat import openai_chat_completion_stream
from streaming.resumable.redis_store import RedisStreamStore
from streaming.resumable.response import (
    ResumableStreamResponse,
    ai_sdk_error_event,
    openai_error_event,
    resumable_response,
)
from streaming.resumable.store import MemoryStreamStore, StreamStore
from streaming.tokens import stream_tokens

app = FastAPI()


async def scripted(prompt: str) -> AsyncIterator[str]:
    """Tokens "<tag:i>" (padded with size x's): tag=T&count=N&delay=SECONDS&size=K&pid=1."""
    spec = {key: values[0] for key, values in parse_qs(prompt).items()}
    tag, size, delay = spec.get("tag", "t"), int(spec.get("size", "0")), float(spec.get("delay", "0"))
    if "pid" in spec:
        yield f"pid:{os.getpid()};"
    for i in range(int(spec.get("count", "10"))):
        await asyncio.sleep(delay)
        yield f"<{tag}:{i}>" + "x" * size


@functools.lru_cache(maxsize=None)
def bounded_store() -> StreamStore:
    """Keeps about 50 events per stream, on Redis or in this process."""
    url = os.environ.get("REDIS_URL")
    if url:
        return RedisStreamStore.from_url(url, max_events=50)
    return MemoryStreamStore(max_events=50, max_stream_bytes=20_000)


@functools.lru_cache(maxsize=None)
def small_store() -> StreamStore:
    """In this process, 30 kB for every stream together."""
    return MemoryStreamStore(max_stream_bytes=25_000, max_total_bytes=30_000)


def current_user(x_user: str = Header(...)) -> str:
    return x_user


@app.get("/a")
async def route_a(prompt: str = "") -> ResumableStreamResponse:
    return resumable_response(lambda: stream_tokens(scripted(prompt)))


@app.get("/b")
async def route_b(prompt: str = "") -> ResumableStreamResponse:
    return resumable_response(lambda: stream_tokens(scripted(prompt)))


@app.get("/mine")
async def mine(prompt: str = "", user: str = Depends(current_user)) -> ResumableStreamResponse:
    return resumable_response(lambda: stream_tokens(scripted(prompt)), owner=user)


@app.get("/bounded")
async def bounded(prompt: str = "") -> ResumableStreamResponse:
    return resumable_response(lambda: stream_tokens(scripted(prompt)), store=bounded_store())


@app.get("/bounded-ai")
async def bounded_ai(prompt: str = "") -> ResumableStreamResponse:
    return resumable_response(
        lambda: ui_message_stream(scripted(prompt)), store=bounded_store(), error_event=ai_sdk_error_event
    )


@app.get("/bounded-openai")
async def bounded_openai(prompt: str = "") -> ResumableStreamResponse:
    return resumable_response(
        lambda: openai_chat_completion_stream(scripted(prompt), model="m"),
        store=bounded_store(),
        error_event=openai_error_event,
    )


@app.get("/small")
async def small(prompt: str = "") -> ResumableStreamResponse:
    return resumable_response(lambda: stream_tokens(scripted(prompt)), store=small_store())
`;

/** The stores' end_lost against a producer that is alive after all: both stores, run as a script. */
const END_LOST = `import asyncio
import os

from streaming.resumable.redis_store import RedisStreamStore
from streaming.resumable.store import MemoryStreamStore, StreamClosed, StreamStore


async def check(store: StreamStore) -> list[object]:
    seen: list[object] = []
    await store.create("s", 60)
    await store.append("s", 1, [b"a", b"b"])
    seen.append(await store.end_lost("s", b"lost", 60))  # its lease holds: not ended
    await store.append("s", 3, [b"c"])
    await store.beat("s", "producer", 0.001)
    await asyncio.sleep(0.05)
    # The lease ran out, but the reader saw only event 2 and 3 is stored: alive.
    seen.append(await store.end_lost("s", b"lost", 60, 2))
    seen.append(await store.end_lost("s", b"lost", 60, 3))  # nothing new either: ended
    seen.append(await store.end_lost("s", b"lost", 60))  # once
    try:
        await store.append("s", 4, [b"d"])
        seen.append("appended")
    except StreamClosed:
        seen.append("closed")
    info = await store.info("s")
    batch = await store.read("s", 0, 0)
    seen.append([info.last, info.finished, [event for _, event in batch.events]])
    # From the middle of the first batch (a and b were stored together).
    middle = await store.read("s", 1, 0)
    seen.append([seq for seq, _ in middle.events])
    return seen


async def main() -> None:
    print(await check(MemoryStreamStore()))
    print(await check(RedisStreamStore.from_url(os.environ["REDIS_URL"])))


asyncio.run(main())
`;

/**
 * Many streams' commands at once on the Redis store: they go in few round trips (pipelines counted on the client
 * the store is given), each caller gets its own outcome (one stream that was ended refuses its events, the others
 * do not notice), and every stream holds what was written to it.
 */
const ROUNDS = `import asyncio
import os
from typing import Any

import redis.asyncio

from streaming.resumable.redis_store import RedisStreamStore


class CountingClient:
    """A redis.asyncio.Redis that counts the pipelines (round trips) sent on it."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.pipelines = 0

    def pipeline(self, transaction: bool = True) -> Any:
        self.pipelines += 1
        return self.client.pipeline(transaction=transaction)


async def main() -> None:
    client = CountingClient(redis.asyncio.Redis.from_url(os.environ["REDIS_URL"]))
    store = RedisStreamStore(client, prefix="rounds:")
    await store.create("ended", 60)
    await store.finish("ended", 0, 60)
    before = client.pipelines
    await asyncio.gather(*(store.create(f"s{i}", 60) for i in range(200)))
    creates = client.pipelines - before
    before = client.pipelines
    outcomes = await asyncio.gather(
        *(store.append(f"s{i}", 1, [b"e%d" % i]) for i in range(200)),
        store.append("ended", 1, [b"late"]),
        return_exceptions=True,
    )
    appends = client.pipelines - before
    failed = [type(outcome).__name__ for outcome in outcomes if outcome is not None]
    batches = [await store.read(f"s{i}", 0, 0) for i in range(200)]
    kept = all(b.events == [(1, b"e%d" % i)] for i, b in enumerate(batches))
    print(creates <= 25, appends <= 25, failed, kept)


asyncio.run(main())
`;

interface Event {
  readonly id: string;
  readonly event: string;
  readonly data: string;
}

const events = (body: Buffer | string): Event[] => parseSse(body.toString()).events.map((e) => ({ id: e.id ?? '', event: e.event ?? 'message', data: e.data }));
const seqOf = (id: string) => Number(id.slice(id.lastIndexOf(':') + 1));
const streamOf = (id: string) => id.slice(0, id.lastIndexOf(':'));
const url = (base: string, route: string, spec: string) => `${base}${route}?prompt=${encodeURIComponent(spec)}`;
/** The `error` of a JSON error body, or the body itself when it is not one (a 500's text). */
function errorOf(body: Buffer): string {
  try {
    return (JSON.parse(body.toString()) as { error: string }).error;
  } catch {
    return body.toString();
  }
}

async function makeApp(): Promise<string> {
  const root = await makeTempDir('resumable-semantics');
  await mkdir(path.join(root, 'app'));
  await writeFile(path.join(root, 'app', '__init__.py'), '');
  await writeFile(path.join(root, 'app', 'main.py'), MAIN);
  await writeFile(path.join(root, 'end_lost.py'), END_LOST);
  await writeFile(path.join(root, 'rounds.py'), ROUNDS);
  await writeGeneratedStreaming(root);
  return root;
}

/** A whole stream of `count` quick tokens at `route`, checked to be complete. */
async function wholeStream(base: string, route: string, count: number, headers: Record<string, string> = {}, delay = 0): Promise<Event[]> {
  const whole = await readStream(url(base, route, `tag=${randomUUID().slice(0, 6)}&count=${count}&delay=${delay}`), { headers });
  assert.equal(whole.status, 200);
  assert.equal(whole.complete, true);
  return events(whole.body());
}

for (const stack of PYTHON_STACKS) {
  describe(`resumable semantics ${stack.tag}`, function () {
    this.timeout(120_000);
    semanticsSuite(stack);
  });
}

function semanticsSuite(stack: PythonStack): void {
  let root: string;
  let redis: RunningRedis;
  const servers: Record<'redis' | 'memory', RunningServer | undefined> = { redis: undefined, memory: undefined };

  before(async () => {
    root = await makeApp();
    redis = await startRedis();
    servers.redis = await startUvicorn({ cwd: root, app: 'app.main:app', stack, env: { REDIS_URL: redis.url } });
    servers.memory = await startUvicorn({ cwd: root, app: 'app.main:app', stack });
  });

  after(async () => {
    await servers.redis?.stop();
    await servers.memory?.stop();
    await redis?.stop();
  });

  for (const store of ['redis', 'memory'] as const) {
    it(`${store}: one answer for every kind of Last-Event-ID`, async () => {
      const base = servers[store]!.baseUrl;
      const finished = await wholeStream(base, '/a', 6);
      const id = streamOf(finished[0]!.id);
      const end = seqOf(finished.at(-1)!.id);
      const live = await openStream(url(base, '/a', 'count=40&delay=0.1'));
      await live.waitFor((body) => events(body).length >= 1, 'the live stream');
      const liveId = streamOf(events(live.body())[0]!.id);
      const table: Array<[string, number, string?]> = [
        [`${id}:2`, 200],
        [`${id}:${end}`, 204],
        [`${id}:${end + 1}`, 204],
        [`${id}:${2n ** 64n}`, 204],
        [`${id}:${'9'.repeat(5000)}`, 204],
        [`${id}:1²`, 404, 'unknown-stream'],
        [`${id}:²`, 404, 'unknown-stream'],
        [`${id}:-1`, 404, 'unknown-stream'],
        [`${id}:`, 404, 'unknown-stream'],
        [`${id.toUpperCase()}:1`, 404, 'unknown-stream'],
        [`${id}x:1`, 404, 'unknown-stream'],
        ['garbage', 404, 'unknown-stream'],
        [`${'0'.repeat(32)}:1`, 404, 'unknown-stream'],
        [`${liveId}:${2n ** 64n}`, 404, 'unknown-event'],
      ];
      const answers = [];
      for (const [lastEventId, , error] of table) {
        const response = await readStream(`${base}/a`, { headers: { 'Last-Event-ID': lastEventId } });
        answers.push({ lastEventId: lastEventId.slice(0, 60), status: response.status, ...(error ? { error: errorOf(response.body()) } : {}) });
      }
      live.close();
      assert.deepEqual(
        answers,
        table.map(([lastEventId, status, error]) => ({ lastEventId: lastEventId.slice(0, 60), status, ...(error ? { error } : {}) })),
      );
    });

    it(`${store}: a stream is read only through the route that started it, and only by its owner`, async () => {
      const base = servers[store]!.baseUrl;
      const fromA = await wholeStream(base, '/a', 5);
      const resumeAt = (route: string, headers: Record<string, string> = {}) =>
        readStream(`${base}${route}`, { headers: { 'Last-Event-ID': fromA[0]!.id, ...headers } });
      assert.equal((await resumeAt('/a')).status, 200);
      const elsewhere = await resumeAt('/b');
      assert.equal(elsewhere.status, 404);
      assert.equal(errorOf(elsewhere.body()), 'unknown-stream');
      assert.equal((await resumeAt('/mine', { 'x-user': 'alice' })).status, 404);

      const alices = await wholeStream(base, '/mine', 5, { 'x-user': 'alice' });
      const resumeMine = (user: string) => readStream(`${base}/mine`, { headers: { 'Last-Event-ID': alices[1]!.id, 'x-user': user } });
      const own = await resumeMine('alice');
      assert.equal(own.status, 200);
      assert.deepEqual(events(own.body()), alices.slice(2));
      const other = await resumeMine('bob');
      assert.equal(other.status, 404);
      assert.equal(errorOf(other.body()), 'unknown-stream');
      assert.equal((await readStream(`${base}/a`, { headers: { 'Last-Event-ID': alices[1]!.id } })).status, 404);
    });

    it(`${store}: a replay from events the store no longer keeps says so (HistoryLost), in each protocol`, async () => {
      const base = servers[store]!.baseUrl;
      // Paced, so that the live reader keeps up with a store that keeps only ~50 events.
      const whole = await wholeStream(base, '/bounded', 400, {}, 0.003);
      assert.equal(whole.at(-1)!.event, 'done', 'the live reader got every event');
      assert.equal(whole.length, 401);
      const replay = await readStream(`${base}/bounded`, { headers: { 'Last-Event-ID': whole[0]!.id } });
      assert.equal(replay.status, 200);
      const answer = events(replay.body());
      assert.equal(answer.length, 1, 'the error, and no events after a gap');
      assert.equal(answer[0]!.event, 'error');
      const error = JSON.parse(answer[0]!.data) as { type: string; message: string };
      assert.equal(error.type, 'HistoryLost');
      const kept = seqOf(answer[0]!.id) + 1;
      assert.ok(kept > 2 && kept <= 401 - 49, `the first event kept is ${kept}`);
      // The error's id is the last dropped event: resuming from it gets every event still kept.
      const rest = await readStream(`${base}/bounded`, { headers: { 'Last-Event-ID': answer[0]!.id } });
      assert.deepEqual(events(rest.body()), whole.slice(kept - 1));

      for (const [route, check] of [
        ['/bounded-ai', (data: string) => assert.match((JSON.parse(data) as { type: string; errorText: string }).errorText, /^HistoryLost: /)],
        ['/bounded-openai', (data: string) => assert.equal((JSON.parse(data) as { error: { code: string } }).error.code, 'HistoryLost')],
      ] as const) {
        const all = await wholeStream(base, route, 400);
        const lost = await readStream(`${base}${route}`, { headers: { 'Last-Event-ID': all[0]!.id } });
        const [only, ...more] = events(lost.body());
        assert.deepEqual(more, [], route);
        check(only!.data);
      }
    });
  }

  it('both stores: a loss is stored only when the lease ran out and nothing came after the last event its reader saw, once; a read from mid-batch', async () => {
    const execa = await loadExeca();
    const python = (await stack.interpreter()).command;
    const result = await execa(python, ['end_lost.py'], { cwd: root, env: { REDIS_URL: redis.url }, timeout: 30_000 });
    const expected = "[False, False, True, False, 'closed', [4, True, [b'a', b'b', b'c', b'lost']], [2, 3, 4]]";
    assert.deepEqual(result.stdout.split('\n'), [expected, expected]);
  });

  it("redis: 200 streams' commands at once go in few round trips; one refused command fails only its caller", async () => {
    const execa = await loadExeca();
    const python = (await stack.interpreter()).command;
    const result = await execa(python, ['rounds.py'], { cwd: root, env: { REDIS_URL: redis.url }, timeout: 30_000 });
    assert.equal(result.stdout, "True True ['StreamClosed'] True");
  });

  it('memory: a runaway source is stopped at the store bound with StreamTooLarge; the server stays small', async () => {
    const server = servers.memory!;
    const pid = Number(
      (await readStream(url(server.baseUrl, '/a', 'pid=1&count=1')))
        .body()
        .toString()
        .match(/pid:(\d+);/)![1],
    );
    const before = residentKb(pid);
    // The default bounds: 16 MiB per stream. 100,000 tokens of 10 kB would be 1 GB.
    const runaway = await readStream(url(server.baseUrl, '/a', 'count=100000&size=10000'));
    const all = events(runaway.body());
    assert.equal(runaway.complete, true);
    assert.equal(all.at(-1)!.event, 'error');
    assert.equal((JSON.parse(all.at(-1)!.data) as { type: string }).type, 'StreamTooLarge');
    assert.ok(all.length < 1_700, `${all.length} events`);
    const grew = (residentKb(pid) - before) / 1024;
    console.log(`      runaway source: stopped after ${all.length - 1} events; the worker grew ${grew.toFixed(1)} MB`);
    assert.ok(grew < 120, `the worker grew ${grew.toFixed(1)} MB`);

    // 30 kB for all streams together: a finished stream is dropped (410) to make room, then a runaway stops.
    const first = await wholeStream(server.baseUrl, '/small', 10);
    const sized = await readStream(url(server.baseUrl, '/small', 'count=8&size=1000'));
    assert.equal(events(sized.body()).at(-1)!.event, 'done');
    const second = await readStream(url(server.baseUrl, '/small', 'count=1000&size=1000'));
    const tail = events(second.body()).at(-1)!;
    assert.equal((JSON.parse(tail.data) as { type: string }).type, 'StreamTooLarge');
    assert.equal((await readStream(`${server.baseUrl}/small`, { headers: { 'Last-Event-ID': first[0]!.id } })).status, 410);
  });

  it('redis: a worker killed mid-answer is found lost within seconds; the loss is stored, the next resume is answered at once', async () => {
    const workers = await startUvicorn({ cwd: root, app: 'app.main:app', stack, env: { REDIS_URL: redis.url }, extraArgs: ['--workers', '2'] });
    try {
      const stream = await openStream(url(workers.baseUrl, '/a', 'pid=1&count=200&delay=0.05'));
      await stream.waitFor((body) => events(body).length >= 4, 'four events');
      const pid = Number(/pid:(\d+);/.exec(events(stream.body())[0]!.data)![1]);
      process.kill(pid, 'SIGKILL');
      const killedAt = wallClockMs();
      await stream.finished;
      const received = events(stream.body());
      // The resume lands on the surviving worker, which finds the producer's lease gone.
      const resumed = await readStream(`${workers.baseUrl}/a`, { headers: { 'Last-Event-ID': received.at(-1)!.id } });
      const detection = (wallClockMs() - killedAt) / 1000;
      const tail = events(resumed.body());
      assert.equal(resumed.complete, true);
      assert.equal(tail.at(-1)!.event, 'error', JSON.stringify(tail));
      assert.equal((JSON.parse(tail.at(-1)!.data) as { type: string }).type, 'StreamLost');
      console.log(`      dead worker: loss detected ${detection.toFixed(2)} s after SIGKILL`);
      assert.ok(detection < 10, `detected after ${detection} s`);

      const startedAt = wallClockMs();
      const atEnd = await readStream(`${workers.baseUrl}/a`, { headers: { 'Last-Event-ID': tail.at(-1)!.id } });
      assert.equal(atEnd.status, 204);
      const again = await readStream(`${workers.baseUrl}/a`, { headers: { 'Last-Event-ID': received[0]!.id } });
      const took = wallClockMs() - startedAt;
      assert.equal(again.complete, true);
      assert.deepEqual(events(again.body()), [...received.slice(1), ...tail]);
      console.log(`      after the loss was stored: two resumes answered in ${took.toFixed(0)} ms`);
      assert.ok(took < 2_000, `two resumes took ${took} ms`);
    } finally {
      await workers.stop();
    }
  });

  // Last: it restarts the suite's Redis.
  it('redis: restarted between requests, 5 times: every request after it is back is answered (no 503)', async () => {
    const base = servers.redis!.baseUrl;
    const statuses: number[] = [];
    for (let trial = 0; trial < 5; trial++) {
      // The worker's pooled connections are open before the restart.
      await Promise.all([wholeStream(base, '/a', 3), wholeStream(base, '/a', 3), wholeStream(base, '/b', 3)]);
      const port = redis.port;
      await redis.stop();
      redis = await startRedis({ port });
      for (const route of ['/a', '/b', '/a']) {
        const response = await readStream(url(base, route, 'count=3'));
        statuses.push(response.status);
      }
    }
    assert.deepEqual(statuses, Array<number>(15).fill(200));
  });
}
