/**
 * samples/chat-app (issue 19 item 6) as its README runs it: the generated package beside it, uvicorn, the real
 * openai SDK pointed at the local provider (test/support/providers). The `ai` package's DefaultChatTransport sends
 * a message as useChat does and the client leaves after three text deltas: with the route's `finish` policy the
 * provider writes the whole answer and the sample's SQLite file holds all of it, with the provider's usage.
 */
import assert from 'node:assert/strict';
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { DefaultChatTransport, type UIMessage } from 'ai';
import { loadExeca } from '../support/execa';
import { startProviderServer, type ProviderServer } from '../support/providers/server';
import { pythonStack } from '../support/python';
import { writeGeneratedStreaming } from '../support/streamingPackage';
import { makeTempDir } from '../support/tempdir';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { eventually, getJson } from '../support/wire';

const CURRENT = pythonStack('current');
const SAMPLE = path.join(__dirname, '../../samples/chat-app');
const TOKENS = Array.from({ length: 60 }, (_, i) => ` word${i}`);

interface SavedAnswer {
  readonly question: string;
  readonly answer: string;
  readonly finish_reason: string;
  readonly model: string;
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cached_input_tokens: number;
  readonly reasoning_tokens: number;
}

describe(`samples/chat-app: answers saved in SQLite ${CURRENT.tag}`, function () {
  this.timeout(60_000);
  let dir: string;
  let provider: ProviderServer;
  let app: RunningServer;

  before(async () => {
    dir = await makeTempDir('chat-sample');
    await cp(SAMPLE, dir, { recursive: true });
    await writeGeneratedStreaming(dir);
    provider = await startProviderServer();
    app = await startUvicorn({
      cwd: dir,
      app: 'main:app',
      env: { ...provider.sdkEnvironment(), CHAT_DB: path.join(dir, 'chats.sqlite3') },
      python: (await CURRENT.interpreter()).command,
    });
  });

  after(async () => {
    await app?.stop();
    await provider?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a client that leaves mid-answer: the whole answer is in the SQLite file with the provider usage', async () => {
    provider.behave({ tokens: TOKENS, eventDelayMs: 10, usage: { input: 40, output: 7, cached: 10, reasoning: 3 } });
    const leave = new AbortController();
    const transport = new DefaultChatTransport<UIMessage>({ api: `${app.baseUrl}/api/chat` });
    const stream = await transport.sendMessages({
      chatId: 'chat-1',
      messageId: undefined,
      trigger: 'submit-message',
      abortSignal: leave.signal,
      messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Tell me a long story' }] }],
    });
    const reader = stream.getReader();
    let deltas = 0;
    for (let read = 0; deltas < 3 && read < 1_000; read++) {
      const { value, done } = await reader.read();
      if (done) break;
      if (value.type === 'text-delta') deltas++;
    }
    assert.equal(deltas, 3);
    leave.abort();
    await reader.cancel().catch(() => undefined);

    const saved = await eventually(
      'the answer is saved',
      async () => {
        const rows = await getJson<SavedAnswer[]>(`${app.baseUrl}/api/chats/chat-1`);
        return rows.length > 0 ? rows : undefined;
      },
      15_000,
    );
    assert.equal(saved.length, 1);
    assert.deepEqual(saved[0], {
      question: 'Tell me a long story',
      answer: TOKENS.join(''),
      finish_reason: 'completed',
      model: 'gpt-4o-mini',
      input_tokens: 40,
      output_tokens: 7,
      cached_input_tokens: 10,
      reasoning_tokens: 3,
      duration: (saved[0] as SavedAnswer & { duration: number }).duration,
    });
    assert.equal(provider.requests[0]?.outcome, 'complete', 'the provider wrote the answer to its end');

    // The file itself, read with the standard library's sqlite3 as anyone would.
    const execa = await loadExeca();
    const python = (await CURRENT.interpreter()).command;
    const { stdout } = await execa(python, [
      '-c',
      'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT length(answer), output_tokens FROM answers").fetchall())',
      path.join(dir, 'chats.sqlite3'),
    ]);
    assert.equal(stdout.trim(), `[(${TOKENS.join('').length}, 7)]`);
  });
});
