/** `catalyst-streaming preview` against the uvicorn fixture endpoints: output formats and exit codes. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { freePort } from '../../src/core/net/ports';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { writeFile } from 'node:fs/promises';
import { withTempDir } from '../support/tempdir';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['preview', ...argv], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: process.cwd() });
  return { code, stdout, stderr };
}

describe('catalyst-streaming preview', function () {
  let server: RunningServer;

  before(async function () {
    server = await startUvicorn({ cwd: path.resolve(__dirname, '../fixtures/sse'), app: 'app:app' });
  });

  after(async function () {
    await server?.stop();
  });

  it('--json prints one {"event","data","id","t_ms"} object per line and exits 0', async function () {
    const { code, stdout, stderr } = await cli(`${server.baseUrl}/tokens`, '--json');
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    const lines = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      lines.map(({ event, data, id }) => ({ event, data, id })),
      [
        { event: 'token', data: '{"text":"Hello"}', id: '1' },
        { event: 'token', data: '{"text":", "}', id: '2' },
        { event: 'token', data: '{"text":"world"}', id: '3' },
        { event: 'token', data: '{"text":"!"}', id: '4' },
        { event: 'done', data: '{"text":"Hello, world!","token_count":4}', id: '4' },
      ],
    );
    for (const line of lines) {
      // The original four fields first, unchanged; the protocol (added for issue 10) after them.
      assert.deepEqual(Object.keys(line), ['event', 'data', 'id', 't_ms', 'protocol']);
      assert.equal(typeof line.t_ms, 'number');
      assert.equal(line.protocol, 'sse');
    }
    const times = lines.map((l) => l.t_ms as number);
    assert.deepEqual(
      [...times].sort((a, b) => a - b),
      times,
      't_ms never goes back',
    );
  });

  describe('protocols (issue 10): detection, reasoning and tool calls', function () {
    const jsonLines = (stdout: string) =>
      stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    /** What a consumer of --json assembles: the protocols seen, the reasoning, the arguments and final state per tool call. */
    function assembled(lines: ReadonlyArray<Record<string, unknown>>) {
      const calls = new Map<string, { name: string; arguments: string; done: boolean; input?: unknown }>();
      for (const line of lines) {
        const call = line.tool_call as { id: string; name: string; arguments?: string; done: boolean; input?: unknown } | undefined;
        if (call) {
          const before = calls.get(call.id);
          calls.set(call.id, {
            name: call.name,
            arguments: (before?.arguments ?? '') + (call.arguments ?? ''),
            done: call.done,
            ...('input' in call ? { input: call.input } : {}),
          });
        }
      }
      return {
        protocols: [...new Set(lines.map((l) => l.protocol))],
        reasoning: lines.map((l) => (l.reasoning as string | undefined) ?? '').join(''),
        calls: Object.fromEntries(calls),
      };
    }
    const weather = { call_1: { name: 'get_weather', arguments: '{"city":"Paris"}', done: true, input: { city: 'Paris' } } };

    it('sse: --json lines carry the protocol, the reasoning and the tool call', async function () {
      const { code, stdout } = await cli(`${server.baseUrl}/protocol/sse?prompt=Bonjour`, '--json');
      assert.equal(code, 0);
      assert.deepEqual(assembled(jsonLines(stdout)), { protocols: ['sse'], reasoning: 'The user wants the weather.', calls: weather });
    });

    it('ai-sdk: detected from the header on every line; tool input streamed in fragments', async function () {
      const body = JSON.stringify({ id: 'c1', messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'Bonjour' }] }], trigger: 'submit-message' });
      const { code, stdout } = await cli(`${server.baseUrl}/api/chat`, '--data', body, '--json');
      assert.equal(code, 0);
      const lines = jsonLines(stdout);
      assert.deepEqual(assembled(lines), { protocols: ['ai-sdk'], reasoning: 'The user wants the weather.', calls: weather });
      const fragments = lines.filter((l) => (l.tool_call as { arguments?: string } | undefined)?.arguments !== undefined).length;
      assert.equal(fragments, 2, 'one line per tool-input-delta');
    });

    it('openai: reasoning_content and tool_calls, the call completed by finish_reason', async function () {
      const body = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'Bonjour' }] });
      const { code, stdout } = await cli(`${server.baseUrl}/v1/chat/completions`, '--data', body, '--json');
      assert.equal(code, 0);
      const lines = jsonLines(stdout);
      assert.deepEqual(assembled(lines), { protocols: ['openai'], reasoning: 'The user wants the weather.', calls: weather });
      const finish = lines.find(
        (l) => l.data !== '[DONE]' && (JSON.parse(l.data as string) as { choices: Array<{ finish_reason: unknown }> }).choices[0]?.finish_reason,
      );
      assert.deepEqual((finish?.tool_call as { done: boolean }).done, true);
    });

    it('the human summary names the protocol and shows reasoning and tool calls beside the text', async function () {
      const body = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'Bonjour' }] });
      const { code, stdout } = await cli(`${server.baseUrl}/v1/chat/completions`, '--data', body);
      assert.equal(code, 0);
      assert.match(
        stdout,
        /\ntext \(openai\): You said: Bonjour\nprotocol: openai\nreasoning: The user wants the weather\.\ntool call get_weather \(call_1\): \{"city":"Paris"\}\n/,
      );
    });
  });

  it('--json: event defaults to "message" and id is null before any id', async function () {
    const { code, stdout } = await cli(`${server.baseUrl}/malformed`, '--json');
    assert.equal(code, 0);
    const first = JSON.parse(stdout.split('\n')[0]!) as Record<string, unknown>;
    assert.deepEqual({ event: first.event, data: first.data, id: first.id }, { event: 'message', data: 'first', id: null });
  });

  it('prints events, the assembled text and a summary in the human format', async function () {
    const { code, stdout } = await cli(`${server.baseUrl}/tokens`);
    assert.equal(code, 0);
    assert.match(stdout, /^HTTP 200 after [\d.]+ ms\n/);
    assert.match(stdout, /ms {2}token id=1 {2}\{"text":"Hello"\}\n/);
    assert.match(stdout, /\ntext \(catalyst\): Hello, world!\n/);
    assert.match(stdout, /events 5 \(token 4, done 1\)/);
    assert.match(stdout, /first token [\d.]+ ms, [\d.]+ tokens\/s/);
  });

  it('POSTs --data with --header, and resumes with --last-event-id', async function () {
    const { code, stdout } = await cli(`${server.baseUrl}/echo`, '--data', '{"prompt":"hi"}', '--header', 'X-Custom: yes', '--last-event-id', '9', '--json');
    assert.equal(code, 0);
    const [request, headers] = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse((JSON.parse(line) as { data: string }).data) as Record<string, unknown>);
    assert.deepEqual(request, { method: 'POST', body: { prompt: 'hi' } });
    assert.equal(headers!['x-custom'], 'yes');
    assert.equal(headers!['last-event-id'], '9');
  });

  it('warns about gzip and buffering in the summary, not about Connection: keep-alive on HTTP/1.1', async function () {
    const { code, stdout } = await cli(`${server.baseUrl}/gzip/tokens`);
    assert.equal(code, 0);
    assert.match(stdout, /warning: Content-Encoding: gzip/);
    assert.doesNotMatch(stdout, /Connection/);
    assert.match(stdout, /buffering suspected: 20 events arrived in one burst/);
  });

  it('exits 1 with a clear message for an HTTP error, a non-SSE response and a refused connection', async function () {
    const httpError = await cli(`${server.baseUrl}/http-error`, '--json');
    assert.equal(httpError.code, 1);
    assert.equal(httpError.stdout, '');
    assert.match(httpError.stderr, /The server answered 503 Service Unavailable: \{"detail":"model overloaded"\}/);
    const notSse = await cli(`${server.baseUrl}/not-sse`);
    assert.equal(notSse.code, 1);
    assert.match(notSse.stderr, /not an event stream \(Content-Type "text\/plain; charset=utf-8"/);
    const port = await freePort();
    const refused = await cli(`http://127.0.0.1:${port}/stream`);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /connection refused\. Is the server running\?\nStart the server first/);
  });

  it('exits 2 for a URL that is not http(s), bad --data and a bad --header', async function () {
    for (const argv of [['ftp://127.0.0.1/x'], ['http://127.0.0.1:1/x', '--data', '{nope'], ['http://127.0.0.1:1/x', '--header', 'novalue'], []]) {
      const { code, stderr } = await cli(...argv);
      assert.equal(code, 2, argv.join(' '));
      assert.ok(stderr.length > 0);
    }
    assert.match((await cli('file:///etc/passwd')).stderr, /not an http\(s\) URL \(scheme "file"\)/);
  });
});

