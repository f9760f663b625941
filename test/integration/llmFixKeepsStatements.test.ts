/**
 * `check --fix` never drops what a handler did with the LLM's answer (test/fixtures/llm/keep, one realistic
 * handler a file, one table row each):
 *  - fixed: the statements after the call (history append, transcript save, answer log) run once the stream has
 *    assembled the whole text. Every fixed route is served by a real uvicorn against the local provider server
 *    with the REAL SDKs (current stack only: the oldest has no SDKs), streams the answer, and the file the
 *    statements write holds the full text. A client that leaves mid-answer closes the provider stream and the
 *    statements do not run. ruff and pyright find nothing new in the fixed files; `ruff format` has nothing to do.
 *  - refused: the file is left as it is, `check --fix` prints "not fixed: <why>" and exits 1, the finding stays
 *    and says why there is no quick fix (the editor shows the same message).
 *  - not a finding: forced tool calls, JSON response formats and tiny classifiers are not "not streamed".
 * And `--fix-style sibling` copies the whole handler, keeps PEP 8 spacing and passes its own check (exit 0).
 */
import assert from 'node:assert/strict';
import { cp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { loadExeca } from '../support/execa';
import { startProviderServer, type ApiName, type ProviderServer } from '../support/providers/server';
import { addedMessages, pyrightStrictErrorsByFile } from '../support/pyright';
import { pythonStack } from '../support/python';
import { makeTempDir } from '../support/tempdir';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { openStream, parseSse, readStream } from '../support/wire';

const CURRENT = pythonStack('current');
const KEEP = path.join(__dirname, '../fixtures/llm/keep');
const RUFF = path.resolve(__dirname, '../../.venv/current/bin/ruff');
/** The rules the generated Python is held to (src/core/codegen/python/files/ruff.toml). */
const RUFF_RULES = 'E,F,W,I,UP,B,ASYNC,RUF';
const TOKENS = ['The', ' parcel', ' left', ' Lyon', ' on', ' Monday', ' — ', 'ça', ' arrive', '.'];
const FULL = TOKENS.join('');

interface Served {
  readonly path: string;
  readonly json?: unknown;
  readonly api: ApiName;
  /** The file the kept statements write (relative to the app's folder), and what it must then hold. */
  readonly writes: string;
  readonly holds: (text: string) => void;
}

type Case =
  | { readonly file: string; readonly outcome: 'fixed'; readonly serve: Served }
  | { readonly file: string; readonly outcome: 'refused'; readonly line: number; readonly reason: RegExp }
  | { readonly file: string; readonly outcome: 'not a finding' };

const CASES: readonly Case[] = [
  {
    file: 'chat_history.py',
    outcome: 'fixed',
    serve: {
      path: '/chat',
      json: { session: 's1', prompt: 'Where is my parcel?' },
      api: 'anthropic',
      writes: 'transcripts/s1.json',
      holds: (text) =>
        assert.deepEqual(JSON.parse(text), [
          { role: 'user', content: 'Where is my parcel?' },
          { role: 'assistant', content: FULL },
        ]),
    },
  },
  {
    file: 'answer_log.py',
    outcome: 'fixed',
    serve: { path: '/answer?question=late', api: 'openai-chat', writes: 'answers.log', holds: (text) => assert.equal(text, `late\t${FULL}\n`) },
  },
  {
    file: 'notes_responses.py',
    outcome: 'fixed',
    serve: { path: '/summary?meeting=standup', api: 'openai-responses', writes: 'summaries/standup.txt', holds: (text) => assert.equal(text, FULL) },
  },
  { file: 'usage_logging.py', outcome: 'refused', line: 15, reason: /uses `completion\.usage` \(line 19\), the token usage/ },
  { file: 'try_fallback.py', outcome: 'refused', line: 14, reason: /inside a try statement of the handler: its error handling \(a fallback answer\)/ },
  {
    file: 'dict_return.py',
    outcome: 'refused',
    line: 12,
    reason: /returns `\{"answer": message\.content\[0\]\.text, "model": message\.model\}`, which holds more/,
  },
  { file: 'branch_on_answer.py', outcome: 'refused', line: 12, reason: /branches on the answer at line 17/ },
  { file: 'two_calls.py', outcome: 'refused', line: 12, reason: /another LLM call \(line 13\)/ },
  { file: 'forced_tool.py', outcome: 'not a finding' },
  { file: 'json_answer.py', outcome: 'not a finding' },
  { file: 'classifier.py', outcome: 'not a finding' },
];

const FIXED = CASES.filter((c): c is Extract<Case, { outcome: 'fixed' }> => c.outcome === 'fixed');

async function check(args: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main([...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd });
  return { code, stdout, stderr };
}

/**
 * ruff's rule codes for a file, one per finding. Run in the file's folder, so that isort sorts the `streaming`
 * module next to it as first-party, as the planner does.
 */
async function ruffCodes(file: string): Promise<string[]> {
  const execa = await loadExeca();
  const args = ['check', '--isolated', '--no-cache', '--select', RUFF_RULES, '--output-format', 'json', path.basename(file)];
  const result = await execa(RUFF, args, { cwd: path.dirname(file), reject: false });
  return (JSON.parse(result.stdout) as Array<{ code: string }>).map((d) => d.code).sort();
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function tokensOf(body: Buffer): string[] {
  return parseSse(body.toString('utf8'))
    .events.filter((e) => e.event === 'token')
    .map((e) => (JSON.parse(e.data) as { text: string }).text);
}

describe(`check --fix keeps what the handler did with the answer ${CURRENT.tag}`, function () {
  this.timeout(240_000);
  let originalDir: string;
  let fixedDir: string;
  let provider: ProviderServer;
  const results = new Map<string, { code: number; stdout: string; stderr: string }>();

  before(async () => {
    originalDir = await makeTempDir('llm-keep-original');
    fixedDir = await makeTempDir('llm-keep-fixed');
    await cp(KEEP, originalDir, { recursive: true });
    await cp(KEEP, fixedDir, { recursive: true });
    for (const c of CASES) {
      results.set(c.file, await check(['check', '--fix', c.file], fixedDir));
    }
    provider = await startProviderServer();
  });

  after(async () => {
    await provider?.stop();
    await rm(originalDir, { recursive: true, force: true });
    await rm(fixedDir, { recursive: true, force: true });
  });

  for (const c of CASES) {
    it(`${c.file}: ${c.outcome}`, async () => {
      const { code, stdout, stderr } = results.get(c.file)!;
      const before = await readFile(path.join(KEEP, c.file), 'utf8');
      const after = await readFile(path.join(fixedDir, c.file), 'utf8');
      if (c.outcome === 'fixed') {
        assert.equal(code, 0, stdout + stderr);
        assert.match(stderr, new RegExp(`${c.file}:\\d+: fixed: Stream this LLM call as an SSE endpoint`));
        assert.notEqual(after, before);
        assert.deepEqual(await ruffCodes(path.join(fixedDir, c.file)), await ruffCodes(path.join(originalDir, c.file)), 'ruff finds something new');
        const execa = await loadExeca();
        const format = await execa(RUFF, ['format', '--isolated', '--no-cache', '--check', '--diff', c.file], { cwd: fixedDir, reject: false });
        assert.equal(format.exitCode, 0, format.stdout + format.stderr);
      } else if (c.outcome === 'refused') {
        assert.equal(code, 1, stdout + stderr);
        assert.equal(after, before, 'a refused fix changed the file');
        const line = stderr.split('\n').find((l) => l.startsWith(`${c.file}:${c.line}: not fixed: `));
        assert.ok(line, stderr);
        assert.match(line, c.reason);
        const finding = stdout.split('\n').find((l) => new RegExp(`^${c.file}:${c.line}:\\d+: llm-not-streamed `).test(l));
        assert.ok(finding, `the finding stays:\n${stdout}`);
        assert.match(finding, /\(no quick fix: /);
        assert.match(finding, c.reason, 'the finding says why there is no quick fix');
      } else {
        assert.equal(code, 0, stdout + stderr);
        assert.equal(stdout, '');
        assert.equal(after, before);
      }
    });
  }

  it("pyright (strict, the real SDKs' types) finds no new errors in the fixed files", async () => {
    const python = (await CURRENT.interpreter()).executable;
    const [before, after] = await Promise.all([pyrightStrictErrorsByFile(originalDir, python), pyrightStrictErrorsByFile(fixedDir, python)]);
    for (const file of await readdir(path.join(fixedDir, 'streaming'), { recursive: true })) {
      assert.deepEqual(after.get(path.basename(file)) ?? [], [], `the package's ${file}`);
    }
    for (const { file } of FIXED) {
      assert.deepEqual(addedMessages(before.get(file) ?? [], after.get(file) ?? []), [], `new pyright errors in ${file}`);
    }
  });

  describe('served', () => {
    let server: RunningServer | undefined;
    const serve = async (dir: string) => {
      const modules = FIXED.map((c) => path.basename(c.file, '.py'));
      await writeFile(
        path.join(dir, 'all_routes.py'),
        `from fastapi import FastAPI\n\n${modules.map((m) => `import ${m}`).join('\n')}\n\napp = FastAPI()\n${modules.map((m) => `app.mount("/${m}", ${m}.app)`).join('\n')}\n`,
      );
      server = await startUvicorn({ cwd: dir, app: 'all_routes:app', env: provider.sdkEnvironment(), python: (await CURRENT.interpreter()).command });
      return server;
    };

    afterEach(async () => {
      await server?.stop();
      server = undefined;
    });

    it('every fixed route streams the answer, then the statements after the call run with the full text', async () => {
      provider.behave({ tokens: TOKENS });
      const running = await serve(fixedDir);
      for (const { file, serve: route } of FIXED) {
        const module = path.basename(file, '.py');
        provider.clear();
        assert.equal(await exists(path.join(fixedDir, route.writes)), false, `${route.writes} exists before the request`);
        const stream = await readStream(`${running.baseUrl}/${module}${route.path}`, route.json === undefined ? {} : { json: route.json });
        assert.equal(stream.status, 200, `${file}: ${stream.body().toString('utf8')}\n${running.output()}`);
        assert.deepEqual(tokensOf(stream.body()), TOKENS, file);
        assert.deepEqual(
          provider.requests.map((r) => [r.api, r.stream]),
          [[route.api, true]],
          `${file}: one streamed request to the provider`,
        );
        // The statements ran before the last event (the generator's end): the file is there as the stream ends.
        route.holds(await readFile(path.join(fixedDir, route.writes), 'utf8'));
      }
    });

    it('a client that leaves mid-answer closes the provider stream, and the statements after the call do not run', async () => {
      const many = Array.from({ length: 200 }, (_, i) => ` t${i}`);
      provider.behave({ tokens: many, eventDelayMs: 20 });
      provider.clear();
      const running = await serve(fixedDir);
      const stream = await openStream(`${running.baseUrl}/chat_history/chat`, { json: { session: 'gone', prompt: 'Hello?' } });
      await stream.waitFor((body) => tokensOf(body).length >= 3, 'three tokens', 15_000);
      const request = provider.requests[0]!;
      stream.close();
      // The adapter is closed once the route's generator has ended: by then the statements ran or never will.
      await provider.closed(request.connection, 10_000);
      assert.equal(request.outcome, 'connection-closed', 'the provider was cut off mid-answer');
      assert.ok(request.tokensWritten < many.length / 2, `${request.tokensWritten} of ${many.length} tokens were written upstream`);
      assert.equal(await exists(path.join(fixedDir, 'transcripts/gone.json')), false, 'the transcript of a half answer was saved');
    });

    it('--fix-style sibling copies the whole handler beside it, with PEP 8 spacing, and passes its own check', async () => {
      const dir = await makeTempDir('llm-keep-sibling');
      try {
        await cp(path.join(KEEP, 'chat_history.py'), path.join(dir, 'chat_history.py'));
        const fixed = await check(['check', '--fix', '--fix-style', 'sibling', '.'], dir);
        assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
        assert.doesNotMatch(fixed.stderr, /not fixed/);
        const again = await check(['check', '.'], dir);
        assert.deepEqual([again.code, again.stdout], [0, ''], again.stderr);
        const text = await readFile(path.join(dir, 'chat_history.py'), 'utf8');
        assert.match(text, /\n {4}return Answer\(reply=reply\)\n\n\n@app\.post\("\/chat\/stream"\)\n/, 'two blank lines before the sibling');
        // The copied body brings the handler's own findings along (blocking file writes), nothing else.
        assert.deepEqual(new Set(await ruffCodes(path.join(dir, 'chat_history.py'))), new Set(await ruffCodes(path.join(originalDir, 'chat_history.py'))));

        provider.behave({ tokens: TOKENS });
        server = await startUvicorn({ cwd: dir, app: 'chat_history:app', env: provider.sdkEnvironment(), python: (await CURRENT.interpreter()).command });
        const stream = await readStream(`${server.baseUrl}/chat/stream`, { json: { session: 'sib', prompt: 'Hi' } });
        assert.deepEqual(tokensOf(stream.body()), TOKENS, stream.body().toString('utf8'));
        assert.deepEqual(JSON.parse(await readFile(path.join(dir, 'transcripts/sib.json'), 'utf8')), [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: FULL },
        ]);
        // The original route still answers with JSON, and shares the session's history.
        const response = await fetch(`${server.baseUrl}/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ session: 'sib', prompt: 'Again' }),
        });
        assert.deepEqual(await response.json(), { reply: FULL });
        assert.equal((JSON.parse(await readFile(path.join(dir, 'transcripts/sib.json'), 'utf8')) as unknown[]).length, 4);
      } finally {
        await server?.stop();
        server = undefined;
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
