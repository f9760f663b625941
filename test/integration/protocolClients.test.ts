/**
 * The real client libraries, unmodified, consume the routes `add-endpoint --protocol ...` generated into a sample
 * FastAPI app (test/fixtures/protocols/chat-app), served by a real uvicorn on each Python stack:
 *
 *  - ai-sdk: the `ai` package's DefaultChatTransport (its sendMessages, as useChat calls it) and
 *    readUIMessageStream assemble the UIMessage;
 *  - openai: the official `openai` npm client and the `openai` Python package with base_url;
 *  - every protocol: a bad body gets a 422 with a clear message.
 *
 * The token source is scripted (known str and typed parts), so what the clients assemble is compared exactly.
 * Aborting mid-stream is observed at the source: the scripted slow reply writes a marker when it is closed.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DefaultChatTransport, readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import OpenAI from 'openai';
import { loadExeca } from '../support/execa';
import { PYTHON_STACKS, testPython, type PythonStack } from '../support/python';
import { ENDLESS, PROTOCOL_FIXTURES, SCRIPTED, sourceClosed, startChatApp, type ChatApp, type EndlessScript } from './protocolAppSupport';

const ENDLESS_SCRIPTS = Object.keys(ENDLESS) as EndlessScript[];
const ENDLESS_WHY: Record<EndlessScript, string> = {
  slow: 'awaiting between ticks',
  flood: 'never awaiting: only an explicit close ends it',
};

for (const stack of PYTHON_STACKS) {
  describe(`generated protocol routes with the real client libraries ${stack.tag}`, function () {
    this.timeout(120_000);
    clientSuite(stack);
  });
}

function clientSuite(stack: PythonStack): void {
  let app: ChatApp;

  before(async () => {
    app = await startChatApp(stack);
  });

  after(async () => {
    await app?.stop();
  });

  describe('ai-sdk: DefaultChatTransport + readUIMessageStream', () => {
    it('assembles reasoning, text and the tool call exactly as the source yielded them', async () => {
      const headers: Headers[] = [];
      const { stream } = await sendChat(app, 'parts', { onResponse: (r) => headers.push(r.headers) });
      assert.equal(headers[0]?.get('x-vercel-ai-ui-message-stream'), 'v1');
      assert.match(headers[0]?.get('content-type') ?? '', /^text\/event-stream/);

      const { snapshots, errors } = await assemble(stream);
      assert.deepEqual(errors, []);
      const final = snapshots.at(-1)!;
      assert.equal(final.role, 'assistant');
      assert.deepEqual(normalizeParts(final), [
        { type: 'reasoning', text: SCRIPTED.reasoning, state: 'done' },
        { type: 'text', text: SCRIPTED.textBeforeTool, state: 'done' },
        { type: 'tool', toolName: SCRIPTED.tool.name, toolCallId: SCRIPTED.tool.id, state: 'input-available', input: SCRIPTED.tool.input },
        { type: 'text', text: SCRIPTED.textAfterTool, state: 'done' },
      ]);
      // It streamed: the client saw the text part grow and the tool input arrive in fragments.
      assert.ok(
        snapshots.some((m) => m.parts.some((p) => p.type === 'text' && p.text === SCRIPTED.firstTextDelta && p.state === 'streaming')),
        'a snapshot with only the first text delta',
      );
      assert.ok(
        snapshots.some((m) => m.parts.some((p) => isToolPart(p) && p.state === 'input-streaming')),
        'a snapshot with the tool input still streaming',
      );
    });

    it('a source error becomes an error chunk with a generic errorText; the text before it is kept', async () => {
      const { stream } = await sendChat(app, 'fail');
      const chunks: UIMessageChunk[] = [];
      const { snapshots, errors } = await assemble(tee(stream, chunks));
      const errorChunks = chunks.filter((c) => c.type === 'error');
      assert.equal(errorChunks.length, 1, JSON.stringify(chunks));
      const errorText = (errorChunks[0] as { errorText: string }).errorText;
      assert.ok(errorText.length > 0);
      assert.ok(!errorText.includes(SCRIPTED.secret), `the exception text leaked: ${errorText}`);
      assert.deepEqual(
        errors.map((e) => e.message),
        [errorText],
        'readUIMessageStream reports the error chunk through onError',
      );
      const text = snapshots
        .at(-1)!
        .parts.filter((p) => p.type === 'text')
        .map((p) => p.text)
        .join('');
      assert.equal(text, SCRIPTED.failText);
      assert.equal(chunks.at(-1)?.type === 'error' || chunks.at(-1)?.type === 'finish', true, `ends with error or finish: ${chunks.at(-1)?.type}`);
    });

    for (const script of ENDLESS_SCRIPTS) {
      it(`aborting the request mid-stream closes the ${script} token source (${ENDLESS_WHY[script]})`, async () => {
        const run = randomUUID();
        const abort = new AbortController();
        const { stream } = await sendChat(app, `${script} ${run}`, { abortSignal: abort.signal });
        const reader = stream.getReader();
        let deltas = 0;
        for (let reads = 0; deltas < 3 && reads < 100; reads++) {
          const { value, done } = await reader.read();
          if (done) break;
          if (value.type === 'text-delta') deltas++;
        }
        assert.equal(deltas, 3, 'three ticks streamed before the abort');
        abort.abort();
        await reader.read().catch(() => undefined);
        const produced = await sourceClosed(app, run);
        assert.ok(produced >= 3 && produced < ENDLESS[script], `closed after ${produced} of ${ENDLESS[script]} ticks`);
      });
    }

    it('answers a body without a user message with a 422 that says so, through the transport too', async () => {
      const noUser = await postJson(app.url('ai-sdk'), {
        id: 'chat-1',
        trigger: 'submit-message',
        messages: [{ id: 'm1', role: 'assistant', parts: [{ type: 'text', text: 'Hi' }] }],
      });
      assert.equal(noUser.status, 422, noUser.text);
      assert.match(noUser.text, /no user message/i, 'the message says a user message is missing');

      const wrongTypes = await postJson(app.url('ai-sdk'), { id: 'chat-1', trigger: 'submit-message', messages: 'Hi' });
      assert.equal(wrongTypes.status, 422, wrongTypes.text);
      assert.match(wrongTypes.text, /messages/);

      // What useChat shows the user: the transport rejects with the server's message.
      const transport = new DefaultChatTransport<UIMessage>({ api: app.url('ai-sdk') });
      await assert.rejects(
        transport.sendMessages({ chatId: 'chat-1', messageId: undefined, trigger: 'submit-message', abortSignal: undefined, messages: [] }),
        (error: Error) => /no user message/i.test(error.message),
      );
    });
  });

  describe('openai: the official npm client', () => {
    const client = () => new OpenAI({ baseURL: app.url('openai').replace(/\/chat\/completions$/, ''), apiKey: 'test-key', maxRetries: 0, timeout: 30_000 });

    it('stream: true assembles content and tool calls from chat.completion.chunk deltas; include_usage gives usage', async () => {
      const stream = await client().chat.completions.create({
        model: 'scripted',
        messages: [{ role: 'user', content: 'parts' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let content = '';
      let reasoning = '';
      const roles: string[] = [];
      const finishReasons: string[] = [];
      const toolCalls = new Map<number, { id?: string; name?: string; arguments: string }>();
      const ids = new Set<string>();
      let usage: OpenAI.CompletionUsage | undefined;
      let usageChunkChoices: number | undefined;
      for await (const chunk of stream) {
        assert.equal(chunk.object, 'chat.completion.chunk');
        assert.equal(chunk.model, 'scripted');
        ids.add(chunk.id);
        if (chunk.usage) {
          usage = chunk.usage;
          usageChunkChoices = chunk.choices.length;
        }
        for (const choice of chunk.choices) {
          const delta = choice.delta as typeof choice.delta & { reasoning_content?: string };
          if (delta.role) roles.push(delta.role);
          content += delta.content ?? '';
          reasoning += delta.reasoning_content ?? '';
          for (const call of delta.tool_calls ?? []) {
            const entry = toolCalls.get(call.index) ?? { arguments: '' };
            if (call.id) entry.id = call.id;
            if (call.function?.name) entry.name = call.function.name;
            entry.arguments += call.function?.arguments ?? '';
            toolCalls.set(call.index, entry);
          }
          if (choice.finish_reason) finishReasons.push(choice.finish_reason);
        }
      }
      assert.equal(ids.size, 1, 'every chunk carries the same completion id');
      assert.match([...ids][0]!, /^chatcmpl-/);
      assert.deepEqual(roles, ['assistant'], 'the role comes once, first');
      assert.equal(content, SCRIPTED.textBeforeTool + SCRIPTED.textAfterTool);
      assert.equal(reasoning, SCRIPTED.reasoning);
      assert.deepEqual([...toolCalls.values()], [{ id: SCRIPTED.tool.id, name: SCRIPTED.tool.name, arguments: SCRIPTED.tool.arguments }]);
      assert.deepEqual(finishReasons, ['tool_calls']);
      assert.ok(usage, 'a usage chunk');
      assert.equal(usageChunkChoices, 0, 'the usage chunk has no choices');
      assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
    });

    it("the client's own ChatCompletionStream helper assembles the same completion", async () => {
      const runner = client().chat.completions.stream({ model: 'scripted', messages: [{ role: 'user', content: 'parts' }] });
      const completion = await runner.finalChatCompletion();
      const message = completion.choices[0]!.message;
      assert.equal(message.content, SCRIPTED.textBeforeTool + SCRIPTED.textAfterTool);
      assert.deepEqual(
        message.tool_calls?.map((c) => (c.type === 'function' ? { id: c.id, name: c.function.name, arguments: c.function.arguments } : c)),
        [{ id: SCRIPTED.tool.id, name: SCRIPTED.tool.name, arguments: SCRIPTED.tool.arguments }],
      );
    });

    it('stream: false returns one chat.completion object', async () => {
      const completion = await client().chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'parts' }], stream: false });
      assert.equal(completion.object, 'chat.completion');
      assert.match(completion.id, /^chatcmpl-/);
      assert.equal(completion.model, 'scripted');
      assert.equal(typeof completion.created, 'number');
      assert.equal(completion.choices.length, 1);
      const [choice] = completion.choices;
      assert.equal(choice!.message.role, 'assistant');
      assert.equal(choice!.message.content, SCRIPTED.textBeforeTool + SCRIPTED.textAfterTool);
      assert.deepEqual(
        choice!.message.tool_calls?.map((c) =>
          c.type === 'function' ? { id: c.id, type: c.type, name: c.function.name, arguments: c.function.arguments } : c,
        ),
        [{ id: SCRIPTED.tool.id, type: 'function', name: SCRIPTED.tool.name, arguments: SCRIPTED.tool.arguments }],
      );
      assert.equal(choice!.finish_reason, 'tool_calls');
    });

    it('a failure mid-stream is raised by the client as an APIError, without the exception text', async () => {
      const stream = await client().chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'fail' }], stream: true });
      let content = '';
      const error = await (async () => {
        try {
          for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      assert.ok(error instanceof OpenAI.APIError, `raised ${String(error)}`);
      assert.equal(content, SCRIPTED.failText);
      assert.ok(error.message.length > 0);
      assert.ok(!error.message.includes(SCRIPTED.secret), error.message);
      assert.ok(!JSON.stringify(error.error).includes(SCRIPTED.secret), JSON.stringify(error.error));
    });

    for (const script of ENDLESS_SCRIPTS) {
      it(`aborting with an AbortController mid-stream closes the ${script} token source (${ENDLESS_WHY[script]})`, async () => {
        const run = randomUUID();
        const abort = new AbortController();
        const stream = await client().chat.completions.create(
          { model: 'scripted', messages: [{ role: 'user', content: `${script} ${run}` }], stream: true },
          { signal: abort.signal },
        );
        let ticks = 0;
        try {
          for await (const chunk of stream) {
            if (chunk.choices[0]?.delta.content) ticks++;
            if (ticks === 3) abort.abort();
          }
        } catch (error) {
          // The client may end the iteration quietly or raise its abort error; nothing else.
          assert.ok(error instanceof OpenAI.APIUserAbortError, `raised ${String(error)}`);
        }
        assert.equal(ticks, 3, 'no chunk is delivered after the abort');
        const produced = await sourceClosed(app, run);
        assert.ok(produced >= 3 && produced < ENDLESS[script], `closed after ${produced} of ${ENDLESS[script]} ticks`);
      });
    }

    it('a request without a user message is a 422 the client raises with a clear message', async () => {
      const error = await client()
        .chat.completions.create({ model: 'scripted', messages: [{ role: 'system', content: 'No user here.' }] })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      assert.ok(error instanceof OpenAI.UnprocessableEntityError, `raised ${String(error)}`);
      assert.equal(error.status, 422);
      assert.match(error.message, /no user message/i);

      const wrongTypes = await postJson(app.url('openai'), { model: 'scripted', messages: 'Hi', stream: 'often' });
      assert.equal(wrongTypes.status, 422, wrongTypes.text);
      assert.match(wrongTypes.text, /messages/);
    });
  });

  describe('openai: the official Python package (current stack client)', () => {
    const python = async (scenario: string, prompt = ''): Promise<Record<string, unknown>> => {
      const execa = await loadExeca();
      const interpreter = (await testPython('current')).command;
      const baseUrl = app.url('openai').replace(/\/chat\/completions$/, '');
      const result = await execa(interpreter, [path.join(PROTOCOL_FIXTURES, 'openai_client.py'), baseUrl, scenario, prompt], {
        reject: false,
        timeout: 60_000,
      });
      assert.equal(result.exitCode, 0, `${scenario}: ${result.stderr}`);
      return JSON.parse(result.stdout) as Record<string, unknown>;
    };

    it('stream=True with include_usage: content, tool calls, reasoning_content and usage assembled', async () => {
      const seen = await python('stream', 'parts');
      assert.equal(seen.content, SCRIPTED.textBeforeTool + SCRIPTED.textAfterTool);
      assert.equal(seen.reasoning, SCRIPTED.reasoning);
      assert.deepEqual(seen.roles, ['assistant']);
      assert.deepEqual(seen.tool_calls, [{ id: SCRIPTED.tool.id, name: SCRIPTED.tool.name, arguments: SCRIPTED.tool.arguments }]);
      assert.deepEqual(seen.finish_reasons, ['tool_calls']);
      assert.deepEqual(seen.objects, ['chat.completion.chunk']);
      assert.equal(seen.ids, 1);
      const usage = seen.usage as { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
      assert.ok(usage, 'a usage chunk');
      assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
    });

    it("the SDK's chat.completions.stream() helper assembles the final completion", async () => {
      const seen = await python('helper', 'parts');
      assert.deepEqual(seen, {
        content: SCRIPTED.textBeforeTool + SCRIPTED.textAfterTool,
        tool_calls: [{ id: SCRIPTED.tool.id, name: SCRIPTED.tool.name, arguments: SCRIPTED.tool.arguments }],
        finish_reason: 'tool_calls',
      });
    });

    it('stream=False returns a chat.completion', async () => {
      const completion = (await python('complete', 'parts')) as {
        object: string;
        id: string;
        choices: Array<{ message: { role: string; content: string; tool_calls: Array<{ id: string; function: { name: string; arguments: string } }> } }>;
      };
      assert.equal(completion.object, 'chat.completion');
      assert.match(completion.id, /^chatcmpl-/);
      const message = completion.choices[0]!.message;
      assert.equal(message.role, 'assistant');
      assert.equal(message.content, SCRIPTED.textBeforeTool + SCRIPTED.textAfterTool);
      assert.deepEqual(
        message.tool_calls.map((c) => [c.id, c.function.name, c.function.arguments]),
        [[SCRIPTED.tool.id, SCRIPTED.tool.name, SCRIPTED.tool.arguments]],
      );
    });

    it('a failure mid-stream raises openai.APIError, without the exception text', async () => {
      const seen = (await python('error', 'fail')) as { content: string; raised: { class: string; is_api_error: boolean; message: string } | null };
      assert.equal(seen.content, SCRIPTED.failText);
      assert.ok(seen.raised, 'the client raised');
      assert.equal(seen.raised.class, 'APIError');
      assert.equal(seen.raised.is_api_error, true);
      assert.ok(!JSON.stringify(seen.raised).includes(SCRIPTED.secret), JSON.stringify(seen.raised));
    });

    for (const script of ENDLESS_SCRIPTS) {
      it(`closing the stream mid-way closes the ${script} token source (${ENDLESS_WHY[script]})`, async () => {
        const run = randomUUID();
        const seen = await python('abort', `${script} ${run}`);
        assert.equal(seen.received, 2);
        const produced = await sourceClosed(app, run);
        assert.ok(produced >= 1 && produced < ENDLESS[script], `closed after ${produced} of ${ENDLESS[script]} ticks`);
      });
    }

    it('a request without a user message raises UnprocessableEntityError (422)', async () => {
      const seen = (await python('invalid')) as { raised: { class: string; status_code: number; message: string; body: unknown } | null };
      assert.ok(seen.raised);
      assert.equal(seen.raised.class, 'UnprocessableEntityError');
      assert.equal(seen.raised.status_code, 422);
      // The Python client's message is "Error code: 422"; the server's explanation is in the error's body.
      assert.match(JSON.stringify(seen.raised.body), /user message/i);
    });
  });

  describe('sse: our own protocol', () => {
    it('a bad body gets a 422 that names the field', async () => {
      const missing = await postJson(app.url('sse'), {});
      assert.equal(missing.status, 422, missing.text);
      assert.match(missing.text, /prompt/);
      const wrongType = await postJson(app.url('sse'), { prompt: ['not', 'text'] });
      assert.equal(wrongType.status, 422, wrongType.text);
      assert.match(wrongType.text, /prompt/);
    });
  });
}

/** What useChat does on submit: DefaultChatTransport.sendMessages with the conversation so far. */
async function sendChat(
  app: ChatApp,
  prompt: string,
  options: { readonly abortSignal?: AbortSignal; readonly onResponse?: (response: Response) => void } = {},
): Promise<{ stream: ReadableStream<UIMessageChunk> }> {
  const transport = new DefaultChatTransport<UIMessage>({
    api: app.url('ai-sdk'),
    // The transport's own fetch, observed (the headers are checked): the request and response pass through as is.
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      options.onResponse?.(response);
      return response;
    },
  });
  const stream = await transport.sendMessages({
    chatId: 'chat-1',
    messageId: undefined,
    trigger: 'submit-message',
    abortSignal: options.abortSignal,
    messages: [
      { id: 'u0', role: 'user', parts: [{ type: 'text', text: 'Earlier question' }] },
      { id: 'a0', role: 'assistant', parts: [{ type: 'text', text: 'Earlier answer' }] },
      { id: 'u1', role: 'user', parts: [{ type: 'text', text: prompt }] },
    ],
  });
  return { stream };
}

