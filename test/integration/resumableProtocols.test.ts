/**
 * Resumable streams on every protocol, and their stop endpoint, through the clients themselves: the routes
 * `add-endpoint --resumable` writes for sse, ai-sdk and openai, served by two uvicorn workers (two processes)
 * on a real redis-server, nginx in front as a round-robin upstream. The token source is a user function that
 * streams from the local provider server (test/support/providers), which records when its upstream
 * connection closes; the `on_finish` hook add-endpoint writes beside each route, filled in as a user would,
 * writes each finished answer to a file, so the test can count the calls and compare their text with what the client got.
 *
 *  - ai-sdk: the `ai` package's DefaultChatTransport, as useChat calls it: sendMessages, then after a reload
 *    reconnectToStream (GET {api}/{chatId}/stream): the whole answer once, nothing lost or repeated; 204 (null)
 *    when the chat has no active stream. POST {api}/{chatId}/stop on the OTHER worker ends the answer: the
 *    provider's connection closes (the delay is logged, not asserted), the reader gets text-end and finish, and
 *    on_finish gets "stopped" with exactly the text the client shows.
 *  - openai: the `openai` npm client; the stream id from the x-stream-id header; stop ends the stream with
 *    finish_reason "stop" and [DONE], which the client reads as a normal end; Last-Event-ID on the request sent
 *    again resumes it.
 *  - sse: fetch + eventsource-parser; stop ends with `done` {"finish_reason": "stopped"}.
 *  - A worker killed mid-answer: the reader on the other worker gets a StreamLost error, on_finish is never
 *    called for that answer (not by the dead worker, not by a second one).
 *  - A real useChat page (React, @ai-sdk/react, `resume: true`) in Debian's Chromium, current stack: reloaded
 *    mid-answer, it shows the whole answer once; its Stop (the stop endpoint) closes the provider connection and
 *    on_finish gets "stopped" with exactly the text the page shows.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DefaultChatTransport, type UIMessage, type UIMessageChunk } from 'ai';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { startNginxProxy, type RunningProxy } from '../support/nginx';
import { startProviderServer, type ProviderServer } from '../support/providers/server';
import { PYTHON_STACKS, type PythonStack } from '../support/python';
import { startRedis, type RunningRedis } from '../support/redis';
import { makeResumableApp, PROVIDER_TOKENS_PY } from '../support/resumableApp';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { eventually, getJson, wallClockMs } from '../support/wire';
import { servePage, type PageServer } from './useChatPage';
import { launchBrowser } from './webviewHarness';

const MAIN = `import os

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
# The useChat page comes from an origin of its own, as a separate front end would.
app.add_middleware(
    CORSMiddleware,
    allow_origin_regex=r"http://127\\.0\\.0\\.1:[0-9]+",
    allow_methods=["*"],
    allow_headers=["*"],
)


@app.get("/pid")
async def pid() -> int:
    return os.getpid()
`;

const ROUTES = [
  { protocol: 'sse', route: '/stream' },
  { protocol: 'ai-sdk', route: '/api/chat' },
  { protocol: 'openai', route: '/v1/chat/completions' },
] as const;

/** The provider's answer: 60 tokens, one every 25 ms (so an answer takes about 1.5 s). */
const TOKEN_COUNT = 60;
const TOKENS_OF = (run: string) => Array.from({ length: TOKEN_COUNT }, (_, i) => ` ${run.slice(0, 8)}-${i}`);
const WAIT_MS = 20_000;

/** The app with the three resumable routes, each answer saved to FINISH_LOG by its on_finish hook. */
const makeApp = () =>
  makeResumableApp({
    name: 'resumable-protocols',
    main: MAIN,
    modules: { 'tokens.py': PROVIDER_TOKENS_PY },
    routes: ROUTES,
    source: 'provider_tokens',
    saveToLog: true,
  });

interface Finished {
  readonly pid: number;
  readonly reason: string;
  readonly text: string;
}

for (const stack of PYTHON_STACKS) {
  describe(`resumable streams on every protocol, and stop: two workers, Redis, nginx ${stack.tag}`, function () {
    this.timeout(120_000);
    suite(stack);
  });
}

