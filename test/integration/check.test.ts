/**
 * `catalyst-streaming check`: findings as text and as the public JSON format, exit codes, and --fix on a
 * copy of the fixture corpus (files rewritten, streaming.py created, nothing left to fix, a second run a no-op).
 */
import assert from 'node:assert/strict';
import { cp, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { analyzePythonModule } from '../../src/core/python/analysis';
import { inspectGeneratedFile } from '../../src/core/codegen/python/generatedHeader';
import { withTempDir } from '../support/tempdir';

const FIXTURES = path.join(__dirname, '../fixtures/llm');

async function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['check', ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd });
  return { code, stdout, stderr };
}

describe('catalyst-streaming check', () => {
  it('prints file:line:col findings and exits 1', async () => {
    const { code, stdout } = await run(['snippets'], FIXTURES);
    assert.equal(code, 1);
    const lines = stdout.trim().split('\n');
    assert.ok(
      lines.includes(
        'snippets/anthropic_async_route.py:16:21: llm-not-streamed Anthropic messages.create() returns the whole LLM response at once; stream it with SSE',
      ),
      stdout,
    );
    assert.ok(
      lines.includes(
        'snippets/openai_sync_in_async.py:10:18: llm-sync-client OpenAI chat.completions.create() on the sync OpenAI client blocks the event loop inside async def; use AsyncOpenAI',
      ),
      stdout,
    );
    // A helper a route calls is reached from that route, which the message names.
    assert.ok(
      lines.includes(
        'snippets/outside_route.py:10:24: llm-not-streamed OpenAI chat.completions.create() returns the whole LLM response at once to the route GET /summary (summary in outside_route.py); stream it with SSE',
      ),
      stdout,
    );
    // So is a method of a module-level service instance (`assistant = Assistant()`) the route calls.
    assert.ok(
      lines.some((line) => line.startsWith('snippets/client_in_self.py:12:28: llm-not-streamed') && line.includes('to the route GET /assistant/ask')),
      stdout,
    );
    // And a function nested in the route that the route calls.
    assert.ok(
      lines.some((line) => line.startsWith('snippets/nested_helper.py:12:25: llm-not-streamed') && line.includes('to the route GET /poem')),
      stdout,
    );
    // Streaming calls are not problems.
    assert.ok(!stdout.includes('already_streaming.py'), stdout);
    assert.equal(lines.length, 12);
  });

  it('--json prints one array in the documented format, 1-based positions of the call', async () => {
    const { code, stdout } = await run(['--json', 'check/sse_problems.py', 'snippets/kwargs_spread.py'], FIXTURES);
    assert.equal(code, 1);
    assert.deepEqual(JSON.parse(stdout), [
      {
        file: 'check/sse_problems.py',
        line: 8,
        column: 1,
        code: 'sse-gzip',
        message:
          'GZipMiddleware on app, which has SSE routes, holds events back until its compression buffer fills if the project runs Starlette before 0.46.0 (its version is not pinned in a lock or requirements file; 0.46.0 and later skip text/event-stream)',
        provider: null,
      },
      {
        file: 'check/sse_problems.py',
        line: 18,
        column: 12,
        code: 'sse-no-accel-buffering',
        message: 'StreamingResponse serves text/event-stream without "X-Accel-Buffering: no"; behind nginx the events arrive in bursts',
        provider: null,
      },
      {
        file: 'snippets/kwargs_spread.py',
        line: 13,
        column: 24,
        code: 'llm-not-streamed',
        message: 'Groq chat.completions.create() returns the whole LLM response at once; stream it with SSE',
        provider: 'groq',
      },
    ]);
    const source = await readFile(path.join(FIXTURES, 'snippets/kwargs_spread.py'), 'utf8');
    assert.equal(source.split('\n')[12]!.slice(23).startsWith('groq.chat.completions.create('), true, 'line 13 column 24 is where the call starts');
  });

  it('exits 0 with "[]" when there is nothing to report', async () => {
    const { code, stdout } = await run(['--json', 'snippets/already_streaming.py'], FIXTURES);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), []);
  });

  it('exits 2 on a bad command line', async () => {
    assert.equal((await run(['no/such/path.py'], FIXTURES)).code, 2);
    assert.equal((await run(['--bogus'], FIXTURES)).code, 2);
    assert.equal((await run(['--fix', '--fix-style', 'inline'], FIXTURES)).code, 2);
    assert.equal((await run(['--fix-style', 'sibling'], FIXTURES)).code, 2);
  });

  it('--help documents every finding code', async () => {
    const { code, stdout } = await run(['--help'], FIXTURES);
    assert.equal(code, 0);
    for (const findingCode of ['llm-not-streamed', 'llm-sync-client', 'sse-no-accel-buffering', 'sse-gzip']) {
      assert.match(stdout, new RegExp(`^  ${findingCode} `, 'm'));
    }
  });

  it('--fix rewrites the routes, creates the streaming package, leaves nothing to fix, and a second run changes nothing', async () => {
    await withTempDir('llm-check-fix', async (dir) => {
      await cp(path.join(FIXTURES, 'snippets'), dir, { recursive: true });
      const first = await run(['--fix', '.'], dir);
      // Left: the calls routes reach through a helper, a service and a nested function (the fixes stream calls
      // written in route handlers).
      assert.equal(first.code, 1, first.stderr);
      assert.match(first.stdout, /^outside_route\.py:10:24: llm-not-streamed .* to the route GET \/summary/m);
      assert.match(first.stdout, /^client_in_self\.py:12:28: llm-not-streamed .* to the route GET \/assistant\/ask/m);
      assert.match(first.stdout, /^nested_helper\.py:12:25: llm-not-streamed .* to the route GET \/poem/m);
      assert.equal(first.stdout.trim().split('\n').length, 3, first.stdout);
      assert.match(first.stderr, /^Created streaming\/tokens\.py$/m);
      assert.match(first.stderr, /^Created streaming\/providers\/anthropic\.py$/m);
      assert.equal((first.stderr.match(/: fixed: /g) ?? []).length, 8, first.stderr);
      assert.equal((await inspectGeneratedFile(await readFile(path.join(dir, 'streaming', 'tokens.py'), 'utf8'))).kind, 'untouched');

      const snapshot = async () => {
        const files = new Map<string, string>();
        for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
          if (entry.isFile()) {
            const name = path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
            files.set(name, await readFile(path.join(dir, name), 'utf8'));
          }
        }
        return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
      };
      const afterFirst = await snapshot();
      for (const [name, text] of afterFirst) {
        const original = name.startsWith('streaming/') ? '' : await readFile(path.join(FIXTURES, 'snippets', name), 'utf8');
        const [before, after] = await Promise.all([analyzePythonModule(original), analyzePythonModule(text)]);
        assert.ok(after.syntaxErrors.length <= before.syntaxErrors.length, `${name} gained syntax errors`);
        before.dispose();
        after.dispose();
      }
      const second = await run(['--fix', '.'], dir);
      assert.equal(second.code, 1);
      assert.doesNotMatch(second.stderr, /fixed:|Created|Updated/);
      assert.deepEqual(await snapshot(), afterFirst);
    });
  });
});

