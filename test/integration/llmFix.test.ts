/**
 * The LLM quick fixes end to end, with the REAL anthropic, openai and groq SDKs of the current stack (they are
 * not part of Debian's oldest stack): the fixture corpus is fixed with `check --fix`, pyright (strict, against
 * the SDKs' own types) finds no new errors, and every fixed route streams the local provider's answer
 * (test/support/providers, reached through each SDK's base-URL environment variable) token by token from a
 * real uvicorn. A realistic service file, served as it is and after `check --fix`, shows the non-streamed
 * answers becoming streams. The adapters themselves (disconnects, upstream errors) are in providerSdks.test.ts.
 */
import assert from 'node:assert/strict';
import { cp, copyFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { renderPackageFiles, type PackageName } from '../../src/core/codegen/python/package';
import { importingFromPackage, writeGeneratedStreaming } from '../support/streamingPackage';
import { addedMessages, pyrightStrictErrorsByFile } from '../support/pyright';
import { startProviderServer, type ApiName, type ProviderServer } from '../support/providers/server';
import { pythonStack } from '../support/python';
import { makeTempDir } from '../support/tempdir';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { getJson, parseSse, readStream } from '../support/wire';

const CURRENT = pythonStack('current');
const FIXTURES = path.join(__dirname, '../fixtures/llm');
/** What the local provider answers in these tests. */
const TOKENS = ['Hello', ' from', ' the', ' local', ' provider', ' — ', 'ça', ' va', '.'];

/** Fixed snippet -> a request on its route (the module is mounted under "/<module>"), and the API it calls. */
const FIXED_ROUTES: ReadonlyArray<{ module: string; path: string; json?: unknown; api: ApiName }> = [
  { module: 'anthropic_async_route', path: '/chat', json: { prompt: 'Say hello' }, api: 'anthropic' },
  { module: 'aliases', path: '/claude?q=hi', api: 'anthropic' },
  { module: 'aliases', path: '/gpt?q=hi', api: 'openai-responses' },
  { module: 'kwargs_spread', path: '/summary?text=hi', api: 'groq-chat' },
  { module: 'openai_sync_in_async', path: '/ask?q=hi', api: 'openai-chat' },
  { module: 'client_dependency', path: '/haiku?topic=rain', api: 'anthropic' },
  { module: 'sync_handler_groq', path: '/joke', api: 'groq-chat' },
];

function tokensOf(body: Buffer): string[] {
  return parseSse(body.toString('utf8'))
    .events.filter((e) => e.event === 'token')
    .map((e) => (JSON.parse(e.data) as { text: string }).text);
}

/** The response is `token` events for the whole answer, in order, then `done` with the text. */
function assertStreamedAnswer(body: Buffer, what: string): void {
  assert.deepEqual(tokensOf(body), TOKENS, what);
  const done = parseSse(body.toString('utf8')).events.at(-1);
  assert.deepEqual(
    [done?.event, JSON.parse(done?.data ?? 'null')],
    ['done', { text: TOKENS.join(''), token_count: TOKENS.length, finish_reason: 'completed' }],
    what,
  );
}

/** The route answers with the provider's whole answer as `token` events then `done`, from one streamed upstream request. */
async function assertRouteStreams(provider: ProviderServer, server: RunningServer, routePath: string, route: { json?: unknown; api: ApiName }): Promise<void> {
  provider.clear();
  const url = `${server.baseUrl}${routePath}`;
  const stream = await readStream(url, route.json === undefined ? {} : { json: route.json });
  assert.equal(stream.status, 200, `${url}: ${stream.body().toString('utf8')}\n${server.output()}`);
  assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
  assertStreamedAnswer(stream.body(), url);
  assert.deepEqual(
    provider.requests.map((r) => [r.api, r.stream]),
    [[route.api, true]],
    `${url}: one streamed request to the provider`,
  );
}

/** GET (or POST `json`) and the JSON answer, which must be 200. */
async function requestJson(url: string, json?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: json === undefined ? 'GET' : 'POST',
    ...(json === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `${url}: ${text}`);
  return JSON.parse(text) as unknown;
}

describe(`LLM quick fixes on a real uvicorn with the real SDKs ${CURRENT.tag}`, function () {
  this.timeout(180_000);
  let fixedDir: string;
  let originalDir: string;
  let provider: ProviderServer;
  let fixWrote: string[];

  before(async () => {
    originalDir = await makeTempDir('llm-original');
    fixedDir = await makeTempDir('llm-fixed');
    provider = await startProviderServer();
    provider.behave({ tokens: TOKENS });
    await cp(path.join(FIXTURES, 'snippets'), originalDir, { recursive: true });
    await cp(path.join(FIXTURES, 'snippets'), fixedDir, { recursive: true });
    let stderr = '';
    let stdout = '';
    const code = await main(['check', '--fix', '.'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: fixedDir });
    // What is left are calls routes reach through a helper or a service, which the fixes do not rewrite.
    assert.equal(code, 1, stderr);
    assert.ok(
      stdout
        .trim()
        .split('\n')
        .every((line) => line.includes(' to the route ')),
      stdout,
    );
    // What the fixes wrote of the package, before the adapters app brings the rest of it.
    fixWrote = (await readdir(path.join(fixedDir, 'streaming'), { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(path.join(fixedDir, 'streaming'), path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
      .sort();
    await writeFile(path.join(fixedDir, 'adapters_app.py'), await importingFromPackage(await readFile(path.join(FIXTURES, 'apps/adapters_app.py'), 'utf8')));
    await writeGeneratedStreaming(fixedDir);
    const modules = [...new Set(FIXED_ROUTES.map((r) => r.module))];
    await writeFile(
      path.join(fixedDir, 'all_routes.py'),
      `from fastapi import FastAPI\n\n${modules.map((m) => `import ${m}`).join('\n')}\n\napp = FastAPI()\n${modules.map((m) => `app.mount("/${m}", ${m}.app)`).join('\n')}\n`,
    );
  });

  after(async () => {
    await provider?.stop();
    await rm(originalDir, { recursive: true, force: true });
    await rm(fixedDir, { recursive: true, force: true });
  });

  it("pyright (strict, against the real SDKs' types) reports no new errors in the fixed files, and none in the adapters", async () => {
    const python = (await CURRENT.interpreter()).executable;
    const [before, after] = await Promise.all([pyrightStrictErrorsByFile(originalDir, python), pyrightStrictErrorsByFile(fixedDir, python)]);
    for (const file of await readdir(path.join(fixedDir, 'streaming'), { recursive: true })) {
      assert.deepEqual(after.get(path.basename(file)) ?? [], [], `the package's ${file}`);
    }
    assert.deepEqual(after.get('adapters_app.py') ?? [], []);
    for (const [file, messages] of after) {
      // pyright's error recovery drops the code after the syntax error there, so its imports look unused.
      if (file === 'syntax_error_elsewhere.py' || file === 'all_routes.py') {
        continue;
      }
      assert.deepEqual(addedMessages(before.get(file) ?? [], messages), [], `new pyright errors in ${file}`);
    }
  });

  describe('streaming', () => {
    let server: RunningServer | undefined;
    afterEach(async () => {
      await server?.stop();
      server = undefined;
    });

    it('every fixed route streams the answer token by token, from a streamed upstream request', async () => {
      const running = await startUvicorn({
        cwd: fixedDir,
        app: 'all_routes:app',
        env: provider.sdkEnvironment(),
        python: (await CURRENT.interpreter()).command,
      });
      server = running;
      for (const route of FIXED_ROUTES) {
        await assertRouteStreams(provider, running, `/${route.module}${route.path}`, route);
      }
    });
  });

  describe('a realistic service file', () => {
    let serviceDir: string;
    let server: RunningServer | undefined;
    const ROUTES: ReadonlyArray<{ path: string; json?: unknown; api: ApiName; answer: (body: unknown) => unknown }> = [
      { path: '/support/answer', json: { text: 'Where is my order?' }, api: 'anthropic', answer: (b) => (b as { answer: string }).answer },
      { path: '/support/summary?ticket=late%20parcel', api: 'openai-chat', answer: (b) => (b as { summary: string }).summary },
      { path: '/support/translate?text=Thanks', api: 'azure-chat', answer: (b) => b },
      { path: '/support/title?ticket=late%20parcel', api: 'groq-chat', answer: (b) => b },
    ];

    before(async () => {
      serviceDir = await makeTempDir('llm-service');
      await copyFile(path.join(FIXTURES, 'apps/service.py'), path.join(serviceDir, 'service.py'));
    });

    afterEach(async () => {
      await server?.stop();
      server = undefined;
    });

    after(() => rm(serviceDir, { recursive: true, force: true }));

    const serve = async () => {
      server = await startUvicorn({ cwd: serviceDir, app: 'service:app', env: provider.sdkEnvironment(), python: (await CURRENT.interpreter()).command });
      return server;
    };

    it('as written, answers each route with the whole text from a non-streamed upstream request', async () => {
      const running = await serve();
      for (const route of ROUTES) {
        provider.clear();
        const body = await requestJson(`${running.baseUrl}${route.path}`, route.json);
        assert.equal(route.answer(body), TOKENS.join(''), route.path);
        assert.deepEqual(
          provider.requests.map((r) => [r.api, r.stream]),
          [[route.api, false]],
          route.path,
        );
      }
    });

    it('after check --fix, streams every route token by token from a streamed upstream request, and the rest still works', async () => {
      let stdout = '';
      let stderr = '';
      const code = await main(['check', '--fix', 'service.py'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: serviceDir });
      assert.equal(code, 0, `${stdout}${stderr}`);
      assert.equal(((stdout + stderr).match(/fixed: Stream this LLM call as an SSE endpoint/g) ?? []).length, ROUTES.length, stdout + stderr);
      const running = await serve();
      for (const route of ROUTES) {
        await assertRouteStreams(provider, running, route.path, route);
      }
      assert.deepEqual(await getJson(`${running.baseUrl}/health`), { status: 'ok' });
      const empty = await readStream(`${running.baseUrl}/support/answer`, { json: { text: ' ' } });
      assert.equal(empty.status, 422, 'the checks before the call still answer before any stream');

      // An upstream that keeps failing (HTTP 529 after the SDK's two retries): one error event, a clean end.
      provider.clear();
      provider.behave({ tokens: TOKENS, failStatus: 529 });
      try {
        const failed = await readStream(`${running.baseUrl}/support/answer`, { json: { text: 'Where is my order?' } });
        assert.equal(failed.status, 200, failed.body().toString('utf8'));
        assert.deepEqual(
          parseSse(failed.body().toString('utf8')).events.map((e) => e.event),
          ['error'],
        );
        assert.equal(failed.complete, true);
        assert.equal(provider.requests.length, 3, "the request and the SDK's two retries");
      } finally {
        provider.behave({ tokens: TOKENS });
      }
    });
  });

  it('the generated package the fixes import from is as rendered, with only the files their names need', async () => {
    const names: PackageName[] = [
      'EventStreamResponse',
      'stream_tokens',
      'streaming_response',
      'anthropic_text_stream',
      'openai_text_stream',
      'openai_responses_text_stream',
    ];
    const expected = await renderPackageFiles(names);
    for (const file of expected) {
      assert.equal(await readFile(path.join(fixedDir, 'streaming', file.path), 'utf8'), file.text, file.path);
    }
    assert.deepEqual(fixWrote, expected.map((file) => file.path).sort());
  });
});