function suite(stack: PythonStack): void {
  let root: string;
  let redis: RunningRedis;
  let provider: ProviderServer;
  let workers: RunningServer[];
  let proxy: RunningProxy;
  let finishLog: string;

  before(async () => {
    [root, redis, provider] = await Promise.all([makeApp(), startRedis(), startProviderServer()]);
    finishLog = path.join(root, 'finished.jsonl');
    await writeFile(finishLog, '');
    const env = { REDIS_URL: redis.url, PROVIDER_URL: provider.baseUrl, FINISH_LOG: finishLog };
    workers = await Promise.all([0, 1].map(() => startUvicorn({ cwd: root, app: 'app.main:app', stack, env })));
    proxy = await startNginxProxy(workers.map((w) => w.port));
  });

  after(async () => {
    await proxy?.stop();
    await Promise.all((workers ?? []).map((w) => w.stop()));
    await Promise.all([redis?.stop(), provider?.stop()]);
  });

  /** The on_finish calls for one prompt, once `count` of them arrived (bounded wait). */
  async function finishedFor(prompt: string, count = 1): Promise<Finished[]> {
    return eventually(
      `${count} on_finish call(s) for ${prompt}`,
      async () => {
        const calls = (await readFile(finishLog, 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Finished)
          .filter((call) => call.text.includes(` ${prompt.slice(0, 8)}-`));
        return calls.length >= count ? calls : undefined;
      },
      WAIT_MS,
    );
  }

  /** The provider request of this run, once it has streamed `tokens` tokens. */
  async function providerRequest(run: string, tokens = 3) {
    return eventually(
      `the provider request of ${run}`,
      async () => provider.requests.find((r) => r.stream && JSON.stringify(r.body).includes(run) && r.tokensWritten >= tokens),
      WAIT_MS,
    );
  }

  /** Stops the stream through `base` (a worker's URL): the time it was asked, and the answer. */
  async function stop(base: string, route: string, id: string): Promise<{ askedAt: number; status: number; body: unknown }> {
    const askedAt = wallClockMs();
    const response = await fetch(`${base}${route}/${encodeURIComponent(id)}/stop`, { method: 'POST', signal: AbortSignal.timeout(WAIT_MS) });
    return { askedAt, status: response.status, body: await response.json() };
  }

  /** Logs how long after the stop request the provider's connection closed (a measured relation, not asserted). */
  async function logStopToClose(what: string, run: string, askedAt: number): Promise<number> {
    const request = await providerRequest(run, 0);
    const closedAt = await provider.closed(request.connection, WAIT_MS);
    const ms = closedAt - askedAt;
    console.log(`      ${what}: stop request to provider connection closed: ${ms.toFixed(1)} ms`);
    return ms;
  }

  describe('ai-sdk: DefaultChatTransport, as useChat calls it', () => {
    const transport = (base: string) => new DefaultChatTransport<UIMessage>({ api: `${base}/api/chat` });
    const userMessage = (text: string): UIMessage[] => [{ id: 'u1', role: 'user', parts: [{ type: 'text', text }] }];
    const deltas = (chunks: readonly UIMessageChunk[]) => chunks.flatMap((c) => (c.type === 'text-delta' ? [c.delta] : []));

    /** Reads chunks until `until` holds or the stream ends (bounded by WAIT_MS); releases the reader. */
    async function readChunks(stream: ReadableStream<UIMessageChunk>, until: (chunks: UIMessageChunk[]) => boolean = () => false) {
      const chunks: UIMessageChunk[] = [];
      const reader = stream.getReader();
      const deadline = Date.now() + WAIT_MS;
      try {
        while (Date.now() < deadline) {
          const { done, value } = await reader.read();
          if (done) return { chunks, ended: true };
          chunks.push(value);
          if (until(chunks)) return { chunks, ended: false };
        }
        throw new Error('the stream did not end in time');
      } finally {
        reader.releaseLock();
      }
    }

    it('a reload mid-answer resumes it from GET {api}/{chatId}/stream: every token once, in order; then 204', async () => {
      const run = randomUUID();
      const chatId = `chat-${run}`;
      provider.behave({ tokens: TOKENS_OF(run), eventDelayMs: 25 });
      const abort = new AbortController();
      const first = await transport(proxy.baseUrl).sendMessages({
        chatId,
        messageId: undefined,
        trigger: 'submit-message',
        abortSignal: abort.signal,
        messages: userMessage(run),
      });
      const before = await readChunks(first, (chunks) => deltas(chunks).length >= 5);
      abort.abort(); // The page reloads: its request is gone, the answer goes on.
      const resumed = await transport(proxy.baseUrl).reconnectToStream({ chatId });
      assert.ok(resumed, 'an active stream to resume');
      const after = await readChunks(resumed);
      assert.ok(after.ended);
      assert.deepEqual(deltas(after.chunks), TOKENS_OF(run), 'the whole answer, from its start, each token once');
      assert.deepEqual(deltas(before.chunks), TOKENS_OF(run).slice(0, deltas(before.chunks).length));
      assert.equal(after.chunks[0]!.type, 'start');
      assert.deepEqual(
        after.chunks.slice(-2).map((c) => c.type),
        ['text-end', 'finish'],
      );
      assert.equal(await transport(proxy.baseUrl).reconnectToStream({ chatId }), null, 'finished: 204');
      assert.equal(await transport(proxy.baseUrl).reconnectToStream({ chatId: `never-${run}` }), null, 'unknown chat: 204');
      const calls = await finishedFor(run);
      assert.deepEqual(
        calls.map((c) => [c.reason, c.text]),
        [['completed', TOKENS_OF(run).join('')]],
      );
    });

    it('stop on the other worker ends the answer: provider closed, finish to the reader, on_finish "stopped" with the shown text', async () => {
      const run = randomUUID();
      const chatId = `chat-${run}`;
      provider.behave({ tokens: TOKENS_OF(run), eventDelayMs: 25 });
      // Started on worker 0; stopped through worker 1: the stop reaches the producer through Redis.
      const stream = await transport(workers[0]!.baseUrl).sendMessages({
        chatId,
        messageId: undefined,
        trigger: 'submit-message',
        abortSignal: undefined,
        messages: userMessage(run),
      });
      const reader = readChunks(stream);
      await providerRequest(run, 5);
      const stopped = await stop(workers[1]!.baseUrl, '/api/chat', chatId);
      assert.deepEqual([stopped.status, stopped.body], [200, { status: 'stopped' }]);
      await logStopToClose('ai-sdk', run, stopped.askedAt);
      const { chunks, ended } = await reader;
      assert.ok(ended);
      const shown = deltas(chunks).join('');
      assert.ok(deltas(chunks).length < TOKEN_COUNT, 'cut short');
      const finish = chunks.at(-1)!;
      assert.equal(finish.type, 'finish');
      assert.deepEqual((finish as { messageMetadata?: { finishReason?: string } }).messageMetadata?.finishReason, 'stopped');
      assert.equal(chunks.at(-2)!.type, 'text-end');
      const calls = await finishedFor(run);
      assert.deepEqual(
        calls.map((c) => [c.reason, c.text]),
        [['stopped', shown]],
      );
      const again = await stop(proxy.baseUrl, '/api/chat', chatId);
      assert.equal(again.status, 409, 'a finished stream: 409, nothing changed');
      assert.equal((await stop(proxy.baseUrl, '/api/chat', `never-${run}`)).status, 404);
      assert.equal(await transport(proxy.baseUrl).reconnectToStream({ chatId }), null);
      // Nothing more comes: one call, however long we look.
      assert.equal((await finishedFor(run)).length, 1);
    });

    it('a worker killed mid-answer: the reader gets a StreamLost error, on_finish is never called for it', async () => {
      const run = randomUUID();
      const chatId = `chat-${run}`;
      provider.behave({ tokens: TOKENS_OF(run), eventDelayMs: 25 });
      const victim = workers[0]!;
      const pid = await getJson<number>(`${victim.baseUrl}/pid`);
      const stream = await transport(victim.baseUrl).sendMessages({
        chatId,
        messageId: undefined,
        trigger: 'submit-message',
        abortSignal: undefined,
        messages: userMessage(run),
      });
      const reading = readChunks(stream).catch(() => undefined); // Its connection dies with the worker.
      await providerRequest(run, 5);
      process.kill(pid, 'SIGKILL');
      await reading;
      const resumed = await transport(workers[1]!.baseUrl).reconnectToStream({ chatId });
      assert.ok(resumed);
      const { chunks } = await readChunks(resumed);
      const last = chunks.at(-1)!;
      assert.equal(last.type, 'error');
      assert.match((last as { errorText: string }).errorText, /^StreamLost:/);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const calls = (await readFile(finishLog, 'utf8')).split('\n').filter((line) => line.includes(` ${run.slice(0, 8)}-`));
      assert.deepEqual(calls, [], 'the answer was lost with its worker: no on_finish, and none from another worker');
      // The killed worker is started again for the tests after this one.
      workers[0] = await startUvicorn({
        cwd: root,
        app: 'app.main:app',
        stack,
        env: { REDIS_URL: redis.url, PROVIDER_URL: provider.baseUrl, FINISH_LOG: finishLog },
      });
      await proxy.stop();
      proxy = await startNginxProxy(workers.map((w) => w.port));
    });
  });

  describe('openai: the openai npm client', () => {
    it('stop ends the stream as a normal end (finish_reason "stop", [DONE]); on_finish gets the text the client read', async () => {
      const run = randomUUID();
      provider.behave({ tokens: TOKENS_OF(run), eventDelayMs: 25 });
      const client = new OpenAI({ baseURL: `${workers[0]!.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0, timeout: WAIT_MS });
      const { data: stream, response } = await client.chat.completions
        .create({ model: 'm', stream: true, messages: [{ role: 'user', content: run }] })
        .withResponse();
      const streamId = response.headers.get('x-stream-id');
      assert.match(streamId ?? '', /^[0-9a-f]{32}$/);
      let text = '';
      let finishReason: string | null = null;
      let stopping: Promise<{ askedAt: number; status: number }> | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
        if (stopping === undefined && text.split(' ').length > 5) {
          stopping = stop(workers[1]!.baseUrl, '/v1/chat/completions', streamId!);
        }
      }
      const stopped = await stopping!;
      assert.equal(stopped.status, 200);
      await logStopToClose('openai', run, stopped.askedAt);
      assert.equal(finishReason, 'stop');
      assert.ok(text.length < TOKENS_OF(run).join('').length && TOKENS_OF(run).join('').startsWith(text), text);
      assert.deepEqual(
        (await finishedFor(run)).map((c) => [c.reason, c.text]),
        [['stopped', text]],
      );
    });

    it('the request sent again with Last-Event-ID gets the events after it', async () => {
      const run = randomUUID();
      provider.behave({ tokens: TOKENS_OF(run).slice(0, 8), eventDelayMs: 5 });
      const request = { model: 'm', stream: true, messages: [{ role: 'user', content: run }] };
      const first = await postEvents(`${proxy.baseUrl}/v1/chat/completions`, request);
      const again = await postEvents(`${proxy.baseUrl}/v1/chat/completions`, request, { 'last-event-id': first[2]!.id! });
      assert.deepEqual(
        again.map((e) => e.data),
        first.slice(3).map((e) => e.data),
      );
      assert.equal(again.at(-1)!.data, '[DONE]');
    });
  });

  describe('a real useChat page (resume: true) in Chromium', () => {
    let pageServer: PageServer;
    let browser: Browser;
    let page: Page;
    const shownText = (p: Page) => p.$$eval('[data-role="assistant"] [data-part="text"]', (elements) => elements.map((e) => e.textContent ?? '').join(''));
    /** A page-side predicate: the assistant's text so far, in Chromium. */
    const showsAtLeast = (p: Page, fragment: string) =>
      p.waitForFunction(
        `Array.from(document.querySelectorAll('[data-role="assistant"] [data-part="text"]'), (e) => e.textContent ?? '').join('').includes(${JSON.stringify(fragment)})`,
        undefined,
        { timeout: WAIT_MS },
      );

    before(async function () {
      if (stack.name !== 'current') this.skip(); // One browser run: the server side is the same on both stacks.
      [pageServer, browser] = await Promise.all([servePage(), launchBrowser()]);
    });

    after(async () => {
      await browser?.close();
      await pageServer?.close();
    });

    async function openChat(chatId: string): Promise<Page> {
      const opened = await browser.newPage();
      const failures: string[] = [];
      opened.on('pageerror', (error) => failures.push(error.message));
      await opened.goto(`${pageServer.origin}/?api=${encodeURIComponent(`${proxy.baseUrl}/api/chat`)}&chat=${encodeURIComponent(chatId)}`);
      await opened.waitForSelector('main[data-status="ready"]', { timeout: WAIT_MS });
      assert.deepEqual(failures, []);
      return opened;
    }

    afterEach(async () => {
      await page?.close();
    });

    /** Opens a chat page, sends a message and waits until five tokens of the answer are shown. */
    async function askMidAnswer(): Promise<{ run: string; tokens: string[] }> {
      const run = randomUUID();
      const tokens = TOKENS_OF(run);
      provider.behave({ tokens, eventDelayMs: 25 });
      page = await openChat(`chat-${run}`);
      await page.fill('input[name="prompt"]', run);
      await page.click('button[type="submit"]');
      await showsAtLeast(page, tokens.slice(0, 5).join(''));
      return { run, tokens };
    }

    it('a reload mid-answer shows the whole answer once, resumed on whichever worker', async () => {
      const { run, tokens } = await askMidAnswer();
      await page.reload();
      await showsAtLeast(page, tokens.join(''));
      await page.waitForSelector('main[data-status="ready"]', { timeout: WAIT_MS });
      assert.equal(await shownText(page), tokens.join(''), 'every token once, in order');
      assert.deepEqual(
        (await finishedFor(run)).map((c) => [c.reason, c.text]),
        [['completed', tokens.join('')]],
      );
    });

    it('Stop closes the provider connection, and on_finish gets "stopped" with exactly the text the page shows', async () => {
      const { run, tokens } = await askMidAnswer();
      const askedAt = wallClockMs();
      await page.click('text=Stop');
      await logStopToClose('useChat page', run, askedAt);
      await page.waitForSelector('main[data-status="ready"]', { timeout: WAIT_MS });
      const shown = await shownText(page);
      assert.ok(shown.length < tokens.join('').length && tokens.join('').startsWith(shown), shown);
      assert.deepEqual(
        (await finishedFor(run)).map((c) => [c.reason, c.text]),
        [['stopped', shown]],
      );
    });
  });

  describe('sse: fetch + eventsource-parser', () => {
    it('stop ends the stream with done {"finish_reason": "stopped"} and the text so far; on_finish agrees', async () => {
      const run = randomUUID();
      provider.behave({ tokens: TOKENS_OF(run), eventDelayMs: 25 });
      const events: EventSourceMessage[] = [];
      const reading = fetch(`${workers[0]!.baseUrl}/stream?prompt=${run}`).then(async (response) => {
        const parser = createParser({ onEvent: (event) => events.push(event) });
        const decoder = new TextDecoder();
        for await (const chunk of response.body!) parser.feed(decoder.decode(chunk, { stream: true }));
      });
      await providerRequest(run, 5);
      const streamId = await eventually('the first event id', async () => events[0]?.id?.split(':')[0], WAIT_MS);
      const stopped = await stop(workers[1]!.baseUrl, '/stream', streamId);
      assert.equal(stopped.status, 200);
      await logStopToClose('sse', run, stopped.askedAt);
      await reading;
      const done = events.at(-1)!;
      assert.equal(done.event, 'done');
      const shown = events
        .filter((e) => e.event === 'token')
        .map((e) => (JSON.parse(e.data) as { text: string }).text)
        .join('');
      const data = JSON.parse(done.data) as { text: string; finish_reason: string };
      assert.deepEqual([data.finish_reason, data.text], ['stopped', shown]);
      assert.deepEqual(
        (await finishedFor(run)).map((c) => [c.reason, c.text]),
        [['stopped', shown]],
      );
      assert.equal((await stop(proxy.baseUrl, '/stream', streamId)).status, 409);
      assert.equal((await stop(proxy.baseUrl, '/stream', 'not-an-id')).status, 404);
    });
  });
}

/** POSTs `body` and reads the whole SSE response (bounded), each event with its id. */
async function postEvents(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  assert.equal(response.status, 200);
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  parser.feed(await response.text());
  return events;
}
