/**
 * add-endpoint on the fixture corpus, end to end: plan and apply with the CLI, check the files, run the result
 * on a real uvicorn and stream the new route, run again and see nothing change, and compare pyright's errors
 * before and after across the whole corpus.
 */
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { renderPackageFiles, type PackageName } from '../../src/core/codegen/python/package';
import { readPythonTarget } from '../../src/core/plan/projectPythonTarget';
import { nodeProjectFiles } from '../../src/core/workspace/projectFiles';
import { PYTHON_STACKS, type PythonStack } from '../support/python';
import { makeTempDir, withTempDir } from '../support/tempdir';
import { startUvicorn } from '../support/uvicorn';
import { assertProgressive, copyFixture, pyrightProjects, runCli, serveEndpoint, streamTokens, treeDigest, WORKSPACE_FIXTURES } from './addEndpointSupport';

interface Fixture {
  readonly name: string;
  /** add-endpoint's arguments after --workspace (default: none, the default target and route). */
  readonly args?: readonly string[];
  /** Extra folders pyright must resolve imports from (a src layout). */
  readonly extraPaths?: readonly string[];
  /** Fixture-specific checks of the files after the change. */
  check(dir: string, read: (file: string) => Promise<string>): Promise<void>;
  /** The URL add-endpoint must report (prefixes, constants and settings applied). */
  readonly url?: string;
  /** Checks against the running server besides the new stream: what the app served before still answers. */
  served?(baseUrl: string): Promise<void>;
}

/** `first` comes before `second` in `text` (both present). */
function assertBefore(text: string, first: string, second: string): void {
  assert.ok(text.includes(first) && text.includes(second), `${first} and ${second} in:\n${text}`);
  assert.ok(text.indexOf(first) < text.indexOf(second), `${first} must come before ${second}:\n${text}`);
}

async function assertAnswers(url: string, status: number, body: RegExp): Promise<void> {
  const response = await fetch(url);
  const text = await response.text();
  assert.equal(response.status, status, `${url}: ${text}`);
  assert.match(text, body, url);
}

const original = (fixture: string, file: string) => readFile(path.join(WORKSPACE_FIXTURES, fixture, file), 'utf8');

/** What a plain sse route imports from the package. */
const SSE_NAMES: readonly PackageName[] = ['EventStreamResponse', 'stream_tokens', 'streaming_response'];

/** The package folder of the project in `dir` holds the files `names` need, byte for byte as rendered for the project's Python. */
async function assertPackage(dir: string, folder: string, names: readonly PackageName[] = SSE_NAMES): Promise<void> {
  const pythonTarget = await readPythonTarget(nodeProjectFiles(dir));
  for (const file of await renderPackageFiles(names, { pythonTarget })) {
    assert.equal(await readFile(path.join(dir, folder, file.path), 'utf8'), file.text, `${folder}/${file.path}`);
  }
}

const SSE_IMPORTS = (base: string) => `from ${base}.response import EventStreamResponse, streaming_response\nfrom ${base}.tokens import stream_tokens\n`;