describe('catalyst-streaming preview when the server dies mid-stream', function () {
  it('exits 1 and says the stream ended unexpectedly, after printing the events that came', async function () {
    const server = await startUvicorn({ cwd: path.resolve(__dirname, '../fixtures/sse'), app: 'app:app' });
    try {
      const { code, stdout, stderr } = await cli(`${server.baseUrl}/die`, '--json');
      assert.equal(code, 1);
      assert.equal(stdout.trimEnd().split('\n').length, 2);
      assert.match(stderr, /The stream ended unexpectedly after 2 event\(s\)/);
    } finally {
      await server.stop();
    }
  });
});

/** A route whose Pydantic model the body is made from (nested model, Literal, list): 422 unless the body fits. */
const MODEL_APP = `from typing import Literal

from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

app = FastAPI()


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class Ask(BaseModel):
    prompt: str
    history: list[Turn]
    max_tokens: int


async def words(body: Ask):
    for text in (body.prompt, str(body.max_tokens), body.history[0].role):
        yield f"event: token\\ndata: {{\\"text\\": \\"{text} \\"}}\\n\\n"


@app.post("/ask")
async def ask(body: Ask) -> StreamingResponse:
    return StreamingResponse(words(body), media_type="text/event-stream")
`;

describe('catalyst-streaming preview --app: a POST without --data sends a body the route accepts', function () {
  this.timeout(120_000);
  const fixtures = path.resolve(__dirname, '../fixtures/sse');
  let server: RunningServer;

  before(async function () {
    server = await startUvicorn({ cwd: fixtures, app: 'app:app' });
  });

  after(async function () {
    await server?.stop();
  });

  it('the AI SDK chat request and the OpenAI one, by the route’s protocol', async function () {
    for (const [route, text] of [
      ['/api/chat', 'You said: Hello!'],
      ['/v1/chat/completions', 'You said: Hello!'],
    ] as const) {
      const run = await cli(`${server.baseUrl}${route}`, '--method', 'POST', '--app', 'app.py:app', '--workspace', fixtures);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.match(run.stdout, new RegExp(text));
    }
    const without = await cli(`${server.baseUrl}/api/chat`, '--method', 'POST', '--data', '{}');
    assert.equal(without.code, 1, 'the route refuses an empty chat: the body made the difference');
  });

  it('the route’s Pydantic model with example values', async function () {
    await withTempDir('preview-model', async (dir) => {
      await writeFile(path.join(dir, 'main.py'), MODEL_APP);
      const modelServer = await startUvicorn({ cwd: dir, app: 'main:app' });
      try {
        const run = await cli(`${modelServer.baseUrl}/ask`, '--method', 'POST', '--app', 'main.py:app', '--workspace', dir, '--json');
        assert.equal(run.code, 0, run.stderr + run.stdout);
        const texts = run.stdout
          .trim()
          .split('\n')
          .map((line) => (JSON.parse((JSON.parse(line) as { data: string }).data) as { text: string }).text);
        assert.deepEqual(texts, ['Hello! ', '1 ', 'user ']);
        const unknown = await cli(`${modelServer.baseUrl}/nope`, '--method', 'POST', '--app', 'main.py:app', '--workspace', dir);
        assert.equal(unknown.code, 1);
        assert.match(unknown.stderr, /main\.py:app serves no POST \/nope/);
      } finally {
        await modelServer.stop();
      }
    });
  });
});
