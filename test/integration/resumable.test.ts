/**
 * `add-endpoint --resumable` on the real thing: the generated routes and resumable package served by two uvicorn
 * workers (two processes on two ports) sharing a real redis-server, with Debian's nginx in front as a
 * round-robin upstream, and a browser's EventSource in Debian's Chromium. A connection killed mid-answer is
 * resumed from Last-Event-ID on the other worker and the answer continues exactly where it stopped. Every suite
 * runs on the generated package add-endpoint writes (streaming/resumable/).
 *
 * The token sources are the test's own async generator functions (app/tokens.py), added with
 * `--source FUNCTION` like a user's: `scripted_tokens` yields numbered, tagged tokens as the prompt says, and
 * `provider_tokens` streams from the local provider server (test/support/providers), which records when its
 * connection is closed. No timing assertions: waits are bounded, and results are compared by content and order.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { addEndpoint } from '../../src/cli/commands/addEndpoint';
import { startNginxProxy, type RunningProxy } from '../support/nginx';
import { startProviderServer, type ProviderServer } from '../support/providers/server';
import { PYTHON_STACKS, type PythonStack } from '../support/python';
import { startRedis, type RunningRedis } from '../support/redis';
import { makeTempDir } from '../support/tempdir';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { eventually, openStream, parseSse, readStream, type WireStream } from '../support/wire';
import { launchBrowser } from './webviewHarness';

const MAIN = `import os

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from .worker import WorkerHeader

app = FastAPI()
app.add_middleware(WorkerHeader, name=os.environ.get("WORKER_NAME", "?"))


@app.get("/page")
async def page() -> HTMLResponse:
    return HTMLResponse(PAGE)


PAGE = """<!doctype html><html><head><link rel="icon" href="data:,"></head><body><script>
window.received = [];
window.errors = 0;
window.finished = false;
window.startStream = (url) => {
  const source = new EventSource(url);
  source.addEventListener("token", (e) => window.received.push({ id: e.lastEventId, text: JSON.parse(e.data).text }));
  source.addEventListener("done", (e) => { window.received.push({ id: e.lastEventId, done: JSON.parse(e.data) }); source.close(); window.finished = true; });
  source.onerror = () => { window.errors += 1; };
};
</script></body></html>"""
`;

// A pure ASGI middleware (not BaseHTTPMiddleware, which would sit between the stream and the client): says
// which worker answered, so the test can see a reconnect land on the other one.
const WORKER = `from starlette.types import ASGIApp, Message, Receive, Scope, Send


class WorkerHeader:
    def __init__(self, app: ASGIApp, name: str) -> None:
        self.app = app
        self.name = name.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_named(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (b"x-worker", self.name)]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_named)
`;

const TOKENS = `import asyncio
import json
import os
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import httpx


async def scripted_tokens(prompt: str) -> AsyncIterator[str]:
    """Tokens "<tag:i>" as the prompt says: tag=T&count=N&delay=SECONDS&fail=K."""
    spec = {key: values[0] for key, values in parse_qs(prompt).items()}
    tag = spec.get("tag", "t")
    for i in range(int(spec.get("count", "10"))):
        if i == int(spec.get("fail", "-1")):
            raise RuntimeError("scripted failure")
        await asyncio.sleep(float(spec.get("delay", "0.01")))
        yield f"<{tag}:{i}>"


async def provider_tokens(prompt: str) -> AsyncIterator[str]:
    """The text of a Chat Completions stream from the provider at PROVIDER_URL."""
    request = {"model": "m", "stream": True, "messages": [{"role": "user", "content": prompt}]}
    async with httpx.AsyncClient(base_url=os.environ["PROVIDER_URL"], timeout=30) as client:
        async with client.stream("POST", "/v1/chat/completions", json=request) as response:
            async for line in response.aiter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    choices = json.loads(line[6:])["choices"]
                    if choices and choices[0]["delta"].get("content"):
                        yield choices[0]["delta"]["content"]
`;

/** The abandon_after the test gives its provider route (the generated default is 30 s). */
const ABANDON_AFTER = 1.0;

interface Event {
  readonly id: string;
  readonly event: string;
  readonly data: string;
}

