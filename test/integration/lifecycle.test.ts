/**
 * The answer's lifecycle (issue 19) with the REAL SDKs of the current stack against the local provider
 * (test/support/providers), through the routes of test/fixtures/llm/apps/lifecycle_app.py, which wrap each
 * SDK's typed-parts adapter in `with_on_finish` and record what `on_finish` receives:
 *
 *  - `on_finish` is called exactly once per answer: completed, client left with `cancel` (the provider sees
 *    its connection close), client left with `finish` (the provider writes the answer to its end and the
 *    whole text is saved), failed, timed out (connected, and after the client left), and when it raises
 *    (the client's stream is unaffected and the server keeps serving);
 *  - the usage is the provider's own figures (which differ from the number of deltas on purpose): on the
 *    sse `done` event, in `on_finish`, in the AI SDK's message metadata as the `ai` package assembles it,
 *    and in the usage chunk the `openai` npm client reads.
 *
 * On both Python stacks (anyio 3 and 4), without an SDK (test/fixtures/streaming/lifecycle_plain_app.py): once for
 * a completed answer, a client that left under `cancel` and under `finish`, a failing source and a timeout.
 */
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DefaultChatTransport, readUIMessageStream, type UIMessage } from 'ai';
import OpenAI from 'openai';
import { startProviderServer, type ProviderServer, type ProviderUsage } from '../support/providers/server';
import { PYTHON_STACKS, pythonStack } from '../support/python';
import { writeGeneratedStreaming } from '../support/streamingPackage';
import { makeTempDir } from '../support/tempdir';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { eventually, getJson, openStream, parseSse, readStream } from '../support/wire';

const CURRENT = pythonStack('current');
const APP = path.join(__dirname, '../fixtures/llm/apps/lifecycle_app.py');
const PLAIN_APP = path.join(__dirname, '../fixtures/streaming/lifecycle_plain_app.py');
const SDKS = ['anthropic', 'openai', 'responses', 'groq', 'litellm'] as const;
const TOKENS = ['Streams', ' arrive', ' one', ' délta', ' at', ' a', ' time', ' 🙂', '.'];
/** Not one output token per delta, so a counted figure cannot pass for the provider's. */
const USAGE: ProviderUsage = { input: 40, output: 7, cached: 10, reasoning: 3 };
const REPORTED = { input_tokens: 40, output_tokens: 7, cached_input_tokens: 10, reasoning_tokens: 3 };

interface Finished {
  readonly text: string;
  readonly finish_reason: string;
  readonly usage: Record<string, unknown>;
  readonly model: string | null;
  readonly time_to_first_token: number | null;
  readonly duration: number;
}

const eventsOf = (body: Buffer) => parseSse(body.toString('utf8')).events;
const tokenCount = (body: Buffer) => eventsOf(body).filter((e) => e.event === 'token').length;
const many = (n: number) => Array.from({ length: n }, (_, i) => ` t${i}`);