const FIXTURES: readonly Fixture[] = [
  {
    name: 'single-file',
    async check(dir, read) {
      await assertPackage(dir, 'streaming');
      const main = await read('main.py');
      assert.ok(main.startsWith((await original('single-file', 'main.py')).split('\n')[0]!));
      assert.ok(main.includes(SSE_IMPORTS('streaming')));
    },
  },
  {
    name: 'bigger-app',
    async check(dir, read) {
      await assertPackage(dir, 'app/streaming');
      assert.ok((await read('app/main.py')).includes(SSE_IMPORTS('.streaming')));
      for (const untouched of ['app/routers/items.py', 'app/routers/users.py', 'app/internal/admin.py', 'app/dependencies.py']) {
        assert.equal(await read(untouched), await original('bigger-app', untouched), untouched);
      }
    },
  },
  {
    name: 'src-factory',
    extraPaths: ['src'],
    async check(dir, read) {
      await assertPackage(dir, 'src/shop/streaming');
      const app = await read('src/shop/app.py');
      assert.ok(app.includes('    @application.get("/stream")\n    async def stream('), app);
      assert.ok(app.trimEnd().endsWith('return application'));
    },
  },
  {
    name: 'uvicorn-main',
    async check(_dir, read) {
      const main = await read('main.py');
      assert.ok(main.indexOf('@app.get("/stream")') < main.indexOf('# Started with "python main.py"'));
      assert.ok(main.trimEnd().endsWith('uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))'));
    },
  },
  {
    name: 'multiline-imports',
    async check(_dir, read) {
      assert.ok((await read('main.py')).includes('from collections.abc import (\n    AsyncIterator,\n    Mapping,\n    Sequence,\n)\n'));
    },
  },
  {
    name: 'crlf',
    async check(_dir, read) {
      for (const file of ['main.py', 'streaming/tokens.py']) {
        const text = await read(file);
        assert.equal(text.replace(/\r\n/g, '').includes('\n'), false, `${file} has a bare LF`);
      }
    },
  },
  {
    name: 'tabs',
    async check(_dir, read) {
      const main = await read('main.py');
      assert.ok(main.includes('\n\tawait asyncio.sleep(0.03)\n') || main.includes('\n\t\tawait asyncio.sleep(0.03)\n'));
      assert.equal(/^ /m.test(main), false, 'a line indented with spaces');
    },
  },
  {
    name: 'generated-untouched',
    async check(dir, read) {
      // An older generated module nobody edited is replaced by the package, its imports with it.
      assert.equal(existsSync(path.join(dir, 'streaming.py')), false);
      await assertPackage(dir, 'streaming');
      const main = await read('main.py');
      assert.ok(main.includes(SSE_IMPORTS('streaming')), main);
      assert.equal(main.includes('from streaming import'), false);
    },
    async served(baseUrl) {
      // The route that was there before, now on the package.
      const ticks = await streamTokens(`${baseUrl}/ticks`);
      assert.equal(ticks.done.text, 'tick 0tick 1tick 2');
    },
  },
  {
    name: 'legacy-untouched',
    url: '/stream',
    async check(dir, read) {
      // The untouched 0.1 module: gone, and every import of it (relative, absolute, aliased, parenthesised) on the package.
      assert.equal(existsSync(path.join(dir, 'app/streaming.py')), false);
      await assertPackage(dir, 'app/streaming', [...SSE_NAMES, 'UIChatRequest', 'ui_message_stream_response']);
      const main = await read('app/main.py');
      assert.match(main, /^from \.streaming\.tokens import .*stream_tokens as encode.*# the token encoder$/m);
      assert.ok(main.includes('from .streaming.response import EventStreamResponse, streaming_response\n'), main);
      const chat = await read('app/chat.py');
      assert.ok(chat.includes('from app.streaming.protocols.ai_sdk import UIChatRequest, ui_message_stream_response\n'), chat);
      assert.ok(chat.includes('from app.streaming.response import EventStreamResponse\n'), chat);
    },
    async served(baseUrl) {
      const ticks = await streamTokens(`${baseUrl}/ticks`);
      assert.equal(ticks.done.text, 'tick 0 tick 1 tick 2 ');
      const response = await fetch(`${baseUrl}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'hello' }] }] }),
      });
      const body = await response.text();
      assert.equal(response.status, 200, body);
      assert.match(body, /"type":"text-delta"/);
      assert.match(body, /hello/);
    },
  },
  {
    name: 'generated-edited',
    async check(dir, read) {
      // The owner's edits are theirs: not a byte changes, and the route imports from it (no package beside it).
      assert.equal(await read('streaming.py'), await original('generated-edited', 'streaming.py'));
      assert.ok((await read('main.py')).includes('from streaming import EventStreamResponse, stream_tokens, streaming_response\n'));
      assert.equal(existsSync(path.join(dir, 'streaming')), false);
    },
  },
  // Route order: a route FastAPI matches first would answer the new path, so the new route goes above it.
  {
    name: 'notes-order',
    args: ['--route', '/notes/stream'],
    url: '/notes/stream',
    async check(_dir, read) {
      assertBefore(await read('main.py'), '@app.get("/notes/stream")', '@app.get("/notes/{note_id}")');
    },
    async served(baseUrl) {
      await assertAnswers(`${baseUrl}/notes/1`, 200, /Buy milk/);
    },
  },
  {
    name: 'uuid-router',
    args: ['--app', 'app/routers/items.py:router'],
    url: '/items/stream',
    async check(_dir, read) {
      assertBefore(await read('app/routers/items.py'), '@router.get("/stream")', '@router.get("/{item_id}")');
    },
    async served(baseUrl) {
      await assertAnswers(`${baseUrl}/items/not-a-uuid`, 422, /uuid/i);
    },
  },
  {
    name: 'root-mount',
    url: '/stream',
    async check(_dir, read) {
      assertBefore(await read('main.py'), '@app.get("/stream")', 'app.mount("/"');
    },
    async served(baseUrl) {
      await assertAnswers(`${baseUrl}/`, 200, /single-page front end/);
    },
  },
  // The URL that serves: prefixes from constants, settings, nested routers; routers found in factories and conftest apps skipped.
  {
    name: 'constant-prefix',
    args: ['--app', 'app/routers/chat.py:router'],
    url: '/api/v1/chat/stream',
    async check() {},
    async served(baseUrl) {
      await assertAnswers(`${baseUrl}/api/v1/chat/models`, 200, /small/);
    },
  },
  {
    name: 'settings-prefix',
    args: ['--app', 'app/api/routes/items.py:router'],
    url: '/api/v1/items/stream',
    async check(_dir, read) {
      assertBefore(await read('app/api/routes/items.py'), '@router.get("/stream")', '@router.get("/{id}")');
    },
  },
  {
    name: 'factory-chat',
    args: ['--app', 'app/chat.py:router'],
    url: '/v1/chat/stream',
    async check() {},
  },
  {
    // routers/ has no __init__.py: main.py imports it as a namespace package, and uvicorn main:app serves it.
    name: 'namespace-routers',
    args: ['--app', 'routers/chat.py:router'],
    url: '/chat/stream',
    async check(dir, read) {
      await assertPackage(dir, 'routers/streaming');
      assert.ok((await read('routers/chat.py')).includes(SSE_IMPORTS('.streaming')));
      assert.equal(await read('main.py'), await original('namespace-routers', 'main.py'));
    },
    async served(baseUrl) {
      await assertAnswers(`${baseUrl}/chat/models`, 200, /small/);
    },
  },
  {
    name: 'conftest-app',
    url: '/stream',
    async check(_dir, read) {
      assert.equal(await read('tests/conftest.py'), await original('conftest-app', 'tests/conftest.py'));
      assert.ok((await read('main.py')).includes('@app.get("/stream")'));
    },
  },
];

interface AppliedJson {
  status: string;
  endpoint: { url: string; method: string; serve: { appDir: string; app: string; factory: boolean } };
  changes: Array<{ path: string; kind: string }>;
}

for (const stack of PYTHON_STACKS) {
  describe(`add-endpoint on the fixture corpus (real uvicorn, pyright) ${stack.tag}`, function () {
    this.timeout(120_000);
    corpusSuite(stack);
  });
}

/** The corpus, served by this stack's uvicorn and type-checked against this stack's packages. */
function corpusSuite(stack: PythonStack): void {
  let root: string;

  before(async () => {
    root = await makeTempDir('add-endpoint');
    for (const fixture of FIXTURES) {
      await copyFixture(fixture.name, path.join(root, 'before', fixture.name));
      await copyFixture(fixture.name, path.join(root, 'after', fixture.name));
    }
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  for (const fixture of FIXTURES) {
    it(`${fixture.name}: adds the endpoint, which streams from uvicorn, and a second run changes nothing`, async () => {
      const dir = path.join(root, 'after', fixture.name);
      const untouched = await treeDigest(dir);

      const args = ['add-endpoint', '--workspace', dir, '--json', ...(fixture.args ?? [])];
      // The URL printed for people is the one --json reports and uvicorn is asked for below.
      const dry = await runCli(['add-endpoint', '--workspace', dir, '--dry-run', ...(fixture.args ?? [])]);
      assert.equal(dry.code, 0, dry.stderr);
      const printed = /Dry run: nothing was written\. GET (\S+) on /.exec(dry.stderr)?.[1];
      const first = await runCli(args);
      assert.equal(first.code, 0, first.stderr);
      const result = JSON.parse(first.stdout) as AppliedJson;
      assert.equal(result.status, 'applied');
      if (fixture.url !== undefined) {
        assert.equal(result.endpoint.url, fixture.url);
      }
      assert.equal(printed, result.endpoint.url);
      assert.ok(result.endpoint.serve, 'endpoint.serve: the app that serves the route');
      await fixture.check(dir, (file) => readFile(path.join(dir, file), 'utf8'));

      // Only the files the plan names changed.
      const changed = await treeDigest(dir);
      const touched = [...new Set([...changed.keys(), ...untouched.keys()])].filter((file) => changed.get(file) !== untouched.get(file)).sort();
      assert.deepEqual(touched, result.changes.map((c) => c.path).sort());

      const { serve, url } = result.endpoint;
      const server = await serveEndpoint(stack, dir, serve);
      try {
        const streamed = await streamTokens(`${server.baseUrl}${url}?prompt=${encodeURIComponent('Is it streaming?')}`);
        assert.ok(streamed.tokens.length >= 30, `${streamed.tokens.length} tokens`);
        assert.ok(streamed.done.text.startsWith('You asked: Is it streaming? '), streamed.done.text);
        assertProgressive(streamed);
        await fixture.served?.(server.baseUrl);
      } finally {
        await server.stop();
      }

      const again = await runCli(args);
      assert.equal(again.code, 0, again.stderr);
      assert.equal((JSON.parse(again.stdout) as { status: string }).status, 'already-present');
      assert.deepEqual(await treeDigest(dir), changed);
    });
  }

  it("a POST route's Pydantic body model: the posted prompt streams back, a body without one is refused with 422", async () => {
    const dir = await copyFixture('single-file', path.join(root, 'post'));
    const run = await runCli(['add-endpoint', '--workspace', dir, '--json', '--method', 'POST', '--route', '/chat']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(await readFile(path.join(dir, 'main.py'), 'utf8'), /^class \w+\(BaseModel\):$/m, 'the route takes a Pydantic model');
    const server = await startUvicorn({ stack, cwd: dir, app: 'main:app' });
    try {
      const streamed = await streamTokens(`${server.baseUrl}/chat`, { method: 'POST', body: { prompt: 'Posted as JSON?' } });
      assert.ok(streamed.done.text.startsWith('You asked: Posted as JSON? '), streamed.done.text);
      assertProgressive(streamed);
      const refused = await fetch(`${server.baseUrl}/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"question": "no prompt"}',
      });
      assert.equal(refused.status, 422);
      // Pydantic 1 and 2 word the error differently; both name the missing field's location.
      const { detail } = (await refused.json()) as { detail: Array<{ loc: string[] }> };
      assert.deepEqual(
        detail.map((d) => d.loc),
        [['body', 'prompt']],
      );
    } finally {
      await server.stop();
    }
  });

  it('pyright finds no new errors in any fixture', async () => {
    const python = await stack.interpreter();
    for (const fixture of FIXTURES) {
      const [before, after] = await Promise.all(['before', 'after'].map((side) => treeDigest(path.join(root, side, fixture.name))));
      assert.notDeepEqual(after, before, `${fixture.name} was not changed: run the whole suite, not this test alone`);
    }
    const projects = ['before', 'after'].flatMap((side) =>
      FIXTURES.map((f) => ({ root: `${side}/${f.name}`, extraPaths: (f.extraPaths ?? []).map((p) => `${side}/${f.name}/${p}`) })),
    );
    const { errorsByFile, messages } = await pyrightProjects(root, projects, python.executable);
    for (const fixture of FIXTURES) {
      const count = (side: string) => [...errorsByFile].filter(([file]) => file.startsWith(`${side}/${fixture.name}/`)).reduce((sum, [, n]) => sum + n, 0);
      assert.ok(count('after') <= count('before'), `${fixture.name}: ${count('before')} errors before, ${count('after')} after:\n${messages.join('\n')}`);
    }
  });
}

