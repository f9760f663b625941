/**
 * The Stream Preview's Stop on the resumable routes `add-endpoint --resumable` writes (sse, ai-sdk, openai), on
 * a real uvicorn with the in-process store: the preview's own run (runPreview with the panel's RunStopper) is
 * stopped after a few tokens. Stop asks the route's stop endpoint, so the answer really ends: the route's
 * on_finish gets "stopped" with the text the preview shows, the preview reads the server's final event (the
 * finish reason) and reports the run stopped by the server, not a closed connection. Closing the connection
 * instead would leave a resumable answer running to its end, and on_finish would get "completed".
 *
 * The client snippets' stop on the same routes (current stack): `snippet` renders the fetch, openai-node and
 * openai-python clients of the generated app, each is run as pasted and sent Ctrl-C (SIGINT) mid-answer; its stop
 * call ends the answer on the server, the client ends normally with the text so far, and on_finish agrees.
 * The CLI's `preview` (dist/cli.js) sent Ctrl-C on a resumable route stops the answer on the server too.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { apply, emptyModel, runPreview, RunStopper, type StopOutcome } from '../../src/core/sse/preview';
import type { HostMessage } from '../../src/protocol/preview';
import type { StreamRequest } from '../../src/protocol/stream';
import { loadExeca } from '../support/execa';
import { PYTHON_STACKS, testPython, type PythonStack } from '../support/python';
import { makeResumableApp } from '../support/resumableApp';
import { makeTempDir } from '../support/tempdir';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { eventually } from '../support/wire';

const MAIN = `from fastapi import FastAPI

app = FastAPI()
`;

// The user's token source, slow enough to be stopped midway (the on_finish hook: resumableApp.ts's save_to_log).
const TOKENS = `import os
from collections.abc import AsyncIterator

import anyio


async def slow_tokens(prompt: str) -> AsyncIterator[str]:
    for i in range(400):
        yield f" {prompt[:8]}-{i}"
        if i == 20:  # Midway: the client can be stopped now (the snippet tests wait for this line).
            with open(os.environ["STARTED_LOG"], "a", encoding="utf-8") as log:
                log.write(prompt + "\\n")
        await anyio.sleep(0.01)
`;

const ROUTES = [
  { protocol: 'sse', route: '/stream', finishReason: 'stopped' },
  { protocol: 'ai-sdk', route: '/api/chat', finishReason: 'stopped' },
  // OpenAI's finish reasons have no "stopped": a stopped answer ends as "stop", as the openai clients expect.
  { protocol: 'openai', route: '/v1/chat/completions', finishReason: 'stop' },
] as const;

const WAIT_MS = 20_000;

function requestFor(protocol: (typeof ROUTES)[number]['protocol'], base: string, run: string): StreamRequest {
  const headers: [string, string][] = [['Authorization', 'Bearer preview-test']];
  switch (protocol) {
    case 'sse':
      return { url: `${base}/stream?prompt=${run}`, method: 'GET', headers };
    case 'ai-sdk':
      return {
        url: `${base}/api/chat`,
        method: 'POST',
        headers,
        body: JSON.stringify({ id: `chat-${run}`, trigger: 'submit-message', messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: run }] }] }),
      };
    case 'openai':
      return {
        url: `${base}/v1/chat/completions`,
        method: 'POST',
        headers,
        body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: run }] }),
      };
  }
}

for (const stack of PYTHON_STACKS) {
  describe(`Stream Preview Stop on generated resumable routes ${stack.tag}`, function () {
    this.timeout(90_000);
    suite(stack);
  });
}

function suite(stack: PythonStack): void {
  let server: RunningServer;
  let root: string;
  let finishLog: string;
  let startedLog: string;

  before(async () => {
    root = await makeResumableApp({
      name: 'preview-stop',
      main: MAIN,
      modules: { 'tokens.py': TOKENS },
      source: 'slow_tokens',
      routes: ROUTES,
      saveToLog: true,
    });
    finishLog = path.join(root, 'finished.jsonl');
    startedLog = path.join(root, 'started.txt');
    await Promise.all([writeFile(finishLog, ''), writeFile(startedLog, '')]);
    server = await startUvicorn({ cwd: root, app: 'app.main:app', stack, env: { FINISH_LOG: finishLog, STARTED_LOG: startedLog } });
  });

  after(async () => {
    await server?.stop();
  });

  for (const { protocol, finishReason } of ROUTES) {
    it(`${protocol}: Stop asks the stop endpoint; the preview reads the final event, on_finish gets "stopped" with the shown text`, async () => {
      const run = randomUUID();
      const request = requestFor(protocol, server.baseUrl, run);
      const stopper = new RunStopper(request);
      const model = emptyModel(request);
      let stopping: Promise<StopOutcome> | undefined;
      const result = await runPreview({
        run: 1,
        request,
        stopper,
        post: (message: HostMessage) => {
          apply(model, message, {});
          if (model.text.split(' ').length > 5) {
            stopping ??= stopper.stop();
          }
        },
      });
      assert.ok(stopping, `the run ended before Stop: ${JSON.stringify(result.outcome)}`);
      assert.equal(await stopping, 'stopped-by-server');
      assert.deepEqual(result.outcome, { kind: 'stopped' });
      assert.equal(model.finish?.finishReason, finishReason, 'the server sent its final event');
      assert.ok(model.text.split(' ').length < 300, 'stopped midway');
      const finished = await eventually(
        `on_finish for ${run}`,
        async () => {
          const lines = (await readFile(finishLog, 'utf8')).split('\n').filter(Boolean);
          return lines.map((line) => JSON.parse(line) as { reason: string; text: string }).find((line) => line.text.includes(run.slice(0, 8)));
        },
        WAIT_MS,
      );
      assert.deepEqual([finished.reason, finished.text], ['stopped', model.text]);
    });
  }

  const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter(Boolean);

  /** `snippet` for the generated route, as printed; then runs it, sends SIGINT midway; the text it printed. */
  async function runStopped(route: string, client: string, command: (file: string) => Promise<readonly [string, readonly string[]]>): Promise<string> {
    let code = '';
    const printed = await main(
      ['snippet', '--workspace', root, '--app', 'app/main.py:app', '--route', route, '--client', client, '--base-url', server.baseUrl],
      {
        stdout: (t) => (code += t),
        stderr: (t) => (code += t),
        cwd: root,
      },
    );
    assert.equal(printed, 0, code);
    const dir = await makeTempDir('preview-stop-snippet');
    await symlink(path.resolve(__dirname, '../../node_modules'), path.join(dir, 'node_modules'), 'dir');
    const file = path.join(dir, client === 'openai-python' ? 'chat.py' : 'chat.mts');
    await writeFile(file, code);
    const [program, args] = await command(file);
    const [started, finished] = [(await lines(startedLog)).length, (await lines(finishLog)).length];
    const execa = await loadExeca();
    const run = execa(program, [...args], { cwd: dir, reject: false, timeout: WAIT_MS, env: { OPENAI_API_KEY: '', NODE_V8_COVERAGE: undefined } });
    await eventually(`${client}: the answer midway`, async () => ((await lines(startedLog)).length > started ? true : undefined), WAIT_MS);
    run.kill('SIGINT');
    const result = await run;
    assert.equal(result.exitCode, 0, `${client}: ${String(result.stderr)}`);
    const text = /^text: (.*)$/m.exec(String(result.stdout))?.[1];
    assert.ok(text !== undefined && text.split(' ').length > 20 && text.split(' ').length < 300, `${client} printed ${String(result.stdout)}`);
    const call = await eventually(`${client}: on_finish`, async () => (await lines(finishLog))[finished], WAIT_MS);
    const { reason, text: saved } = JSON.parse(call) as { reason: string; text: string };
    assert.deepEqual({ reason, text: saved }, { reason: 'stopped', text });
    return text;
  }

  it('the CLI preview: Ctrl-C on a resumable route stops the answer on the server (exit 130, on_finish "stopped")', async () => {
    const run = randomUUID();
    const [started, finished] = [(await lines(startedLog)).length, (await lines(finishLog)).length];
    const execa = await loadExeca();
    const cli = path.resolve(__dirname, '../../dist/cli.js');
    const child = execa(process.execPath, [cli, 'preview', `${server.baseUrl}/stream?prompt=${run}`], { reject: false, timeout: WAIT_MS });
    await eventually('the answer midway', async () => ((await lines(startedLog)).length > started ? true : undefined), WAIT_MS);
    child.kill('SIGINT');
    const result = await child;
    assert.equal(result.exitCode, 130, String(result.stderr));
    assert.match(String(result.stderr), /^catalyst-streaming preview: stopped on the server after \d+ event\(s\)$/m);
    assert.match(String(result.stdout), /^ +[\d.]+ ms {2}done id=\S+ {2}\{.*"finish_reason":"stopped"\}$/m);
    const call = JSON.parse(await eventually('on_finish', async () => (await lines(finishLog))[finished], WAIT_MS)) as { reason: string; text: string };
    assert.equal(call.reason, 'stopped');
    assert.ok(call.text.includes(run.slice(0, 8)) && call.text.split(' ').length < 300, call.text);
  });

  const node = async (file: string) => [process.execPath, ['--import', 'tsx', file]] as const;
  if (stack.name === 'current') {
    it('the fetch snippet (sse, ai-sdk), openai-node and openai-python: Ctrl-C stops the answer on the server', async () => {
      const python = async (file: string) => [(await testPython('current')).command, [file]] as const;
      await runStopped('/stream', 'fetch', node);
      await runStopped('/api/chat', 'fetch', node);
      await runStopped('/v1/chat/completions', 'openai-node', node);
      await runStopped('/v1/chat/completions', 'openai-python', python);
    });
  }
}
