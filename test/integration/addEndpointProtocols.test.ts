/**
 * `add-endpoint --protocol ai-sdk|openai` on a fixture app, served by real uvicorn on each Python stack: the
 * route answers at the URL the CLI printed with the protocol's bytes (the AI SDK UI message stream with its
 * header; OpenAI Chat Completions streamed, with usage, and not streamed), refuses a request without a user
 * message or with wrong types with 422, and a second run changes nothing. The real client libraries (the `ai`
 * package, the OpenAI clients) consume these routes in their own tests; here the wire itself is checked.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { PYTHON_STACKS, type PythonStack } from '../support/python';
import { makeTempDir } from '../support/tempdir';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { parseSse, readStream } from '../support/wire';
import { copyFixture, runCli, treeDigest } from './addEndpointSupport';

interface EndpointJson {
  status: string;
  protocol: string;
  endpoint: { url: string; method: string; protocol: string; serve: { app: string } };
}

const PROMPT = 'Is it streaming?';
const AI_SDK_BODY = {
  id: 'chat-1',
  trigger: 'submit-message',
  messages: [
    { id: 'm1', role: 'user', parts: [{ type: 'text', text: 'An earlier question' }] },
    { id: 'm2', role: 'assistant', parts: [{ type: 'step-start' }, { type: 'text', text: 'An answer' }] },
    { id: 'm3', role: 'user', parts: [{ type: 'text', text: PROMPT }] },
  ],
};
const openaiBody = (extra: Record<string, unknown>) => ({
  model: 'my-model',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: PROMPT }] },
  ],
  ...extra,
});

/** The JSON data of every event, and whether the stream ended with `data: [DONE]`. */
function dataEvents(body: Buffer): { readonly data: Array<Record<string, unknown>>; readonly done: boolean } {
  const events = parseSse(body.toString('utf8')).events;
  const done = events.at(-1)?.data === '[DONE]';
  assert.ok(
    events.every((e) => e.event === undefined),
    'data-only events',
  );
  return { data: (done ? events.slice(0, -1) : events).map((e) => JSON.parse(e.data) as Record<string, unknown>), done };
}

async function addEndpoint(dir: string, protocol: string): Promise<EndpointJson> {
  const run = await runCli(['add-endpoint', '--workspace', dir, '--protocol', protocol, '--json']);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as EndpointJson;
}

for (const stack of PYTHON_STACKS) {
  describe(`add-endpoint --protocol, served by real uvicorn ${stack.tag}`, function () {
    this.timeout(120_000);
    protocolSuite(stack);
  });
}