describe('catalyst-streaming check across modules (--json)', () => {
  const WORKSPACES = path.join(FIXTURES, 'workspace');
  /** [layout, arguments after --json, expected `file:line:column code` rows]. */
  const rows: ReadonlyArray<readonly [string, readonly string[], readonly string[]]> = [
    ['service-depends', ['app/'], ['app/services/chat.py:11:22 llm-not-streamed', 'app/services/chat.py:11:22 llm-sync-client']],
    ['helper-module', ['.'], ['app/llm.py:5:24 llm-not-streamed']],
    [
      'state-and-dicts',
      ['app'],
      [
        'app/routers/chat.py:10:21 llm-not-streamed',
        'app/routers/chat.py:20:24 llm-not-streamed',
        'app/routers/chat.py:30:18 llm-not-streamed',
        'app/routers/chat.py:30:18 llm-sync-client',
      ],
    ],
    ['offloaded', ['.'], []],
    ['gzip-old', ['main.py'], ['main.py:8:1 sse-gzip']],
    ['gzip-new', ['main.py'], []],
  ];
  for (const [layout, args, expected] of rows) {
    it(`${layout}: ${expected.length === 0 ? 'nothing to report' : expected.join(', ')}`, async () => {
      const { code, stdout } = await run(['--json', ...args], path.join(WORKSPACES, layout));
      const findings = JSON.parse(stdout) as Array<Record<string, unknown>>;
      assert.deepEqual(
        findings.map((f) => `${String(f['file'])}:${String(f['line'])}:${String(f['column'])} ${String(f['code'])}`),
        expected,
        stdout,
      );
      // The documented shape, unchanged: exactly these keys.
      for (const finding of findings) {
        assert.deepEqual(Object.keys(finding).sort(), ['code', 'column', 'file', 'line', 'message', 'provider']);
      }
      assert.equal(code, expected.length > 0 ? 1 : 0);
    });
  }

  it('names the route a reached call blocks, in the text output too', async () => {
    const { stdout } = await run(['app'], path.join(WORKSPACES, 'service-depends'));
    assert.match(
      stdout,
      /^app\/services\/chat\.py:11:22: llm-sync-client .* async route POST \/chat\/ask \(ask in app\/api\/chat\.py\); use AsyncOpenAI \(no quick fix: .*"answer".*\)$/m,
    );
  });
});