describe(`answer lifecycle: on_finish and usage with the real SDKs ${CURRENT.tag}`, function () {
  this.timeout(120_000);
  let dir: string;
  let provider: ProviderServer;
  let app: RunningServer;

  before(async () => {
    dir = await makeTempDir('lifecycle');
    await writeGeneratedStreaming(dir);
    await writeFile(path.join(dir, 'lifecycle_app.py'), await readFile(APP, 'utf8'));
    provider = await startProviderServer();
    app = await startUvicorn({
      cwd: dir,
      app: 'lifecycle_app:app',
      env: { ...provider.sdkEnvironment(), LITELLM_LOCAL_MODEL_COST_MAP: 'True' },
      python: (await CURRENT.interpreter()).command,
    });
  });

  after(async () => {
    await app?.stop();
    await provider?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    provider.clear();
    await getJson(`${app.baseUrl}/finished`, 'DELETE');
  });

  const finished = () => getJson<Finished[]>(`${app.baseUrl}/finished`);
  /** The one on_finish result, once there is one; then checks, a moment later, that no second call came. */
  async function finishedOnce(timeoutMs = 10_000): Promise<Finished> {
    const results = await eventually('on_finish was called', async () => ((await finished()).length > 0 ? finished() : undefined), timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const again = await finished();
    assert.equal(again.length, 1, `on_finish called ${again.length} times: ${JSON.stringify(again.map((r) => r.finish_reason))}\n${app.output()}`);
    return results[0]!;
  }

  for (const sdk of SDKS) {
    describe(sdk, () => {
      it('completed: done carries the finish reason and the provider usage; on_finish gets the text and the same usage', async () => {
        provider.behave({ tokens: TOKENS, usage: USAGE });
        const stream = await readStream(`${app.baseUrl}/sse/${sdk}`);
        assert.equal(stream.status, 200, `${stream.body().toString('utf8')}\n${app.output()}`);
        const done = eventsOf(stream.body()).at(-1)!;
        assert.equal(done.event, 'done', stream.body().toString('utf8'));
        assert.deepEqual(JSON.parse(done.data), { text: TOKENS.join(''), token_count: TOKENS.length, finish_reason: 'completed', usage: REPORTED });
        const result = await finishedOnce();
        assert.equal(result.finish_reason, 'completed');
        assert.equal(result.text, TOKENS.join(''));
        assert.deepEqual(pickUsage(result.usage), REPORTED);
        assert.ok(result.model, 'the model is named');
        assert.ok(result.time_to_first_token !== null && result.time_to_first_token <= result.duration);
      });

      it('client left, cancel: the provider connection closes and on_finish gets client-left with the text so far', async () => {
        provider.behave({ tokens: many(200), eventDelayMs: 20 });
        const stream = await openStream(`${app.baseUrl}/sse/${sdk}?policy=cancel`);
        await stream.waitFor((body) => tokenCount(body) >= 3, 'three tokens', 15_000);
        const request = provider.requests[0]!;
        stream.close();
        await provider.closed(request.connection, 5_000);
        const result = await finishedOnce();
        assert.equal(result.finish_reason, 'client-left');
        assert.equal(request.outcome, 'connection-closed');
        assert.ok(result.text.startsWith(' t0 t1 t2'), result.text);
        assert.ok(result.text.length < many(200).join('').length, 'only the text before the client left');
      });

      it('client left, finish: the provider writes the whole answer and on_finish saves all of it with the usage', async () => {
        provider.behave({ tokens: many(60), eventDelayMs: 10, usage: USAGE });
        const stream = await openStream(`${app.baseUrl}/sse/${sdk}?policy=finish`);
        await stream.waitFor((body) => tokenCount(body) >= 3, 'three tokens', 15_000);
        stream.close();
        const result = await finishedOnce(15_000);
        assert.equal(result.finish_reason, 'completed');
        assert.equal(result.text, many(60).join(''));
        assert.deepEqual(pickUsage(result.usage), REPORTED);
        assert.equal(provider.requests[0]!.outcome, 'complete', 'the provider wrote the answer to its end');
      });
    });
  }

  describe('the other ends (openai chat)', () => {
    it('error: the client gets the error event and on_finish gets error with the text before it', async () => {
      provider.behave({ tokens: TOKENS, streamErrorAfter: 3 });
      const stream = await readStream(`${app.baseUrl}/sse/openai`);
      assert.deepEqual(
        eventsOf(stream.body()).map((e) => e.event),
        ['token', 'token', 'token', 'error'],
      );
      const result = await finishedOnce();
      assert.equal(result.finish_reason, 'error');
      assert.equal(result.text, TOKENS.slice(0, 3).join(''));
    });

    it('timeout, client connected: the answer is cut at max_duration, the client gets an error, on_finish gets timeout', async () => {
      provider.behave({ tokens: many(400), eventDelayMs: 10 });
      const stream = await readStream(`${app.baseUrl}/sse/openai?max=0.5`);
      const events = eventsOf(stream.body());
      const last = events.at(-1)!;
      assert.equal(last.event, 'error', stream.body().toString('utf8').slice(-300));
      assert.equal((JSON.parse(last.data) as { type: string }).type, 'AnswerTimeout');
      const result = await finishedOnce();
      assert.equal(result.finish_reason, 'timeout');
      assert.ok(result.duration >= 0.5 && result.duration < 5, `duration ${result.duration}`);
      await provider.closed(provider.requests[0]!.connection, 5_000);
    });

    it('timeout, client gone with finish: the background read stops at max_duration and closes the provider', async () => {
      provider.behave({ tokens: many(400), eventDelayMs: 10 });
      const stream = await openStream(`${app.baseUrl}/sse/openai?policy=finish&max=1`);
      await stream.waitFor((body) => tokenCount(body) >= 3, 'three tokens', 15_000);
      stream.close();
      const result = await finishedOnce();
      assert.equal(result.finish_reason, 'timeout');
      assert.ok(result.text.length > 0 && result.text.length < many(400).join('').length);
      await provider.closed(provider.requests[0]!.connection, 5_000);
      assert.equal(provider.requests[0]!.outcome, 'connection-closed');
    });

    it('on_finish raising: the client gets its whole answer, the error is logged, the server keeps serving', async () => {
      provider.behave({ tokens: TOKENS, usage: USAGE });
      const first = await readStream(`${app.baseUrl}/sse/openai?raising=true`);
      assert.equal(eventsOf(first.body()).at(-1)?.event, 'done');
      assert.equal((await finishedOnce()).finish_reason, 'completed');
      await eventually('the exception is in the server log', async () => (app.output().includes('the database is down') ? true : undefined));
      const second = await readStream(`${app.baseUrl}/sse/openai`);
      assert.equal(eventsOf(second.body()).at(-1)?.event, 'done');
      assert.ok(!first.body().toString('utf8').includes('database'), 'nothing of the exception reaches the client');
    });
  });

  describe('usage reaches the clients', () => {
    it('ai-sdk: the ai package puts the model, the finish reason and the usage on the message metadata', async () => {
      provider.behave({ tokens: TOKENS, usage: USAGE });
      const transport = new DefaultChatTransport<UIMessage>({ api: `${app.baseUrl}/ai-sdk/anthropic` });
      const stream = await transport.sendMessages({
        chatId: 'chat-1',
        messageId: undefined,
        trigger: 'submit-message',
        abortSignal: undefined,
        messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Say hello' }] }],
      });
      const snapshots: UIMessage[] = [];
      for await (const message of readUIMessageStream<UIMessage>({ stream })) {
        snapshots.push(structuredClone(message));
        if (snapshots.length > 1_000) throw new Error('runaway stream');
      }
      assert.deepEqual(snapshots[0]?.metadata, { model: 'claude-haiku-4-5' }, 'the start part names the model');
      assert.deepEqual(snapshots.at(-1)?.metadata, {
        model: 'claude-haiku-4-5',
        finishReason: 'completed',
        usage: { inputTokens: 40, outputTokens: 7, cachedInputTokens: 10, reasoningTokens: 3 },
      });
      assert.equal((await finishedOnce()).finish_reason, 'completed');
    });

    it('openai: the openai npm client reads the provider usage in the usage chunk', async () => {
      provider.behave({ tokens: TOKENS, usage: USAGE });
      // The client posts to {baseURL}/chat/completions; the fixture's route is /openai/{sdk}.
      const client = new OpenAI({ baseURL: app.baseUrl, apiKey: 'k', maxRetries: 0, fetch: rewrite('/chat/completions', '/openai/groq') });
      const stream = await client.chat.completions.create({
        model: 'any',
        messages: [{ role: 'user', content: 'Say hello' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let usage: OpenAI.CompletionUsage | undefined;
      let content = '';
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        content += chunk.choices[0]?.delta.content ?? '';
      }
      assert.equal(content, TOKENS.join(''));
      assert.deepEqual(usage, {
        prompt_tokens: 40,
        completion_tokens: 7,
        total_tokens: 47,
        prompt_tokens_details: { cached_tokens: 10 },
        completion_tokens_details: { reasoning_tokens: 3 },
      });
    });
  });
});

for (const stack of PYTHON_STACKS) {
  describe(`answer lifecycle without an SDK ${stack.tag}`, function () {
    this.timeout(60_000);
    let dir: string;
    let app: RunningServer;

    before(async () => {
      dir = await makeTempDir('lifecycle-plain');
      await writeGeneratedStreaming(dir);
      await writeFile(path.join(dir, 'lifecycle_plain_app.py'), await readFile(PLAIN_APP, 'utf8'));
      app = await startUvicorn({ cwd: dir, app: 'lifecycle_plain_app:app', python: (await stack.interpreter()).command });
    });

    after(async () => {
      await app?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    beforeEach(() => getJson(`${app.baseUrl}/finished`, 'DELETE'));

    /** The one result on_finish got (a second call within 300 ms fails the test). */
    async function once(): Promise<Finished> {
      const first = await eventually('on_finish was called', async () => {
        const results = await getJson<Finished[]>(`${app.baseUrl}/finished`);
        return results.length > 0 ? results : undefined;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await getJson<Finished[]>(`${app.baseUrl}/finished`)).length, 1, app.output());
      return first[0]!;
    }
    const text = (n: number) => Array.from({ length: n }, (_, i) => ` w${i}`).join('');

    it('completed: done and on_finish carry the usage the source reported', async () => {
      const stream = await readStream(`${app.baseUrl}/sse?n=5`);
      const done = eventsOf(stream.body()).at(-1)!;
      assert.deepEqual(JSON.parse(done.data), { text: text(5), token_count: 5, finish_reason: 'completed', usage: { input_tokens: 5, output_tokens: 5 } });
      const result = await once();
      assert.deepEqual([result.finish_reason, result.text, result.model], ['completed', text(5), 'words']);
      assert.deepEqual(pickUsage(result.usage), { input_tokens: 5, output_tokens: 5, cached_input_tokens: null, reasoning_tokens: null });
    });

    for (const [policy, reason] of [
      ['cancel', 'client-left'],
      ['finish', 'completed'],
    ] as const) {
      it(`client left, ${policy}: on_finish gets ${reason}`, async () => {
        const stream = await openStream(`${app.baseUrl}/sse?n=40&pause=0.02&policy=${policy}`);
        await stream.waitFor((body) => tokenCount(body) >= 3, 'three tokens', 10_000);
        stream.close();
        const result = await once();
        assert.equal(result.finish_reason, reason);
        if (policy === 'finish') {
          assert.equal(result.text, text(40), 'the whole answer');
        } else {
          assert.ok(result.text.length < text(40).length && result.text.startsWith(text(3)), result.text);
        }
      });
    }

    it('error and timeout: on_finish gets each once', async () => {
      const failed = await readStream(`${app.baseUrl}/sse?n=5&fail_after=2`);
      assert.equal(eventsOf(failed.body()).at(-1)?.event, 'error');
      assert.deepEqual([(await once()).finish_reason], ['error']);
      await getJson(`${app.baseUrl}/finished`, 'DELETE');
      const slow = await readStream(`${app.baseUrl}/sse?n=100&pause=0.02&max=0.3`);
      assert.equal(eventsOf(slow.body()).at(-1)?.event, 'error');
      const result = await once();
      assert.equal(result.finish_reason, 'timeout');
      assert.ok(result.duration >= 0.3 && result.duration < 3, `duration ${result.duration}`);
    });
  });
}

/** The four token counts of a recorded Usage (its finish_reasons are the provider's own, per API). */
function pickUsage(usage: Record<string, unknown>) {
  const { input_tokens, output_tokens, cached_input_tokens, reasoning_tokens } = usage;
  return { input_tokens, output_tokens, cached_input_tokens, reasoning_tokens };
}

/** A fetch that sends requests for `from` to `to` (the openai client appends its own path to baseURL). */
function rewrite(from: string, to: string): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    url.pathname = url.pathname.replace(from, to);
    return fetch(url, init);
  };
}
