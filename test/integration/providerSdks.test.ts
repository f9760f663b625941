/**
 * The generated package's provider adapters (providers/) with the REAL SDKs of the current stack (anthropic, openai with
 * Chat Completions, Responses and the Azure client, groq), pointed through their standard base-URL settings
 * at the local provider of test/support/providers, which speaks each API's documented wire format and sees
 * every upstream connection. The SDKs are not part of Debian's oldest stack, so this runs on the current one.
 *
 * Shown for each adapter route of test/fixtures/llm/apps/adapters_app.py: every token arrives in order, then
 * `done`; a client that leaves after a few tokens makes the SDK close its upstream connection (seen at the
 * provider, within a generous 1 s deadline), both while the provider is still writing and when the whole answer
 * already waits unread in the socket buffers; an upstream failure, an HTTP error before the stream (after the
 * SDK's own retries) or an error event inside it, becomes one `error` event and a clean end.
 */
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startProviderServer, type ApiName, type ProviderServer } from '../support/providers/server';
import { pythonStack } from '../support/python';
import { importingFromPackage, writeGeneratedStreaming } from '../support/streamingPackage';
import { makeTempDir } from '../support/tempdir';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { openStream, parseSse, readStream, wallClockMs } from '../support/wire';

const CURRENT = pythonStack('current');
const APP = path.join(__dirname, '../fixtures/llm/apps/adapters_app.py');

/** Route of adapters_app.py -> the API its SDK calls, and the request the provider must have seen. */
const ROUTES: ReadonlyArray<{
  readonly route: string;
  readonly sdk: string;
  readonly api: ApiName;
  readonly url: RegExp;
  readonly auth: string;
  readonly textOnly?: boolean;
  readonly errorType?: string;
}> = [
  { route: '/anthropic/create', sdk: 'anthropic messages.create(stream=True)', api: 'anthropic', url: /^\/v1\/messages$/, auth: 'authorization' },
  { route: '/anthropic/awaited', sdk: 'anthropic messages.create(stream=True), awaited', api: 'anthropic', url: /^\/v1\/messages$/, auth: 'authorization' },
  { route: '/anthropic/manager', sdk: 'anthropic messages.stream()', api: 'anthropic', url: /^\/v1\/messages$/, auth: 'authorization' },
  { route: '/openai/chat', sdk: 'openai chat.completions', api: 'openai-chat', url: /^\/v1\/chat\/completions$/, auth: 'authorization' },
  { route: '/openai/responses', sdk: 'openai responses', api: 'openai-responses', url: /^\/v1\/responses$/, auth: 'authorization' },
  {
    route: '/azure/chat',
    sdk: 'openai AsyncAzureOpenAI chat.completions',
    api: 'azure-chat',
    url: /^\/openai\/deployments\/gpt-4o-deployment\/chat\/completions\?api-version=2024-10-21$/,
    auth: 'api-key',
  },
  { route: '/groq/chat', sdk: 'groq chat.completions', api: 'groq-chat', url: /^\/openai\/v1\/chat\/completions$/, auth: 'authorization' },
  { route: '/litellm/chat', sdk: 'litellm acompletion(stream=True)', api: 'openai-chat', url: /^\/v1\/chat\/completions$/, auth: 'authorization' },
  // langchain_text_stream reads text only: no /parts route.
  {
    route: '/langchain/chat',
    sdk: 'langchain-openai ChatOpenAI.astream',
    api: 'openai-chat',
    url: /^\/v1\/chat\/completions$/,
    auth: 'authorization',
    textOnly: true,
    // langchain-openai re-raises openai's InternalServerError as its subclass OpenAIAPIError.
    errorType: 'OpenAIAPIError',
  },
  {
    route: '/langchain/responses',
    sdk: 'langchain-openai ChatOpenAI(use_responses_api=True).astream, content blocks',
    api: 'openai-responses',
    url: /^\/v1\/responses$/,
    auth: 'authorization',
    textOnly: true,
    errorType: 'OpenAIAPIError',
  },
];

/** The SDKs' default max_retries: a retryable HTTP error is tried this many times more. */
const SDK_RETRIES = 2;

