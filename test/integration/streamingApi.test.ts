/**
 * The generated module's API contract, called directly on each Python stack (test/fixtures/streaming/check_api.py):
 * error events carry a generic message unless expose_errors=True, with the whole exception in the server log
 * either way; include_done is keyword-only; background= runs after the body, as with StreamingResponse; a
 * ping_interval that is not a positive number raises ValueError; an open stream runs two helper tasks.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { loadExeca } from '../support/execa';
import { PYTHON_STACKS } from '../support/python';
import { STREAMING_FIXTURES, writeStreamingApp } from '../support/streamingApp';
import { makeTempDir } from '../support/tempdir';

interface ApiReport {
  readonly tokens_default: string;
  readonly tokens_exposed: string;
  readonly partial_default: string;
  readonly partial_exposed: string;
  readonly logged: readonly string[];
  readonly include_done_positional: string;
  readonly ping_refusals: Record<string, string | null>;
  readonly background_order: readonly string[];
  readonly helper_tasks: number;
  readonly shutdown_after_handoff: readonly string[];
}

const SECRET = 'https://internal.example/v1?key=sk-secret';
const GENERIC = 'The stream failed; the server log has the details.';

for (const stack of PYTHON_STACKS) {
  describe(`generated module API ${stack.tag}`, function () {
    this.timeout(60_000);
    let result: ApiReport;

    before(async () => {
      const dir = await makeTempDir('streaming-api');
      try {
        await writeStreamingApp(dir);
        const execa = await loadExeca();
        const python = (await stack.interpreter()).command;
        const { stdout } = await execa(python, [path.join(STREAMING_FIXTURES, 'check_api.py')], { cwd: dir, env: { PYTHONPATH: dir } });
        result = JSON.parse(stdout) as ApiReport;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('sends the exception type and a generic message by default, never the exception text', () => {
      assert.equal(result.tokens_default, `event: token\ndata: {"text":"a"}\n\nevent: error\ndata: {"type":"RuntimeError","message":"${GENERIC}"}\n\n`);
      assert.equal(result.partial_default, `event: error\ndata: {"index":0,"type":"ValueError","message":"${GENERIC}"}\n\n`);
    });

    it('sends the message with expose_errors=True', () => {
      assert.equal(
        result.tokens_exposed,
        `event: token\ndata: {"text":"a"}\n\nevent: error\ndata: {"type":"RuntimeError","message":"upstream failed at ${SECRET}"}\n\n`,
      );
      assert.equal(result.partial_exposed, `event: error\ndata: {"index":0,"type":"ValueError","message":"operation failed at ${SECRET}"}\n\n`);
    });

    it('logs the whole exception, with its traceback, server-side each time', () => {
      assert.equal(result.logged.length, 4);
      for (const text of result.logged) {
        assert.match(text, /Traceback \(most recent call last\)/);
        assert.ok(text.includes(SECRET), text);
      }
    });

    it('takes include_done by keyword only', () => {
      assert.match(result.include_done_positional, /^TypeError: stream_tokens\(\) takes 1 positional argument/);
    });

    it('raises ValueError for a ping_interval of 0, a negative one or NaN; accepts None and positive numbers', () => {
      assert.deepEqual(Object.keys(result.ping_refusals), ['0.0', '-1.0', 'nan', 'None', '0.5']);
      for (const value of ['0.0', '-1.0', 'nan']) {
        assert.match(result.ping_refusals[value] ?? 'accepted', /^ValueError: ping_interval must be a positive number/, value);
      }
      assert.equal(result.ping_refusals.None, null);
      assert.equal(result.ping_refusals['0.5'], null);
    });

    it('runs background= after the whole body was sent', () => {
      assert.deepEqual(result.background_order, ['body', 'body', 'end', 'background']);
    });

    it('runs an open stream with two helper tasks (client gone; shutdown and pings), not three in two task groups', () => {
      // Each task costs CPU at 1,000 open streams (timers, start, cancellation): npm run bench -- paced.
      assert.equal(result.helper_tasks, 2);
    });

    it('polls for shutdown from one stream per event loop, handed on when it ends: the others still end with reconnect', () => {
      const token = 'event: token\ndata: {"text":"x"}\n\n';
      assert.deepEqual(result.shutdown_after_handoff, [
        `${token}event: done\ndata: {"text":"x","token_count":1,"finish_reason":"completed"}\n\n`,
        `${token}retry: 1000\nevent: reconnect\ndata: {"reason":"server shutting down"}\n\n`,
      ]);
    });
  });
}