/** readUIMessageStream over the chunks: every snapshot of the assistant message, and the errors it reported. */
async function assemble(stream: ReadableStream<UIMessageChunk>): Promise<{ snapshots: UIMessage[]; errors: Error[] }> {
  const snapshots: UIMessage[] = [];
  const errors: Error[] = [];
  for await (const message of readUIMessageStream<UIMessage>({ stream, onError: (error) => errors.push(error as Error) })) {
    snapshots.push(structuredClone(message));
    if (snapshots.length > 10_000) throw new Error('runaway stream');
  }
  assert.ok(snapshots.length > 0, 'at least one message snapshot');
  return { snapshots, errors };
}

/** Records every chunk passing through. */
function tee(stream: ReadableStream<UIMessageChunk>, into: UIMessageChunk[]): ReadableStream<UIMessageChunk> {
  return stream.pipeThrough(
    new TransformStream<UIMessageChunk, UIMessageChunk>({
      transform(chunk, controller) {
        into.push(chunk);
        controller.enqueue(chunk);
      },
    }),
  );
}

function isToolPart(part: UIMessage['parts'][number]): part is Extract<UIMessage['parts'][number], { toolCallId: string }> {
  return part.type === 'dynamic-tool' || part.type.startsWith('tool-');
}

/**
 * The parts as plain data, for an exact comparison: a static (`tool-NAME`) or dynamic tool part both read as
 * `{type: 'tool', toolName, ...}` (the encoder may send either), part ids (whatever the encoder picked) left out.
 */
function normalizeParts(message: UIMessage): unknown[] {
  return message.parts.map((part) => {
    if (isToolPart(part)) {
      const toolName = part.type === 'dynamic-tool' ? (part as { toolName: string }).toolName : part.type.slice('tool-'.length);
      return { type: 'tool', toolName, toolCallId: part.toolCallId, state: part.state, input: part.input };
    }
    if (part.type === 'text' || part.type === 'reasoning') {
      return { type: part.type, text: part.text, state: part.state };
    }
    return part;
  });
}

async function postJson(url: string, body: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, text: await response.text() };
}