function events(body: Buffer | string): Event[] {
  return parseSse(body.toString()).events.map((e) => ({ id: e.id ?? '', event: e.event ?? 'message', data: e.data }));
}

const seqOf = (id: string) => Number(id.slice(id.lastIndexOf(':') + 1));
const streamOf = (id: string) => id.slice(0, id.lastIndexOf(':'));
const tokenTexts = (list: readonly Event[]) => list.filter((e) => e.event === 'token').map((e) => (JSON.parse(e.data) as { text: string }).text);
const expectedTokens = (tag: string, count: number) => Array.from({ length: count }, (_, i) => `<${tag}:${i}>`);
const scriptedUrl = (base: string, spec: string) => `${base}/stream?prompt=${encodeURIComponent(spec)}`;

/** Checks the events of one stream: one stream id, sequence numbers 1..n without gap or repeat. */
function assertContiguous(list: readonly Event[], what: string): void {
  assert.ok(list.length > 0, `${what}: no events`);
  const id = streamOf(list[0]!.id);
  list.forEach((event, index) => {
    assert.equal(streamOf(event.id), id, `${what}: event ${index} belongs to another stream`);
    assert.equal(seqOf(event.id), index + 1, `${what}: event ${index} has id ${event.id}`);
  });
}

/** How often Redis ran each command since its last CONFIG RESETSTAT, from `INFO commandstats`. */
function commandCalls(info: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const line of info.split('\n')) {
    // cmdstat_xadd:calls=12,usec=...
    const [name, stats] = line.trim().split(':');
    const count = stats?.split(',').find((field) => field.startsWith('calls='));
    if (name?.startsWith('cmdstat_') && count) calls.set(name.slice('cmdstat_'.length), Number(count.slice('calls='.length)));
  }
  return calls;
}

/**
 * A TCP relay in front of nginx that kills the first `/stream` connection once `cutAfter` events went through
 * it, the way a proxy timeout or a network switch drops a connection: the browser sees the server hang up.
 * It records each request's Last-Event-ID and which worker answered.
 */
interface CuttingRelay {
  readonly port: number;
  readonly requests: Array<{ path: string; lastEventId?: string; worker?: string }>;
  stop(): Promise<void>;
}