const TOKENS = ['Streams', ' arrive', ' one', ' délta', ' at', ' a', ' time', ' 🙂', '.'];
const tokenEvent = (text: string) => `event: token\ndata: ${JSON.stringify({ text })}\n\n`;
const doneEvent = (text: string, count: number, usage?: Record<string, number>) =>
  `event: done\ndata: ${JSON.stringify({ text, token_count: count, finish_reason: 'completed', ...(usage ? { usage } : {}) })}\n\n`;
/**
 * The usage the typed-parts adapters read from each API's default answer (test/support/providers: 12 prompt
 * tokens, one output token per delta), as `done` reports it: Anthropic's message_start and message_delta, the
 * Responses API's response.completed, Groq's x_groq.usage; Chat Completions without stream_options none.
 */
const PARTS_USAGE: Readonly<Record<string, Record<string, number> | undefined>> = {
  '/parts/anthropic/create': { input_tokens: 12, output_tokens: TOKENS.length, cached_input_tokens: 0 },
  '/parts/anthropic/manager': { input_tokens: 12, output_tokens: TOKENS.length, cached_input_tokens: 0 },
  '/parts/openai/responses': { input_tokens: 12, output_tokens: TOKENS.length, cached_input_tokens: 0, reasoning_tokens: 0 },
  '/parts/groq/chat': { input_tokens: 12, output_tokens: TOKENS.length },
};
const eventsOf = (body: Buffer) => parseSse(body.toString('utf8')).events;
const tokenCount = (body: Buffer) => eventsOf(body).filter((e) => e.event === 'token').length;

