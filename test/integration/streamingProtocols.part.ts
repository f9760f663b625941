/**
 * The generated module's three protocols on the wire, byte for byte: `stream_tokens` (our sse events),
 * `ui_message_stream` (the Vercel AI SDK UI message stream v1) and `openai_chat_completion_stream` /
 * `openai_chat_completion` (OpenAI Chat Completions), each fed the same scripted source of text, reasoning and
 * tool-call parts by test/fixtures/streaming/app.py (POST /protocol/{protocol}/{run}). Also: the error shape
 * of each protocol (no exception text unless expose_errors), a disconnect closing the source, and a source
 * that never awaits not starving the server.
 *
 * Called from test/integration/streaming.test.ts inside its per-stack suite, so that the same uvicorn (under
 * coverage.py) serves it: the module's coverage figure includes these encoders.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually, getJson, openStream, readStream } from '../support/wire';

interface RunStatus {
  readonly produced: number;
  readonly closed_at: number | null;
  readonly closed_by: string | null;
}

/** A source with every kind of part: reasoning, text in both spellings, a tool call, then more text. */
const PARTS = [
  { reasoning: 'Think' },
  { reasoning: ' hard.' },
  'Hello',
  { text: ', wörld' },
  { tool_start: ['call_1', 'get_weather'] },
  { tool_args: ['call_1', '{"city":'] },
  { tool_args: ['call_1', '"Paris"}'] },
  { tool_end: 'call_1' },
  'Done.',
];

const GENERIC = 'The stream failed; the server log has the details.';
const data = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;
const named = (event: string, value: unknown) => `event: ${event}\n${data(value)}`;