async function startCuttingRelay(upstreamPort: number, cutAfter: number): Promise<CuttingRelay> {
  const requests: CuttingRelay['requests'] = [];
  const sockets = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let record: CuttingRelay['requests'][number] | undefined;
    let seen = 0;
    client.on('data', (bytes) => {
      const head = bytes.toString('latin1');
      const line = /^(GET|POST) (\S+)/.exec(head);
      if (line) {
        record = { path: line[2]!, ...(/\r\nlast-event-id: ([^\r]*)/i.exec(head) ? { lastEventId: /\r\nlast-event-id: ([^\r]*)/i.exec(head)![1]! } : {}) };
        requests.push(record);
      }
      upstream.write(bytes);
    });
    upstream.on('data', (bytes) => {
      const text = bytes.toString('latin1');
      const worker = /\r\nx-worker: ([^\r]*)/i.exec(text);
      if (record && worker) record.worker = worker[1]!;
      if (!cut && record?.path.startsWith('/stream')) {
        seen += text.split('\nid: ').length - 1 + (text.startsWith('id: ') ? 1 : 0);
        if (seen >= cutAfter) {
          cut = true;
          // Half of this read goes through: the browser is left with a partial event, which it must drop.
          client.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
          client.destroy();
          upstream.destroy();
          return;
        }
      }
      client.write(bytes);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    requests,
    stop: async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The route imports add-endpoint writes: the names from the generated package's modules. */
const PACKAGE_IMPORTS =
  'from .streaming.resumable.response import ResumableStreamResponse, resumable_response\nfrom .streaming.resumable.stopping import stop_response, until_stopped\nfrom .streaming.tokens import stream_tokens\n';

/**
 * Writes the test app, and adds its resumable routes with the real add-endpoint, which writes the generated
 * package (app/streaming/, resumable/ in it) the routes import from.
 */
async function makeApp(): Promise<string> {
  const root = await makeTempDir('resumable');
  await mkdir(path.join(root, 'app'));
  await writeFile(path.join(root, 'app', '__init__.py'), '');
  await writeFile(path.join(root, 'app', 'main.py'), MAIN);
  await writeFile(path.join(root, 'app', 'worker.py'), WORKER);
  await writeFile(path.join(root, 'app', 'tokens.py'), TOKENS);
  for (const [route, source] of [
    ['/stream', 'scripted_tokens'],
    ['/provider', 'provider_tokens'],
  ] as const) {
    const outcome = await addEndpoint(root, { target: { file: 'app/main.py', id: 'app' }, route, source: { kind: 'function', name: source }, resumable: true });
    assert.equal(outcome.status, 'applied', JSON.stringify(outcome));
  }
  // The knob a user turns: a short grace period for the provider route, so the test need not wait 30 s.
  const main = path.join(root, 'app', 'main.py');
  const text = await readFile(main, 'utf8');
  const provider = text.lastIndexOf('return resumable_response(make_events)');
  assert.ok(provider > text.indexOf('async def provider('), 'the provider route is the second one');
  await writeFile(
    main,
    `${text.slice(0, provider)}return resumable_response(make_events, abandon_after=${ABANDON_AFTER})${text.slice(provider + 'return resumable_response(make_events)'.length)}`,
  );
  assert.ok((await readFile(main, 'utf8')).includes(PACKAGE_IMPORTS), 'the routes import from the package');
  return root;
}

for (const stack of PYTHON_STACKS) {
  describe(`resumable streams: two workers, Redis, nginx ${stack.tag}`, function () {
    this.timeout(120_000);
    resumableSuite(stack);
  });
}

function resumableSuite(stack: PythonStack): void {
  let root: string;
  let redis: RunningRedis;
  let provider: ProviderServer;
  let workers: RunningServer[] = [];
  let proxy: RunningProxy;

  const startWorker = (name: string, redisUrl: string) =>
    startUvicorn({ cwd: root, app: 'app.main:app', stack, env: { REDIS_URL: redisUrl, WORKER_NAME: name, PROVIDER_URL: provider.baseUrl } });

  before(async () => {
    root = await makeApp();
    redis = await startRedis();
    provider = await startProviderServer();
    workers = [await startWorker('a', redis.url), await startWorker('b', redis.url)];
    proxy = await startNginxProxy(workers.map((w) => w.port));
  });

  after(async () => {
    await proxy?.stop();
    await Promise.all(workers.map((w) => w.stop()));
    await provider?.stop();
    await redis?.stop();
  });

  it('resumes a stream killed mid-answer on the other worker, exactly where it stopped', async () => {
    const [a, b] = workers as [RunningServer, RunningServer];
    const tag = randomUUID().slice(0, 8);
    const first = await openStream(scriptedUrl(a.baseUrl, `tag=${tag}&count=30&delay=0.02`));
    await first.waitFor((body) => events(body).length >= 5, 'five events from worker a');
    first.close();
    const seen = events(first.body());
    const last = seen.at(-1)!.id;
    const rest = await readStream(`${b.baseUrl}/stream`, { headers: { 'Last-Event-ID': last } });
    assert.equal(rest.headers['x-worker'], 'b');
    assert.equal(rest.complete, true);
    const all = [...seen, ...events(rest.body())];
    assertContiguous(all, 'the stream across both workers');
    assert.deepEqual(tokenTexts(all), expectedTokens(tag, 30));
    assert.equal(all.at(-1)!.event, 'done');
  });

  it('a stream read on the worker that produces it is served from memory: nothing read back from Redis, no channel subscribed for it', async () => {
    const [a] = workers as [RunningServer];
    // The worker's wake-up listener is up (its first stream), so the figures below are this test's streams only.
    await readStream(scriptedUrl(a.baseUrl, `tag=${randomUUID().slice(0, 8)}&count=2`));
    await redis.cli('CONFIG', 'RESETSTAT');
    const tags = Array.from({ length: 10 }, () => randomUUID().slice(0, 8));
    const streams = await Promise.all(tags.map((tag) => readStream(scriptedUrl(a.baseUrl, `tag=${tag}&count=20&delay=0.01`))));
    streams.forEach((stream, i) => {
      assert.equal(stream.complete, true);
      const all = events(stream.body());
      assertContiguous(all, `stream ${i}`);
      assert.deepEqual(tokenTexts(all), expectedTokens(tags[i]!, 20));
    });
    const calls = commandCalls(await redis.cli('INFO', 'commandstats'));
    assert.ok((calls.get('xadd') ?? 0) >= tags.length, `the events were stored: ${[...calls].join(' ')}`);
    assert.equal(calls.get('xread') ?? 0, 0, 'no event read back from Redis');
    assert.equal(calls.get('xrange') ?? 0, 0, 'no event read back from Redis');
    assert.equal(calls.get('subscribe') ?? 0, 0, 'no channel subscribed per stream');
  });

  it('an EventSource in Chromium reconnects by itself through nginx after the server side drops it, and gets every event once, in order', async () => {
    const relay = await startCuttingRelay(proxy.port, 6);
    let browser: Browser | undefined;
    try {
      browser = await launchBrowser();
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${relay.port}/page`);
      const tag = randomUUID().slice(0, 8);
      await page.evaluate(
        (url) => (globalThis as unknown as { startStream(u: string): void }).startStream(url),
        `/stream?prompt=${encodeURIComponent(`tag=${tag}&count=25&delay=0.05`)}`,
      );
      await page.waitForFunction(() => (globalThis as unknown as { finished: boolean }).finished, undefined, { timeout: 60_000 });
      const { received, errors } = await page.evaluate(() => {
        const state = globalThis as unknown as { received: Array<{ id: string; text?: string }>; errors: number };
        return { received: state.received, errors: state.errors };
      });
      assert.ok(errors >= 1, 'the connection was dropped and the EventSource saw it');
      assert.deepEqual(
        received.filter((r) => r.text !== undefined).map((r) => r.text),
        expectedTokens(tag, 25),
      );
      received.forEach((r, index) => assert.equal(seqOf(r.id), index + 1, `event ${index} has id ${r.id}`));
      const streams = relay.requests.filter((r) => r.path.startsWith('/stream'));
      assert.equal(streams.length, 2, JSON.stringify(relay.requests));
      assert.equal(streams[0]!.lastEventId, undefined);
      assert.ok(streams[1]!.lastEventId !== undefined && seqOf(streams[1]!.lastEventId) >= 1, 'the reconnect sent Last-Event-ID');
      assert.ok(streams[0]!.worker && streams[1]!.worker, JSON.stringify(streams));
      assert.notEqual(streams[1]!.worker, streams[0]!.worker, 'nginx sent the reconnect to the other worker');
    } finally {
      await browser?.close();
      await relay.stop();
    }
  });

  it('50 concurrent streams through nginx, each killed once and resumed wherever it lands: no event lost, repeated or crossed', async () => {
    const count = 20;
    const tags = Array.from({ length: 50 }, (_, i) => `s${i}-${randomUUID().slice(0, 6)}`);
    const workersSeen = new Set<string>();
    const results = await Promise.all(
      tags.map(async (tag, i) => {
        const first = await openStream(scriptedUrl(proxy.baseUrl, `tag=${tag}&count=${count}&delay=0.02`));
        workersSeen.add(String(first.headers['x-worker']));
        const cutAt = 1 + (i % 10);
        await first.waitFor((body) => events(body).length >= cutAt, `${cutAt} events of ${tag}`, 30_000);
        first.close();
        const seen = events(first.body());
        const rest = await readStream(`${proxy.baseUrl}/stream`, { headers: { 'Last-Event-ID': seen.at(-1)!.id } });
        workersSeen.add(`resumed on ${String(rest.headers['x-worker'])}`);
        assert.equal(rest.status, 200, `resume of ${tag} after ${seen.at(-1)!.id}: ${rest.status} ${rest.body().toString().slice(0, 300)}`);
        return { tag, all: [...seen, ...events(rest.body())] };
      }),
    );
    const streamIds = new Set<string>();
    for (const { tag, all } of results) {
      assertContiguous(all, tag);
      assert.deepEqual(tokenTexts(all), expectedTokens(tag, count), `the tokens of ${tag}`);
      streamIds.add(streamOf(all[0]!.id));
    }
    assert.equal(streamIds.size, 50, 'every stream has an id of its own');
    for (const name of ['a', 'b', 'resumed on a', 'resumed on b']) {
      assert.ok(workersSeen.has(name), `${name}: ${[...workersSeen].join(', ')}`);
    }
  });

  it('replays from an old id after the stream finished; 204 after its last event; 404 for an unknown id, 410 once expired', async () => {
    const tag = randomUUID().slice(0, 8);
    const whole = await readStream(scriptedUrl(proxy.baseUrl, `tag=${tag}&count=8&delay=0`));
    const all = events(whole.body());
    assertContiguous(all, 'the whole stream');
    const replay = await readStream(`${proxy.baseUrl}/stream`, { headers: { 'Last-Event-ID': all[2]!.id } });
    assert.equal(replay.status, 200);
    assert.deepEqual(events(replay.body()), all.slice(3), 'the events after the third, byte for byte the same');
    const atEnd = await readStream(`${proxy.baseUrl}/stream`, { headers: { 'Last-Event-ID': all.at(-1)!.id } });
    assert.equal(atEnd.status, 204);
    const unknown = await readStream(`${proxy.baseUrl}/stream`, { headers: { 'Last-Event-ID': `${'0'.repeat(32)}:3` } });
    assert.equal(unknown.status, 404);
    assert.equal((JSON.parse(unknown.body().toString()) as { error: string }).error, 'unknown-stream');
    // Expiry is Redis's: what is left once the stream's key expired. The package's key also names the
    // stream's route (`<route digest>-<id>`); the stream's own key is the one without a `:role` suffix.
    const keys = (await redis.cli('--scan', '--pattern', `*${streamOf(all[0]!.id)}*`)).split('\n');
    const streamKey = keys.filter((key) => !/:(gone|reader|producer)$/.test(key));
    assert.equal(streamKey.length, 1, keys.join(', '));
    assert.equal(await redis.cli('DEL', streamKey[0]!), '1');
    const expired = await readStream(`${proxy.baseUrl}/stream`, { headers: { 'Last-Event-ID': all[2]!.id } });
    assert.equal(expired.status, 410);
    assert.equal((JSON.parse(expired.body().toString()) as { error: string }).error, 'expired-stream');
  });

  it('a token source that raises: its error event ends the stream, and is replayed the same to a late reader', async () => {
    const tag = randomUUID().slice(0, 8);
    const whole = await readStream(scriptedUrl(proxy.baseUrl, `tag=${tag}&count=8&delay=0&fail=3`));
    assert.equal(whole.complete, true);
    const all = events(whole.body());
    assertContiguous(all, 'the failed stream');
    assert.deepEqual(tokenTexts(all), expectedTokens(tag, 3));
    assert.equal(all.at(-1)!.event, 'error');
    const late = await readStream(`${proxy.baseUrl}/stream`, { headers: { 'Last-Event-ID': all[0]!.id } });
    assert.deepEqual(events(late.body()), all.slice(1));
  });

  it('keeps producing while nobody is connected, and closes the provider stream once nobody read it for abandon_after', async () => {
    provider.clear();
    provider.behave({ tokens: Array.from({ length: 400 }, (_, i) => ` p${i}`), eventDelayMs: 20 });
    const stream = await openStream(`${proxy.baseUrl}/provider?prompt=hi`);
    await stream.waitFor((body) => events(body).length >= 2, 'two provider tokens');
    stream.close();
    const request = await eventually('the provider request', async () => provider.requests.find((r) => r.stream), 10_000);
    const tokensWhenLeft = request.tokensWritten;
    await provider.closed(request.connection, 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${workers.map((w) => w.output()).join('\n')}`);
    });
    assert.equal(request.outcome, 'connection-closed', 'the provider stream was closed before its end');
    assert.ok(request.tokensWritten < 400);
    assert.ok(request.tokensWritten > tokensWhenLeft, `the source went on after the client left (${tokensWhenLeft} -> ${request.tokensWritten})`);
    // A late reader gets what was produced, then the abandonment's error event.
    const late = await readStream(`${proxy.baseUrl}/provider`, { headers: { 'Last-Event-ID': events(stream.body())[0]!.id } });
    const tail = events(late.body());
    assert.equal(tail.at(-1)!.event, 'error');
    assert.match(tail.at(-1)!.data, /StreamAbandoned/);
  });

  it('Redis unreachable when a stream starts: 503 with a JSON body', async () => {
    const closedPort = await startRedis().then(async (r) => {
      await r.stop();
      return r.port;
    });
    const worker = await startWorker('c', `redis://127.0.0.1:${closedPort}/0`);
    try {
      const response = await readStream(scriptedUrl(worker.baseUrl, 'count=3'));
      assert.equal(response.status, 503);
      assert.equal((JSON.parse(response.body().toString()) as { error: string }).error, 'store-unavailable');
    } finally {
      await worker.stop();
    }
  });

  // Last: it stops the suite's Redis.
  it('Redis lost mid-stream: one error event, then a clean end', async () => {
    const tag = randomUUID().slice(0, 8);
    const stream: WireStream = await openStream(scriptedUrl(workers[0]!.baseUrl, `tag=${tag}&count=400&delay=0.02`));
    await stream.waitFor((body) => events(body).length >= 3, 'three events');
    await redis.stop();
    const { complete } = await stream.finished;
    assert.equal(complete, true, 'the response ended cleanly');
    const all = events(stream.body());
    const errors = all.filter((e) => e.event === 'error');
    assert.equal(errors.length, 1);
    assert.equal(all.at(-1)!.event, 'error');
    assert.match(all.at(-1)!.data, /StoreUnavailable/);
  });
}

for (const stack of PYTHON_STACKS) {
  describe(`resumable streams: the in-process store (no REDIS_URL) ${stack.tag}`, function () {
    this.timeout(120_000);
    inProcessSuite(stack);
  });
}

function inProcessSuite(stack: PythonStack): void {
  let root: string;
  let provider: ProviderServer;
  let worker: RunningServer;

  before(async () => {
    root = await makeApp();
    provider = await startProviderServer();
    worker = await startUvicorn({ cwd: root, app: 'app.main:app', stack, env: { WORKER_NAME: 'solo', PROVIDER_URL: provider.baseUrl } });
  });

  after(async () => {
    await worker?.stop();
    await provider?.stop();
  });

  it('resumes a killed stream on the same worker, exactly where it stopped; 204 after the end; 404 for an unknown id', async () => {
    const tag = randomUUID().slice(0, 8);
    const first = await openStream(scriptedUrl(worker.baseUrl, `tag=${tag}&count=30&delay=0.02`));
    await first.waitFor((body) => events(body).length >= 4, 'four events');
    first.close();
    const seen = events(first.body());
    const rest = await readStream(`${worker.baseUrl}/stream`, { headers: { 'Last-Event-ID': seen.at(-1)!.id } });
    const all = [...seen, ...events(rest.body())];
    assertContiguous(all, 'the resumed stream');
    assert.deepEqual(tokenTexts(all), expectedTokens(tag, 30));
    const atEnd = await readStream(`${worker.baseUrl}/stream`, { headers: { 'Last-Event-ID': all.at(-1)!.id } });
    assert.equal(atEnd.status, 204);
    const unknown = await readStream(`${worker.baseUrl}/stream`, { headers: { 'Last-Event-ID': `${'f'.repeat(32)}:1` } });
    assert.equal(unknown.status, 404);
  });

  it('closes the provider stream once nobody read it for abandon_after', async () => {
    provider.behave({ tokens: Array.from({ length: 400 }, (_, i) => ` p${i}`), eventDelayMs: 20 });
    const stream = await openStream(`${worker.baseUrl}/provider?prompt=hi`);
    await stream.waitFor((body) => events(body).length >= 2, 'two provider tokens');
    stream.close();
    const request = await eventually('the provider request', async () => provider.requests.find((r) => r.stream), 10_000);
    await provider.closed(request.connection, 30_000);
    assert.equal(request.outcome, 'connection-closed');
    assert.ok(request.tokensWritten < 400);
  });
}
