/**
 * Where a route lives, from the app itself (issue 20, items 1 and 2): on layouts written from public projects'
 * shapes, add-endpoint through the CLI imports the changed app, reads its own route table and prints the URL
 * and the serve command from it; the printed command is then started as printed and the printed URL streams.
 * A route Starlette would never send a request to is refused before anything is written.
 *
 * Each layout is a folder of test/fixtures/workspaces/ with an `expected.json` beside its code:
 *   { "layout": "...", "args": [...], "status": "applied" | "refused", "reason"?, "url"?, "serve"?, "streamingPackage"? }
 * Every such folder is run here, so a new layout needs no change to this file.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { servedPathOf, servedRoutesFromApp } from '../../src/core/app/servedRoutes';
import { nodeProjectFiles } from '../../src/core/workspace/projectFiles';
import { PYTHON_STACKS, type PythonStack } from '../support/python';
import { makeTempDir } from '../support/tempdir';
import { assertRefusedBeforeWriting, copyFixture, printedServeHint, runCliWithPython, streamPrintedUrl, WORKSPACE_FIXTURES } from './addEndpointSupport';

interface Expected {
  readonly layout: string;
  readonly args: readonly string[];
  readonly status: 'applied' | 'refused';
  readonly reason?: string;
  readonly url?: string;
  readonly serve?: { readonly appDir: string; readonly app: string; readonly factory: boolean };
  readonly streamingPackage?: string;
}

/** The fixture layouts that say what add-endpoint should answer on them. */
export const SERVED_ROUTE_LAYOUTS: ReadonlyArray<{ readonly name: string; readonly expected: Expected }> = readdirSync(WORKSPACE_FIXTURES)
  .filter((name) => existsSync(path.join(WORKSPACE_FIXTURES, name, 'expected.json')))
  .sort()
  .map((name) => ({ name, expected: JSON.parse(readFileSync(path.join(WORKSPACE_FIXTURES, name, 'expected.json'), 'utf8')) as Expected }));

for (const stack of PYTHON_STACKS) {
  describe(`add-endpoint: URL, reachability and serve command from the imported app (real uvicorn) ${stack.tag}`, function () {
    this.timeout(120_000);
    servedRouteSuite(stack);
  });
}

function servedRouteSuite(stack: PythonStack): void {
  let root: string;
  let python: string;

  before(async () => {
    root = await makeTempDir('add-endpoint-served');
    python = (await stack.interpreter()).command;
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('runs at least the three layouts of the issue and the three serve hints', () => {
    const names = SERVED_ROUTE_LAYOUTS.map((layout) => layout.name);
    for (const name of ['class-router', 'catch-all-first', 'factory-with-argument', 'fastapi-entrypoint', 'procfile-target', 'main-uvicorn-run']) {
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    }
  });

  it("the Preview CodeLens' answer: a module's routes at the paths its app serves them, the file's current text imported", async () => {
    const dir = await copyFixture('class-router', path.join(root, 'codelens'));
    const file = 'server/routes/chat.py';
    // An unsaved route of the editor's text counts: the module is imported as the editor holds it.
    const text = `${readFileSync(path.join(dir, file), 'utf8')}\n\n@router.post("/ask")\nasync def ask() -> str:\n    return ""\n`;
    const answer = await servedRoutesFromApp(nodeProjectFiles(dir), { file, id: 'router' }, { text, preferredPython: python });
    assert.equal(answer.status, 'served', JSON.stringify(answer));
    assert.ok(answer.status === 'served');
    assert.equal(answer.app, 'server.main:app');
    assert.deepEqual(
      answer.routes.map((r) => [r.name, r.path, r.methods]),
      [
        ['list_models', '/api/v1/chat/models', ['GET']],
        ['ask', '/api/v1/chat/ask', ['POST']],
      ],
    );
    assert.equal(servedPathOf(answer.routes, 'ask', 13, 'POST'), '/api/v1/chat/ask');
    assert.equal(servedPathOf(answer.routes, 'ask', 13, 'GET'), undefined);
  });

  it('snippet: a path only the imported app knows (an app built in a class) is found in its route table', async () => {
    const dir = await copyFixture('class-router', path.join(root, 'snippet'));
    const added = await runCliWithPython(python, ['add-endpoint', '--workspace', dir, '--app', 'server/routes/chat.py:router', '--no-verify']);
    assert.equal(added.code, 0, added.stderr);
    const run = await runCliWithPython(python, [
      'snippet',
      '--workspace',
      dir,
      '--app',
      'server/main.py:app',
      '--route',
      '/api/v1/chat/stream',
      '--client',
      'eventsource',
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const snippet = JSON.parse(run.stdout) as { route: { path: string; method: string; protocol: string }; code: string };
    assert.deepEqual(snippet.route, { path: '/api/v1/chat/stream', method: 'GET', protocol: 'sse' });
    assert.ok(snippet.code.includes('"http://127.0.0.1:8000/api/v1/chat/stream"'), snippet.code);
  });

  for (const { name, expected } of SERVED_ROUTE_LAYOUTS) {
    if (expected.status === 'refused') {
      it(`${name}: refused ${expected.reason} before anything is written (${expected.layout})`, async () => {
        const dir = await copyFixture(name, path.join(root, name));
        await assertRefusedBeforeWriting(python, dir, expected.args, expected.reason!);
      });
      continue;
    }
    it(`${name}: verified, and the printed command serves the printed URL with SSE events (${expected.layout})`, async () => {
      const dir = await copyFixture(name, path.join(root, name));
      const run = await runCliWithPython(python, ['add-endpoint', '--workspace', dir, ...expected.args]);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(
        run.stdout.split('\n').some((line) => line.startsWith('  verified: ')),
        run.stdout,
      );
      const printed = printedServeHint(run.stdout);
      const { appDir, app, factory } = expected.serve!;
      assert.deepEqual(printed.words, ['uvicorn', ...(appDir ? ['--app-dir', appDir] : []), app, ...(factory ? ['--factory'] : [])]);
      assert.equal(printed.url.pathname, expected.url);
      assert.ok(existsSync(path.join(dir, expected.streamingPackage!, '__init__.py')), `the streaming package at ${expected.streamingPackage}`);
      await streamPrintedUrl(stack, dir, printed);
    });
  }
}