function protocolSuite(stack: PythonStack): void {
  let root: string;
  let dir: string;
  let server: RunningServer;
  const added: Record<string, EndpointJson> = {};

  before(async () => {
    root = await makeTempDir('add-endpoint-protocols');
    dir = await copyFixture('single-file', path.join(root, 'app'));
    for (const protocol of ['ai-sdk', 'openai']) {
      added[protocol] = await addEndpoint(dir, protocol);
    }
    server = await startUvicorn({ stack, cwd: dir, app: added['openai']!.endpoint.serve.app });
  });

  after(async () => {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('plans POST routes at the protocols default paths and says so in --json', () => {
    for (const [protocol, url] of [
      ['ai-sdk', '/api/chat'],
      ['openai', '/v1/chat/completions'],
    ] as const) {
      const result = added[protocol]!;
      assert.equal(result.status, 'applied');
      assert.equal(result.protocol, protocol);
      assert.equal(result.endpoint.protocol, protocol);
      assert.equal(result.endpoint.method, 'POST');
      assert.equal(result.endpoint.url, url);
    }
  });

  it('ai-sdk: the UI message stream v1 with its header, the last user message as the prompt, then finish and [DONE]', async () => {
    const stream = await readStream(`${server.baseUrl}${added['ai-sdk']!.endpoint.url}`, { json: AI_SDK_BODY });
    assert.equal(stream.status, 200, stream.body().toString('utf8'));
    assert.equal(stream.headers['x-vercel-ai-ui-message-stream'], 'v1');
    assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
    assert.equal(stream.complete, true);
    const { data, done } = dataEvents(stream.body());
    assert.equal(done, true, 'ends with data: [DONE]');
    const types = data.map((d) => d.type);
    const deltas = data.filter((d) => d.type === 'text-delta');
    assert.deepEqual(types, ['start', 'text-start', ...deltas.map(() => 'text-delta'), 'text-end', 'finish']);
    assert.ok(deltas.length >= 30, `${deltas.length} deltas`);
    const id = data[1]!.id;
    assert.ok(deltas.every((d) => d.id === id) && data[data.length - 2]!.id === id, 'one text run, one id');
    assert.match(deltas.map((d) => d.delta).join(''), /^You asked: Is it streaming\? /);
  });

  it('openai, stream true: chat.completion.chunk events, role first, finish_reason stop, usage when asked, [DONE]', async () => {
    const stream = await readStream(`${server.baseUrl}${added['openai']!.endpoint.url}`, {
      json: openaiBody({ stream: true, stream_options: { include_usage: true } }),
    });
    assert.equal(stream.status, 200, stream.body().toString('utf8'));
    const { data, done } = dataEvents(stream.body());
    assert.equal(done, true);
    const usage = data.at(-1)!;
    assert.deepEqual(usage.choices, []);
    const chunks = data.slice(0, -1) as Array<{
      id: string;
      object: string;
      model: string;
      choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }>;
    }>;
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'my-model' && c.id === chunks[0]!.id));
    assert.match(chunks[0]!.id, /^chatcmpl-/);
    assert.equal(chunks[0]!.choices[0]!.delta.role, 'assistant');
    assert.equal(chunks.at(-1)!.choices[0]!.finish_reason, 'stop');
    const content = chunks.slice(1, -1).map((c) => c.choices[0]!.delta.content as string);
    assert.match(content.join(''), /^You asked: Is it streaming\? /);
    assert.deepEqual(usage.usage, { prompt_tokens: 0, completion_tokens: content.length, total_tokens: content.length });
  });

  it('openai, stream false: one chat.completion object', async () => {
    const response = await fetch(`${server.baseUrl}${added['openai']!.endpoint.url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(openaiBody({ stream: false })),
    });
    assert.equal(response.status, 200);
    const completion = (await response.json()) as { object: string; choices: Array<{ message: { role: string; content: string }; finish_reason: string }> };
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.choices[0]!.message.role, 'assistant');
    assert.match(completion.choices[0]!.message.content, /^You asked: Is it streaming\? .* nothing else changes\.$/);
    assert.equal(completion.choices[0]!.finish_reason, 'stop');
  });

  it('both protocols: 422 with a clear message for no user message, and 422 for wrong types', async () => {
    const post = (url: string, body: unknown) =>
      fetch(`${server.baseUrl}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const aiSdk = added['ai-sdk']!.endpoint.url;
    const openai = added['openai']!.endpoint.url;
    const noUser = [
      await post(aiSdk, { messages: [{ id: '1', role: 'assistant', parts: [{ type: 'text', text: 'hi' }] }] }),
      await post(openai, { model: 'm', messages: [{ role: 'system', content: 'only a system message' }] }),
    ];
    for (const response of noUser) {
      assert.equal(response.status, 422);
      const { detail } = (await response.json()) as { detail: string };
      assert.match(detail, /no user message/);
    }
    const wrongTypes = [
      await post(aiSdk, { messages: 'hello' }),
      await post(aiSdk, { messages: [{ id: '1', role: 'user', parts: [{ type: 'text', text: 5 }] }] }),
      await post(openai, { model: 'm', messages: [{ role: 'user', content: 5 }] }),
      await post(openai, { model: 'm', stream: 'yes', messages: [{ role: 'user', content: 'hi' }] }),
    ];
    assert.deepEqual(
      wrongTypes.map((r) => r.status),
      [422, 422, 422, 422],
    );
  });

  it('a second run of each protocol changes nothing', async () => {
    const before = await treeDigest(dir);
    for (const protocol of ['ai-sdk', 'openai']) {
      const again = await addEndpoint(dir, protocol);
      assert.equal(again.status, 'already-present');
      assert.equal(again.protocol, protocol);
    }
    assert.deepEqual(await treeDigest(dir), before);
  });
}
