/**
 * The LLM quick fixes end to end: the fixture corpus is fixed with `check --fix`, pyright (strict) finds no
 * new errors, every fixed route streams the SDK stand-in's answer token by token from a real uvicorn, and a
 * client that hangs up closes the provider stream (the stand-ins log "close <api>", see ../fixtures/llm/stubs).
 */
import assert from 'node:assert/strict';
import { cp, copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { renderStreamingModule } from '../../src/core/codegen/python/templates/streaming.py';
import { loadExeca } from '../support/execa';
import { testPython } from '../support/python';
import { makeTempDir } from '../support/tempdir';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { eventually, openStream, parseSse, readStream } from '../support/wire';

const FIXTURES = path.join(__dirname, '../fixtures/llm');
const STUBS = path.join(FIXTURES, 'stubs');
const PYRIGHT = path.join(__dirname, '../../node_modules/.bin/pyright');
/** The stand-ins' default answer (stubs/_catalyst_standin.py DEFAULT_TOKENS). */
const TOKENS = ['Hello', ' from', ' the', ' stand-in', '.'];

/** Fixed snippet -> a request on its route (the module is mounted under "/<module>"). */
const FIXED_ROUTES: ReadonlyArray<{ module: string; path: string; json?: unknown }> = [
  { module: 'anthropic_async_route', path: '/chat', json: { prompt: 'Say hello' } },
  { module: 'aliases', path: '/claude?q=hi' },
  { module: 'aliases', path: '/gpt?q=hi' },
  { module: 'kwargs_spread', path: '/summary?text=hi' },
  { module: 'openai_sync_in_async', path: '/ask?q=hi' },
  { module: 'client_dependency', path: '/haiku?topic=rain' },
  { module: 'sync_handler_groq', path: '/joke' },
];

/** Adapter route -> the stand-in API whose stream it reads, as the stand-in logs it. */
const ADAPTER_ROUTES: ReadonlyArray<{ path: string; api: string; textEvent: string }> = [
  { path: '/anthropic/create', api: 'anthropic.messages.create', textEvent: 'content_block_delta' },
  { path: '/anthropic/manager', api: 'anthropic.messages.stream', textEvent: 'content_block_delta' },
  { path: '/openai/chat', api: 'openai.chat.completions.create', textEvent: 'ChatCompletionChunk' },
  { path: '/openai/responses', api: 'openai.responses.create', textEvent: 'response.output_text.delta' },
  { path: '/groq/chat', api: 'groq.chat.completions.create', textEvent: 'ChatCompletionChunk' },
];

function tokensOf(body: Buffer): string[] {
  return parseSse(body.toString('utf8'))
    .events.filter((e) => e.event === 'token')
    .map((e) => (JSON.parse(e.data) as { text: string }).text);
}

interface PyrightDiagnostic {
  readonly file: string;
  readonly severity: string;
  readonly message: string;
}

/** pyright --outputjson on a folder: error messages per file name. */
async function pyrightErrors(dir: string): Promise<Map<string, string[]>> {
  const execa = await loadExeca();
  await writeFile(path.join(dir, 'pyrightconfig.json'), JSON.stringify({ typeCheckingMode: 'strict', extraPaths: [STUBS] }));
  const python = await testPython();
  const result = await execa(PYRIGHT, ['--outputjson', '--pythonpath', python.executable], { cwd: dir, reject: false, timeout: 120_000 });
  const report = JSON.parse(result.stdout) as { generalDiagnostics: PyrightDiagnostic[] };
  const errors = new Map<string, string[]>();
  for (const d of report.generalDiagnostics.filter((d) => d.severity === 'error')) {
    const name = path.basename(d.file);
    errors.set(name, [...(errors.get(name) ?? []), d.message]);
  }
  return errors;
}

describe('LLM quick fixes on a real uvicorn', function () {
  this.timeout(180_000);
  let fixedDir: string;
  let originalDir: string;

  before(async () => {
    originalDir = await makeTempDir('llm-original');
    fixedDir = await makeTempDir('llm-fixed');
    await cp(path.join(FIXTURES, 'snippets'), originalDir, { recursive: true });
    await cp(path.join(FIXTURES, 'snippets'), fixedDir, { recursive: true });
    let stderr = '';
    const code = await main(['check', '--fix', '.'], { stdout: () => undefined, stderr: (t) => (stderr += t), cwd: fixedDir });
    assert.equal(code, 0, stderr);
    await copyFile(path.join(FIXTURES, 'apps/adapters_app.py'), path.join(fixedDir, 'adapters_app.py'));
    const modules = [...new Set(FIXED_ROUTES.map((r) => r.module))];
    await writeFile(
      path.join(fixedDir, 'all_routes.py'),
      `from fastapi import FastAPI\n\n${modules.map((m) => `import ${m}`).join('\n')}\n\napp = FastAPI()\n${modules.map((m) => `app.mount("/${m}", ${m}.app)`).join('\n')}\n`,
    );
  });

  after(async () => {
    await rm(originalDir, { recursive: true, force: true });
    await rm(fixedDir, { recursive: true, force: true });
  });

  it('pyright (strict) reports no new errors in the fixed files, and none in the adapters', async () => {
    const [before, after] = await Promise.all([pyrightErrors(originalDir), pyrightErrors(fixedDir)]);
    assert.deepEqual(after.get('streaming.py') ?? [], []);
    assert.deepEqual(after.get('adapters_app.py') ?? [], []);
    for (const [file, messages] of after) {
      // pyright's error recovery drops the code after the syntax error there, so its imports look unused.
      if (file === 'syntax_error_elsewhere.py' || file === 'all_routes.py') {
        continue;
      }
      const known = [...(before.get(file) ?? [])];
      const added = messages.filter((m) => {
        const i = known.indexOf(m);
        return i < 0 || (known.splice(i, 1), false);
      });
      assert.deepEqual(added, [], `new pyright errors in ${file}`);
    }
  });

  describe('streaming', () => {
    let server: RunningServer | undefined;
    afterEach(async () => {
      await server?.stop();
      server = undefined;
    });

    it('every fixed route streams the answer token by token', async () => {
      const running = await startUvicorn({ cwd: fixedDir, app: 'all_routes:app', env: { PYTHONPATH: STUBS } });
      server = running;
      for (const route of FIXED_ROUTES) {
        const url = `${running.baseUrl}/${route.module}${route.path}`;
        const stream = await readStream(url, route.json === undefined ? {} : { json: route.json });
        assert.equal(stream.status, 200, `${url}: ${stream.body().toString('utf8')}\n${running.output()}`);
        assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
        assert.deepEqual(tokensOf(stream.body()), TOKENS, url);
        const done = parseSse(stream.body().toString('utf8')).events.at(-1);
        assert.deepEqual([done?.event, JSON.parse(done?.data ?? 'null')], ['done', { text: TOKENS.join(''), token_count: TOKENS.length }]);
      }
    });

    it('each adapter streams its provider\'s text, and closes the provider stream at the end', async () => {
      const log = path.join(fixedDir, 'standin-complete.log');
      server = await startUvicorn({ cwd: fixedDir, app: 'adapters_app:app', env: { PYTHONPATH: STUBS, CATALYST_STANDIN_LOG: log } });
      for (const route of ADAPTER_ROUTES) {
        await writeFile(log, '');
        const stream = await readStream(`${server.baseUrl}${route.path}`);
        assert.deepEqual(tokensOf(stream.body()), TOKENS, route.path);
        const lines = (await readFile(log, 'utf8')).trim().split('\n');
        assert.equal(lines[0], `open ${route.api}`);
        assert.equal(lines.at(-1), `close ${route.api}`, `${route.path}: ${lines.join(' | ')}`);
      }
    });

    it('a client that hangs up closes the provider stream at once, for every adapter', async () => {
      const log = path.join(fixedDir, 'standin-disconnect.log');
      const many = Array.from({ length: 200 }, (_, i) => ` t${i}`);
      server = await startUvicorn({
        cwd: fixedDir,
        app: 'adapters_app:app',
        env: { PYTHONPATH: STUBS, CATALYST_STANDIN_LOG: log, CATALYST_STANDIN_DELAY: '0.02', CATALYST_STANDIN_TOKENS: JSON.stringify(many) },
      });
      for (const route of ADAPTER_ROUTES) {
        await writeFile(log, '');
        const stream = await openStream(`${server.baseUrl}${route.path}`);
        await stream.waitFor((body) => tokensOf(body).length >= 2, 'two tokens', 10_000);
        stream.close();
        const lines = await eventually(
          `${route.path}: "close ${route.api}" in the stand-in's log`,
          async () => {
            const text = (await readFile(log, 'utf8')).trim().split('\n');
            return text.includes(`close ${route.api}`) ? text : undefined;
          },
          10_000,
        );
        const produced = lines.filter((l) => l === `event ${route.textEvent}`).length;
        // At 20 ms an event the whole answer takes over 4 s; closing stops it after a handful.
        assert.ok(produced < many.length / 2, `${route.path}: ${produced} of ${many.length} text events were produced after the client left`);
      }
    });
  });

  it('the generated module the fixes import from is the current template', async () => {
    assert.equal(await readFile(path.join(fixedDir, 'streaming.py'), 'utf8'), renderStreamingModule());
  });
});
