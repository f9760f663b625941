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
import { startProviderServer, type ProviderServer } from '../support/providers/server';
import { PYTHON_STACKS, pythonStack, type PythonStack } from '../support/python';
import { makeTempDir } from '../support/tempdir';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { parseSse, readStream } from '../support/wire';
import { copyFixture, pyrightProjects, runCli, treeDigest } from './addEndpointSupport';

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

// SDK sources on the chat protocols: the conversation goes to the provider as its messages (to Anthropic, the
// system messages' text as its `system` parameter, and no `system` key without one), and what the provider
// streams (reasoning, text, tool calls) comes out in the protocol. The SDKs are on the current stack only.
describe(`add-endpoint --protocol with SDK sources, served by real uvicorn ${pythonStack('current').tag}`, function () {
  this.timeout(180_000);
  const stack = pythonStack('current');
  let root: string;
  let dir: string;
  let provider: ProviderServer;
  let server: RunningServer;
  const urls: Record<string, string> = {};

  before(async () => {
    root = await makeTempDir('add-endpoint-protocol-sdks');
    dir = await copyFixture('single-file', path.join(root, 'app'));
    for (const [protocol, source, route] of [
      ['ai-sdk', 'anthropic', '/claude/chat'],
      ['openai', 'anthropic', '/claude/v1/chat/completions'],
      ['openai', 'openai', '/v1/chat/completions'],
      ['ai-sdk', 'groq', '/groq/chat'],
    ] as const) {
      const run = await runCli(['add-endpoint', '--workspace', dir, '--protocol', protocol, '--source', source, '--route', route, '--json']);
      assert.equal(run.code, 0, run.stderr);
      urls[`${protocol} ${source}`] = (JSON.parse(run.stdout) as EndpointJson).endpoint.url;
    }
    provider = await startProviderServer();
    server = await startUvicorn({ stack, cwd: dir, app: 'main:app', env: provider.sdkEnvironment() });
  });

  after(async () => {
    await server?.stop();
    await provider?.stop();
    await rm(root, { recursive: true, force: true });
  });

  beforeEach(() => provider.clear());

  const TOOL = { id: 'call_1', name: 'get_weather', arguments: ['{"city": ', '"Paris"}'] };

  it('ai-sdk + anthropic: the system messages as `system` upstream, the rest as messages; thinking, text and tool use in the UI message stream', async () => {
    provider.behave({ tokens: ['Sun', 'ny.'], reasoning: ['Let me', ' check.'], toolCalls: [TOOL] });
    const system = (id: string, text: string) => ({ id, role: 'system', parts: [{ type: 'text', text }] });
    const body = { ...AI_SDK_BODY, messages: [system('s1', 'Be brief.'), system('s2', 'Answer in French.'), ...AI_SDK_BODY.messages] };
    const stream = await readStream(`${server.baseUrl}${urls['ai-sdk anthropic']}`, { json: body });
    assert.equal(stream.status, 200, server.output());
    assert.equal(provider.requests[0]!.body.system, 'Be brief.\n\nAnswer in French.');
    assert.deepEqual(provider.requests[0]!.body.messages, [
      { role: 'user', content: 'An earlier question' },
      { role: 'assistant', content: 'An answer' },
      { role: 'user', content: PROMPT },
    ]);
    const { data, done } = dataEvents(stream.body());
    assert.ok(done);
    assert.deepEqual(
      data.map((d) => [d.type, d.delta ?? d.inputTextDelta ?? d.input ?? null]),
      [
        ['start', null],
        ['reasoning-start', null],
        ['reasoning-delta', 'Let me'],
        ['reasoning-delta', ' check.'],
        ['reasoning-end', null],
        ['text-start', null],
        ['text-delta', 'Sun'],
        ['text-delta', 'ny.'],
        ['text-end', null],
        ['tool-input-start', null],
        ['tool-input-delta', '{"city": '],
        ['tool-input-delta', '"Paris"}'],
        ['tool-input-available', { city: 'Paris' }],
        ['finish', null],
      ],
    );
  });

  it('anthropic on both protocols: a system message reaches Anthropic as `system`; without one no `system` key is sent', async () => {
    provider.behave({ tokens: ['Sun', 'ny.'] });
    const withoutSystem = { ...openaiBody({ stream: false }), messages: [{ role: 'user', content: PROMPT }] };
    for (const [url, withSystemMessage, noSystemMessage] of [
      [urls['openai anthropic']!, openaiBody({ stream: true }), withoutSystem],
      [
        urls['ai-sdk anthropic']!,
        { ...AI_SDK_BODY, messages: [{ id: 's', role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] }, ...AI_SDK_BODY.messages] },
        AI_SDK_BODY,
      ],
    ] as const) {
      provider.clear();
      for (const body of [withSystemMessage, noSystemMessage]) {
        const response = await fetch(`${server.baseUrl}${url}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        assert.equal(response.status, 200, `${url}: ${server.output()}`);
        assert.match(await response.text(), /Sunny\.|"Sun"/);
      }
      assert.equal(provider.requests.length, 2, url);
      const [withSystem, without] = provider.requests.map((r) => r.body);
      assert.equal(provider.requests[0]!.api, 'anthropic');
      assert.equal(withSystem!.system, 'Be brief.', url);
      assert.ok(!('system' in without!), `${url}: no system key in ${JSON.stringify(without)}`);
      assert.equal((without!.messages as Array<{ role: string }>).at(-1)!.role, 'user');
      assert.ok(
        (withSystem!.messages as Array<{ role: string }>).every((m) => m.role !== 'system'),
        url,
      );
    }
  });

  it('ai-sdk + groq: Groq reasoning deltas and tool calls in the UI message stream', async () => {
    provider.behave({ tokens: ['Hi'], reasoning: ['Hmm'], toolCalls: [TOOL] });
    const stream = await readStream(`${server.baseUrl}${urls['ai-sdk groq']}`, { json: AI_SDK_BODY });
    const { data } = dataEvents(stream.body());
    assert.deepEqual(
      data.map((d) => d.type),
      [
        'start',
        'reasoning-start',
        'reasoning-delta',
        'reasoning-end',
        'text-start',
        'text-delta',
        'text-end',
        'tool-input-start',
        'tool-input-delta',
        'tool-input-delta',
        'tool-input-available',
        'finish',
      ],
    );
    assert.equal(provider.requests[0]!.api, 'groq-chat');
  });

  it('openai + openai: the conversation upstream; streamed chunks carry reasoning_content, content and tool_calls; stream false too', async () => {
    provider.behave({ tokens: ['Sun', 'ny.'], reasoning: ['Let me check.'], toolCalls: [TOOL] });
    const stream = await readStream(`${server.baseUrl}${urls['openai openai']}`, { json: openaiBody({ stream: true }) });
    assert.deepEqual(provider.requests[0]!.body.messages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: PROMPT },
    ]);
    const { data, done } = dataEvents(stream.body());
    assert.ok(done);
    const deltas = data.map((d) => (d.choices as Array<{ delta: Record<string, unknown>; finish_reason: string | null }>)[0]!);
    assert.deepEqual(
      deltas.map((c) => c.delta),
      [
        { role: 'assistant', content: '' },
        { reasoning_content: 'Let me check.' },
        { content: 'Sun' },
        { content: 'ny.' },
        { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
        { tool_calls: [{ index: 0, function: { arguments: '{"city": ' } }] },
        { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] },
        {},
      ],
    );
    assert.equal(deltas.at(-1)!.finish_reason, 'tool_calls');

    const whole = (await (
      await fetch(`${server.baseUrl}${urls['openai openai']}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(openaiBody({ stream: false })),
      })
    ).json()) as { model: string; choices: Array<{ message: Record<string, unknown> }> };
    assert.equal(whole.model, 'my-model');
    assert.deepEqual(whole.choices[0]!.message, {
      role: 'assistant',
      content: 'Sunny.',
      reasoning_content: 'Let me check.',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }],
    });
  });

  it('pyright (standard) finds no errors in the generated routes, against the real SDKs', async () => {
    const { errorsByFile, messages } = await pyrightProjects(root, [{ root: 'app' }], (await stack.interpreter()).executable);
    assert.equal(errorsByFile.get('app/main.py') ?? 0, 0, messages.join('\n'));
  });
});