describe('add-endpoint refuses a route that would never serve, and writes nothing', function () {
  this.timeout(60_000);
  let root: string;
  before(async () => {
    root = await makeTempDir('add-endpoint-unreachable');
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  // With the import (the default) the imported app's route table answers; with --no-verify, the source's reading.
  const cases = [
    {
      fixture: 'captured-by-router',
      args: ['--app', 'app/routers/drafts.py:router'],
      // notes.router (prefix /notes, GET /{note_id}) is included before drafts.router (prefix /notes).
      fromApp:
        /^GET \/notes\/stream would be answered by GET \/notes\/\{note_id\} \(read_note, app\/routers\/notes\.py:6\) in app\.main:app's route table .* before the new route in app\/routers\/drafts\.py: .* Choose another --route, or add the route where it comes before read_note \(app\/routers\/notes\.py\)\.$/,
      fromSource:
        /^GET \/notes\/stream would be answered by GET \/notes\/\{note_id\} \(read_note\) at app\/routers\/notes\.py:6, included at app\/main\.py:6, before the new route in app\/routers\/drafts\.py .* Choose another --route, or add it to router with --app app\/routers\/notes\.py:router, where it goes above read_note\.$/,
    },
    {
      fixture: 'mount-before-router',
      args: ['--app', 'api.py:router'],
      fromApp:
        /^GET \/api\/stream would be answered by the mount at "\/", which takes every request under it in main:app's route table .* before the new route in api\.py: .* Choose a --route outside "\/", or add the route to the app before that mount\.$/,
      fromSource:
        /^GET \/api\/stream would be answered by the mount at "\/" \(main\.py:9\), which takes every request under it before the new route in api\.py .* Add the route to app with --app main\.py:app \(it goes above the mount\), or choose a --route outside "\/"\.$/,
    },
  ];
  for (const { fixture, args, fromApp, fromSource } of cases) {
    for (const [how, extra, message] of [
      ['from the imported app', [], fromApp],
      ['from the source (--no-verify)', ['--no-verify'], fromSource],
    ] as const) {
      it(`${fixture}: refused as route-unreachable with what to do instead, ${how}`, async () => {
        const dir = await copyFixture(fixture, path.join(root, `${fixture}${extra.length}`));
        const untouched = await treeDigest(dir);
        const run = await runCli(['add-endpoint', '--workspace', dir, '--json', ...args, ...extra]);
        assert.equal(run.code, 1, run.stderr);
        const result = JSON.parse(run.stdout) as { status: string; reason: string; message: string };
        assert.equal(result.status, 'refused');
        assert.equal(result.reason, 'route-unreachable');
        assert.match(result.message, message);
        assert.deepEqual(await treeDigest(dir), untouched);
      });
    }
  }

  it('mount-before-router: the way out it names works (the app, above the mount)', async () => {
    const dir = await copyFixture('mount-before-router', path.join(root, 'mount-way-out'));
    const run = await runCli(['add-endpoint', '--workspace', dir, '--json', '--app', 'main.py:app']);
    assert.equal(run.code, 0, run.stderr);
    assertBefore(await readFile(path.join(dir, 'main.py'), 'utf8'), '@app.get("/stream")', 'app.mount("/"');
  });
});

describe('add-endpoint with a prefix it cannot read', () => {
  it('without the import, says the URL is not known instead of printing a wrong one, and prints no curl line; with it, prints the URL the app serves', async () => {
    await withTempDir('add-endpoint-unknown-prefix', async (dir) => {
      await writeFile(
        path.join(dir, 'main.py'),
        'from fastapi import FastAPI\n\nimport chat\nfrom config import prefix_for\n\napp = FastAPI()\napp.include_router(chat.router, prefix=prefix_for("chat"))\n',
      );
      await writeFile(path.join(dir, 'config.py'), 'def prefix_for(name: str) -> str:\n    return f"/api/{name}"\n');
      await writeFile(path.join(dir, 'chat.py'), 'from fastapi import APIRouter\n\nrouter = APIRouter()\n');
      const before = await readFile(path.join(dir, 'chat.py'), 'utf8');
      const run = await runCli(['add-endpoint', '--workspace', dir, '--app', 'chat.py:router', '--no-verify']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Added GET <prefix_for\("chat"\)>\/stream on router in chat\.py/);
      assert.match(run.stdout, /note: The URL's prefix prefix_for\("chat"\) is not a constant Catalyst can read, so the full URL is not known/);
      assert.match(run.stdout, /Try it: uvicorn main:app\n/);
      assert.doesNotMatch(run.stdout, /curl/);

      await writeFile(path.join(dir, 'chat.py'), before);
      const verified = await runCli(['add-endpoint', '--workspace', dir, '--app', 'chat.py:router']);
      assert.equal(verified.code, 0, verified.stderr);
      assert.match(verified.stdout, /^Added GET \/api\/chat\/stream on router in chat\.py/);
      assert.doesNotMatch(verified.stdout, /not a constant Catalyst can read/);
      assert.match(verified.stdout, /\n {3}then: curl -N http:\/\/127\.0\.0\.1:8000\/api\/chat\/stream\n/);
    });
  });
});