export function protocolWireSuite(base: () => string): void {
  const post = (protocol: string, body: Record<string, unknown>, name = randomUUID()) => readStream(`${base()}/protocol/${protocol}/${name}`, { json: body });
  const status = (name: string) => getJson<RunStatus>(`${base()}/runs/${name}`);

  describe('protocols: sse (stream_tokens with typed parts)', () => {
    it('writes reasoning, token and tool_call events in source order, the tool call once it ended, done with the text only', async () => {
      const stream = await post('sse', { parts: PARTS });
      assert.equal(
        stream.body().toString('utf8'),
        named('reasoning', { text: 'Think' }) +
          named('reasoning', { text: ' hard.' }) +
          named('token', { text: 'Hello' }) +
          named('token', { text: ', wörld' }) +
          named('tool_call', { id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }) +
          named('token', { text: 'Done.' }) +
          named('done', { text: 'Hello, wörldDone.', token_count: 3, finish_reason: 'completed' }),
      );
    });

    it('sends unparsable arguments raw, and ends a call the source left open when the source ends', async () => {
      const stream = await post('sse', {
        parts: [{ tool_start: ['a', 'broken'] }, { tool_args: ['a', '{"x": '] }, { tool_end: 'a' }, { tool_start: ['b', 'open'] }, { tool_args: ['b', '{}'] }],
      });
      assert.equal(
        stream.body().toString('utf8'),
        named('tool_call', { id: 'a', name: 'broken', arguments: '{"x": ' }) +
          named('tool_call', { id: 'b', name: 'open', input: {} }) +
          named('done', { text: '', token_count: 0, finish_reason: 'completed' }),
      );
    });
  });

  describe('protocols: ai-sdk (ui_message_stream)', () => {
    it('writes start, runs of reasoning and text with one id each, the tool input chunks, finish and [DONE], with its header', async () => {
      const stream = await post('ai-sdk', { parts: PARTS, message_id: 'msg-1' });
      assert.equal(stream.headers['x-vercel-ai-ui-message-stream'], 'v1');
      assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
      assert.equal(
        stream.body().toString('utf8'),
        data({ type: 'start', messageId: 'msg-1' }) +
          data({ type: 'reasoning-start', id: 'reasoning-1' }) +
          data({ type: 'reasoning-delta', id: 'reasoning-1', delta: 'Think' }) +
          data({ type: 'reasoning-delta', id: 'reasoning-1', delta: ' hard.' }) +
          data({ type: 'reasoning-end', id: 'reasoning-1' }) +
          data({ type: 'text-start', id: 'text-2' }) +
          data({ type: 'text-delta', id: 'text-2', delta: 'Hello' }) +
          data({ type: 'text-delta', id: 'text-2', delta: ', wörld' }) +
          data({ type: 'text-end', id: 'text-2' }) +
          data({ type: 'tool-input-start', toolCallId: 'call_1', toolName: 'get_weather' }) +
          data({ type: 'tool-input-delta', toolCallId: 'call_1', inputTextDelta: '{"city":' }) +
          data({ type: 'tool-input-delta', toolCallId: 'call_1', inputTextDelta: '"Paris"}' }) +
          data({ type: 'tool-input-available', toolCallId: 'call_1', toolName: 'get_weather', input: { city: 'Paris' } }) +
          data({ type: 'text-start', id: 'text-3' }) +
          data({ type: 'text-delta', id: 'text-3', delta: 'Done.' }) +
          data({ type: 'text-end', id: 'text-3' }) +
          data({ type: 'finish', messageMetadata: { finishReason: 'completed' } }) +
          'data: [DONE]\n\n',
      );
      assert.equal(stream.complete, true);
    });

    it('a source error ends the open run, then error with a generic errorText and [DONE], no finish', async () => {
      const stream = await post('ai-sdk', { parts: ['partial', { fail: "secret 'key' leaked" }] });
      assert.equal(
        stream.body().toString('utf8'),
        data({ type: 'start' }) +
          data({ type: 'text-start', id: 'text-1' }) +
          data({ type: 'text-delta', id: 'text-1', delta: 'partial' }) +
          data({ type: 'text-end', id: 'text-1' }) +
          data({ type: 'error', errorText: GENERIC }) +
          'data: [DONE]\n\n',
      );
      const exposed = await post('ai-sdk', { parts: [{ fail: 'shown' }], expose_errors: true });
      assert.ok(
        exposed
          .body()
          .toString('utf8')
          .includes(data({ type: 'error', errorText: 'shown' })),
      );
    });

    it('unparsable tool arguments become tool-input-error with the raw text', async () => {
      const stream = await post('ai-sdk', { parts: [{ tool_start: ['a', 'broken'] }, { tool_args: ['a', '{"x": '] }, { tool_end: 'a' }] });
      assert.ok(
        stream
          .body()
          .toString('utf8')
          .includes(
            data({
              type: 'tool-input-error',
              toolCallId: 'a',
              toolName: 'broken',
              input: '{"x": ',
              errorText: "The tool call's arguments are not valid JSON.",
            }),
          ),
      );
    });
  });

  describe('protocols: openai (openai_chat_completion_stream, openai_chat_completion)', () => {
    it('writes role first, content, reasoning_content and tool_calls deltas, finish_reason tool_calls, usage, then [DONE]', async () => {
      const stream = await post('openai', { parts: PARTS, include_usage: true });
      const text = stream.body().toString('utf8');
      // The id and creation time are the server's: read from the first chunk, then every byte is compared.
      const first = JSON.parse(text.slice('data: '.length, text.indexOf('\n'))) as { id: string; created: number };
      assert.match(first.id, /^chatcmpl-[0-9a-f]{32}$/);
      const head = { id: first.id, object: 'chat.completion.chunk', created: first.created, model: 'test-model' };
      const chunk = (delta: unknown, finish: string | null = null) => data({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
      assert.equal(
        text,
        chunk({ role: 'assistant', content: '' }) +
          chunk({ reasoning_content: 'Think' }) +
          chunk({ reasoning_content: ' hard.' }) +
          chunk({ content: 'Hello' }) +
          chunk({ content: ', wörld' }) +
          chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }) +
          chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }) +
          chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }) +
          chunk({ content: 'Done.' }) +
          chunk({}, 'tool_calls') +
          data({ ...head, choices: [], usage: { prompt_tokens: 0, completion_tokens: PARTS.length, total_tokens: PARTS.length } }) +
          'data: [DONE]\n\n',
      );
    });

    it('text only: finish_reason stop and no usage chunk unless asked', async () => {
      const text = (await post('openai', { parts: ['a', 'b'] })).body().toString('utf8');
      const events = text.split('\n\n').filter(Boolean);
      assert.equal(events.length, 5, text);
      assert.match(events[3]!, /"delta":\{\},"logprobs":null,"finish_reason":"stop"\}\]\}$/);
      assert.equal(events[4], 'data: [DONE]');
    });

    it('a source error is the API error object the clients raise, with no exception text, and no [DONE]', async () => {
      const text = (await post('openai', { parts: ['partial', { fail: "secret 'key' leaked" }] })).body().toString('utf8');
      const events = text.split('\n\n').filter(Boolean);
      assert.equal(events.length, 3, text);
      assert.equal(events[2], `data: ${JSON.stringify({ error: { message: GENERIC, type: 'server_error', param: null, code: null } })}`);
      assert.ok(!text.includes('secret'));
    });

    it('stream false: one chat.completion with content, reasoning_content and tool_calls; a failure is a 500 with the error object', async () => {
      const response = await fetch(`${base()}/protocol/openai/${randomUUID()}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ parts: PARTS, stream: false }),
      });
      assert.equal(response.status, 200);
      const completion = (await response.json()) as Record<string, unknown> & { id: string; created: number };
      assert.deepEqual(completion, {
        id: completion.id,
        object: 'chat.completion',
        created: completion.created,
        model: 'test-model',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: 'Hello, wörldDone.',
              reasoning_content: 'Think hard.',
              tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
            },
            logprobs: null,
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 0, completion_tokens: PARTS.length, total_tokens: PARTS.length },
      });
      const failed = await fetch(`${base()}/protocol/openai/${randomUUID()}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ parts: ['a', { fail: 'secret' }], stream: false }),
      });
      assert.equal(failed.status, 500);
      assert.deepEqual(await failed.json(), { error: { message: GENERIC, type: 'server_error', param: null, code: null } });
    });
  });

  describe('protocols: the request bodies (UIChatRequest, ChatCompletionRequest)', () => {
    const postJson = (url: string, body: unknown) =>
      fetch(`${base()}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    it("read the AI SDK's chat body: text parts joined, other parts and unknown keys ignored, the last user message", async () => {
      const response = await postJson('/requests/ai-sdk', {
        id: 'c',
        trigger: 'submit-message',
        unknown: { kept: false },
        messages: [
          { id: '0', role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] },
          { id: '0b', role: 'system', parts: [{ type: 'text', text: 'Answer in French.' }] },
          {
            id: '1',
            role: 'user',
            parts: [
              { type: 'text', text: 'First ' },
              { type: 'file', url: 'x' },
              { type: 'text', text: 'question' },
            ],
          },
          { id: '2', role: 'assistant', parts: [{ type: 'step-start' }, { type: 'reasoning', text: 'hidden' }, { type: 'text', text: 'Answer' }] },
          { id: '3', role: 'user', parts: [{ type: 'text', text: 'Second' }] },
        ],
      });
      assert.equal(response.status, 200);
      const messages = [
        { role: 'user', content: 'First question' },
        { role: 'assistant', content: 'Answer' },
        { role: 'user', content: 'Second' },
      ];
      assert.deepEqual(await response.json(), {
        last_user_text: 'Second',
        messages: [{ role: 'system', content: 'Be brief.' }, { role: 'system', content: 'Answer in French.' }, ...messages],
        without_system: messages,
        system_prompt: 'Be brief.\n\nAnswer in French.',
      });
    });

    it('read an OpenAI request: string or parts content, null content, stream and include_usage', async () => {
      const response = await postJson('/requests/openai', {
        model: 'gpt-x',
        stream: true,
        stream_options: { include_usage: true },
        temperature: 0.2,
        messages: [
          { role: 'developer', content: 'ignored role' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Hi' },
              { type: 'image_url', image_url: { url: 'x' } },
            ],
          },
          { role: 'assistant', content: null, tool_calls: [] },
          { role: 'tool', content: 'tool output', tool_call_id: 'x' },
        ],
      });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), {
        last_user_text: 'Hi',
        messages: [{ role: 'user', content: 'Hi' }],
        without_system: [{ role: 'user', content: 'Hi' }],
        system_prompt: null,
        model: 'gpt-x',
        stream: true,
        include_usage: true,
      });
      const plain = await postJson('/requests/openai', { messages: [{ role: 'user', content: 'Hey' }] });
      assert.deepEqual(await plain.json(), {
        last_user_text: 'Hey',
        messages: [{ role: 'user', content: 'Hey' }],
        without_system: [{ role: 'user', content: 'Hey' }],
        system_prompt: null,
        model: '',
        stream: false,
        include_usage: false,
      });
    });

    it('answer 422 with a clear message without a user message, and 422 for wrong types', async () => {
      for (const [url, body] of [
        ['/requests/ai-sdk', { messages: [] }],
        ['/requests/ai-sdk', { messages: [{ id: '1', role: 'user', parts: [{ type: 'text', text: '' }] }] }],
        ['/requests/openai', { messages: [{ role: 'assistant', content: 'no question' }] }],
      ] as const) {
        const response = await postJson(url, body);
        assert.equal(response.status, 422, JSON.stringify(body));
        assert.deepEqual(await response.json(), {
          detail: "The request has no user message with text: 'messages' must include at least one message with role 'user'.",
        });
      }
      for (const [url, body] of [
        ['/requests/ai-sdk', {}],
        ['/requests/ai-sdk', { messages: [{ id: '1', role: 'robot', parts: [] }] }],
        ['/requests/openai', { messages: [{ role: 'user', content: ['not a part'] }] }],
        ['/requests/openai', { messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: 'yes' } }],
      ] as const) {
        assert.equal((await postJson(url, body)).status, 422, JSON.stringify(body));
      }
    });
  });

  describe('protocols: the source is closed on disconnect and at the end, and a never-awaiting one does not starve the server', () => {
    for (const protocol of ['sse', 'ai-sdk', 'openai']) {
      it(`${protocol}: a client leaving mid-stream closes the source; a finished stream has closed it`, async () => {
        const name = randomUUID();
        const stream = await openStream(`${base()}/protocol/${protocol}/endless/${name}`);
        await stream.waitFor((body) => body.toString('utf8').split('tick').length > 4, 'three deltas', 15_000);
        stream.close();
        const closed = await eventually('the source to be closed after the disconnect', async () => {
          const s = await status(name);
          return s.closed_at === null ? undefined : s;
        });
        assert.equal(closed.closed_by, 'finally');
        const later = await status(name);
        assert.equal(later.produced, closed.produced, 'nothing was produced after the close');

        const finished = randomUUID();
        await post(protocol, { parts: ['x'] }, finished);
        assert.equal((await status(finished)).closed_by, 'finally');
      });

      it(`${protocol}: a source that never awaits leaves the server answering other requests`, async () => {
        const name = randomUUID();
        const total = 2_000_000;
        const stream = await openStream(`${base()}/protocol/${protocol}/in-memory/${name}?count=${total}`);
        await stream.waitFor((body) => body.length > 100_000, 'the first 100 kB', 15_000);
        const during = await status(name).finally(() => stream.close());
        assert.ok(during.produced > 0 && during.produced < total, `served mid-stream (after ${during.produced} of ${total} parts)`);
        await eventually('the never-awaiting source to notice the disconnect', async () => ((await status(name)).closed_at === null ? undefined : true));
      });
    }
  });
}