describe(`provider adapters with the real SDKs ${CURRENT.tag}`, function () {
  this.timeout(120_000);
  let dir: string;
  let provider: ProviderServer;
  let app: RunningServer;
  /** Client hang-up -> upstream connection closed, per SDK (ms), printed at the end. */
  const closeDelays: string[] = [];
  const bufferedCloseDelays: string[] = [];

  before(async () => {
    dir = await makeTempDir('provider-sdks');
    // The app is written for the single module (llmFix.test.ts type-checks it beside one); here it imports
    // the same names from the generated package.
    await writeGeneratedStreaming(dir);
    await writeFile(path.join(dir, 'adapters_app.py'), await importingFromPackage(await readFile(APP, 'utf8')));
    provider = await startProviderServer();
    app = await startUvicorn({
      cwd: dir,
      app: 'adapters_app:app',
      env: { ...provider.sdkEnvironment(), LITELLM_LOCAL_MODEL_COST_MAP: 'True' },
      python: (await CURRENT.interpreter()).command,
    });
  });

  after(async () => {
    await app?.stop();
    await provider?.stop();
    await rm(dir, { recursive: true, force: true });
    if (closeDelays.length > 0) {
      console.log(`      upstream connection closed after the client left, provider streaming: ${closeDelays.join('; ')}`);
    }
    if (bufferedCloseDelays.length > 0) {
      console.log(`      upstream connection closed after the client left, answer buffered: ${bufferedCloseDelays.join('; ')}`);
    }
  });

  beforeEach(() => provider.clear());

  /** The one request the route made upstream, checked against the API's path and credentials. */
  function upstreamRequest(route: (typeof ROUTES)[number]) {
    assert.equal(provider.requests.length, 1, `${route.route}: ${provider.requests.map((r) => r.url).join(', ')}`);
    const request = provider.requests[0]!;
    assert.equal(request.api, route.api);
    assert.match(request.url, route.url);
    assert.ok(request.headers[route.auth], `${route.route}: the SDK sent its ${route.auth} header`);
    assert.equal(request.stream, true, `${route.route}: the SDK asked for a stream`);
    return request;
  }

  for (const route of ROUTES) {
    describe(`${route.sdk} (${route.route})`, () => {
      it('streams every token in order, then done, and ends the body cleanly', async () => {
        provider.behave({ tokens: TOKENS });
        const stream = await readStream(`${app.baseUrl}${route.route}`);
        assert.equal(stream.status, 200, `${stream.body().toString('utf8')}\n${app.output()}`);
        assert.equal(stream.body().toString('utf8'), TOKENS.map(tokenEvent).join('') + doneEvent(TOKENS.join(''), TOKENS.length));
        assert.equal(stream.complete, true);
        assert.equal(upstreamRequest(route).outcome, 'complete');
      });

      it('closes the upstream connection within 1 s when the client leaves after a few tokens', async () => {
        const many = Array.from({ length: 200 }, (_, i) => ` t${i}`);
        // 200 tokens at 20 ms an event: the provider would be writing for over 4 s.
        provider.behave({ tokens: many, eventDelayMs: 20 });
        const stream = await openStream(`${app.baseUrl}${route.route}`);
        await stream.waitFor((body) => tokenCount(body) >= 3, 'three tokens', 15_000);
        const request = upstreamRequest(route);
        assert.equal(provider.connections.get(request.connection)?.closedAt, undefined, 'the upstream connection is open while tokens flow');
        const leftAt = wallClockMs();
        stream.close();
        const closedAt = await provider.closed(request.connection, 10_000);
        const delay = closedAt - leftAt;
        closeDelays.push(`${route.sdk} ${delay.toFixed(0)} ms`);
        assert.ok(delay >= 0, 'the upstream connection closed after the client left, not before');
        assert.ok(delay <= 1_000, `the upstream connection closed ${delay.toFixed(0)} ms after the client left (deadline 1 s)`);
        assert.equal(request.outcome, 'connection-closed', 'the provider was cut off mid-answer');
        assert.ok(request.tokensWritten < many.length / 2, `${request.tokensWritten} of ${many.length} tokens were written upstream`);
      });

      it('closes the upstream connection within 1 s when the client leaves while the whole answer waits unread upstream', async () => {
        // A fast provider: the whole answer is written at once and waits in the socket buffers, so the app is not
        // awaiting a read when the client leaves (a cancelled read makes httpx drop the connection by itself).
        // Here only the adapter's close() releases the connection: openai's and groq's AsyncStream sit in a
        // reference cycle, so without it the connection stays open until the garbage collector runs.
        const many = Array.from({ length: 5_000 }, (_, i) => ` t${i}`);
        provider.behave({ tokens: many });
        const stream = await openStream(`${app.baseUrl}${route.route}`);
        await stream.waitFor((body) => tokenCount(body) >= 3, 'three tokens', 15_000);
        const request = upstreamRequest(route);
        const leftAt = wallClockMs();
        stream.close();
        assert.ok(!stream.body().includes('event: done'), 'the client left before the end of the answer');
        const closedAt = await provider.closed(request.connection, 10_000);
        const delay = closedAt - leftAt;
        bufferedCloseDelays.push(`${route.sdk} ${delay.toFixed(0)} ms`);
        assert.ok(delay >= 0 && delay <= 1_000, `the upstream connection closed ${delay.toFixed(0)} ms after the client left (deadline 1 s)`);
      });

      it('an HTTP error before the stream (after the SDK retries) becomes one error event and a clean end', async () => {
        provider.behave({ tokens: TOKENS, failStatus: route.api === 'anthropic' ? 529 : 500 });
        const stream = await readStream(`${app.baseUrl}${route.route}`);
        if (route.route === '/anthropic/awaited') {
          // Awaited in the route, the call fails before the response starts: why the fixes leave it to the adapter.
          assert.equal(stream.status, 500);
          assert.equal(provider.requests.length, 1 + SDK_RETRIES);
          return;
        }
        assert.equal(stream.status, 200, `${stream.body().toString('utf8')}\n${app.output()}`);
        const events = eventsOf(stream.body());
        assert.deepEqual(
          events.map((e) => e.event),
          ['error'],
        );
        const error = JSON.parse(events[0]!.data) as { type: unknown; message: unknown };
        assert.equal(error.type, route.errorType ?? (route.api === 'anthropic' ? 'OverloadedError' : 'InternalServerError'));
        assert.equal(typeof error.message, 'string');
        assert.equal(stream.complete, true);
        assert.equal(provider.requests.length, 1 + SDK_RETRIES, 'the SDK retried a retryable status its default number of times');
      });

      it('an error event inside the stream becomes one error event after the tokens before it, and a clean end', async () => {
        provider.behave({ tokens: TOKENS, streamErrorAfter: 3 });
        const stream = await readStream(`${app.baseUrl}${route.route}`);
        assert.equal(stream.status, 200);
        const events = eventsOf(stream.body());
        assert.deepEqual(
          events.map((e) => e.event),
          ['token', 'token', 'token', 'error'],
        );
        assert.deepEqual(
          events.slice(0, 3).map((e) => (JSON.parse(e.data) as { text: string }).text),
          TOKENS.slice(0, 3),
        );
        assert.equal(stream.complete, true);
        upstreamRequest(route);
      });
    });
  }

  // The typed-parts adapters (anthropic_stream_parts, openai_stream_parts, openai_responses_stream_parts) on the
  // same SDK calls, the provider sending reasoning before the text and two tool calls after it in each API's
  // format: Anthropic thinking (thinking_delta, signature_delta) and tool_use blocks (input_json_delta), Chat
  // Completions reasoning deltas and delta.tool_calls, Responses reasoning summary and function_call items.
  for (const route of ROUTES.filter((r) => r.route !== '/anthropic/awaited' && !r.textOnly)) {
    const partsRoute = `/parts${route.route}`;
    describe(`${route.sdk}, typed parts (${partsRoute})`, () => {
      it('streams reasoning, then the text, then each tool call with its parsed input, then done', async () => {
        provider.behave({ tokens: TOKENS, reasoning: REASONING, toolCalls: TOOL_CALLS });
        const stream = await readStream(`${app.baseUrl}${partsRoute}`);
        assert.equal(stream.status, 200, `${stream.body().toString('utf8')}\n${app.output()}`);
        assert.equal(
          stream.body().toString('utf8'),
          REASONING.map((text) => `event: reasoning\ndata: ${JSON.stringify({ text })}\n\n`).join('') +
            TOKENS.map(tokenEvent).join('') +
            `event: tool_call\ndata: ${JSON.stringify({ id: 'call_weather', name: 'get_weather', input: { city: 'Paris', unit: 'c' } })}\n\n` +
            `event: tool_call\ndata: ${JSON.stringify({ id: 'call_time', name: 'get_time', input: {} })}\n\n` +
            doneEvent(TOKENS.join(''), TOKENS.length, PARTS_USAGE[partsRoute]),
        );
        assert.equal(upstreamRequest(route).outcome, 'complete');
      });

      /** Leaves after three tokens; resolves with the upstream request and how long after it its connection closed. */
      async function leaveAfterThreeTokens(tokenCountUpstream: number, eventDelayMs?: number) {
        const many = Array.from({ length: tokenCountUpstream }, (_, i) => ` t${i}`);
        provider.behave({ tokens: many, reasoning: REASONING, toolCalls: TOOL_CALLS, ...(eventDelayMs ? { eventDelayMs } : {}) });
        const stream = await openStream(`${app.baseUrl}${partsRoute}`);
        await stream.waitFor((body) => tokenCount(body) >= 3, 'three tokens', 15_000);
        const request = upstreamRequest(route);
        const leftAt = wallClockMs();
        stream.close();
        const delay = (await provider.closed(request.connection, 10_000)) - leftAt;
        assert.ok(delay >= 0 && delay <= 1_000, `the upstream connection closed ${delay.toFixed(0)} ms after the client left (deadline 1 s)`);
        return request;
      }

      it('closes the upstream connection within 1 s when the client leaves mid-answer', async () => {
        const request = await leaveAfterThreeTokens(200, 20);
        assert.equal(request.outcome, 'connection-closed');
      });

      it('closes the upstream connection within 1 s when the client leaves while the whole answer waits unread upstream', async () => {
        // Only the adapter's close() releases the connection here (see the same test of the text adapters).
        await leaveAfterThreeTokens(5_000);
      });
    });
  }
});

const REASONING = ['The user wants', ' the weather', ' and the time.'];
const TOOL_CALLS = [
  { id: 'call_weather', name: 'get_weather', arguments: ['{"city": "Pa', 'ris", "unit"', ': "c"}'] },
  { id: 'call_time', name: 'get_time', arguments: [] },
];
