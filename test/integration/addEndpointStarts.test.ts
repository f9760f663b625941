/**
 * add-endpoint leaves an app that still starts (issue 14, item 2): on layouts from real projects, each result
 * is imported by the CLI before writing, served by this stack's uvicorn, and its URL streamed; refusals say
 * why and write nothing.
 *  - namespace-unique-id: the full-stack template's `generate_unique_id_function` reading `route.tags[0]`,
 *    app/ without __init__.py run as `uvicorn app.main:app`, sibling routes all guarded by one dependency;
 *  - own-streaming-package: a `streaming/` package of the project's own, beside which the generated package takes another name;
 *  - unique-id-by-name: an id function the planner cannot satisfy (operation ids listed by route name): the
 *    import check catches it;
 *  - needs-settings: an app that does not start in this environment without the change either;
 *  - azure-configured-client: `--source openai` uses the app's configured AsyncAzureOpenAI client (seen at the
 *    local provider server as an Azure deployment request), not a new AsyncOpenAI().
 */
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { startProviderServer } from '../support/providers/server';
import { PYTHON_STACKS, pythonStack, type PythonStack } from '../support/python';
import { makeTempDir } from '../support/tempdir';
import { copyFixture, runCliWithPython, serveEndpoint, streamTokens, treeDigest, WORKSPACE_FIXTURES } from './addEndpointSupport';

interface Outcome {
  status: string;
  reason?: string;
  message: string;
  endpoint: { url: string; serve: { appDir: string; app: string; factory: boolean } };
  changes: Array<{ path: string; kind: string }>;
  notes: string[];
  verification: { verified: boolean; python?: string; reason?: string; error?: string; file?: string; line?: number; code?: string };
}

for (const stack of PYTHON_STACKS) {
  describe(`add-endpoint: the app still starts (real uvicorn) ${stack.tag}`, function () {
    this.timeout(120_000);
    startsSuite(stack);
  });
}

function startsSuite(stack: PythonStack): void {
  let root: string;
  let python: string;

  before(async () => {
    root = await makeTempDir('add-endpoint-starts');
    python = (await stack.interpreter()).command;
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const addEndpoint = async (dir: string, ...args: string[]) => {
    const run = await runCliWithPython(python, ['add-endpoint', '--workspace', dir, '--json', ...args]);
    return { code: run.code, stderr: run.stderr, outcome: JSON.parse(run.stdout) as Outcome };
  };
  const read = (dir: string, file: string) => readFile(path.join(dir, file), 'utf8');
  const query = `?prompt=${encodeURIComponent('Still starting?')}`;

  it('namespace package with the template\'s tag-reading id function: tags, the siblings\' guard, "from app.streaming", served as app.main:app', async () => {
    const dir = await copyFixture('namespace-unique-id', path.join(root, 'namespace'));
    const { code, stderr, outcome } = await addEndpoint(dir);
    assert.equal(code, 0, stderr);
    assert.equal(outcome.status, 'applied', outcome.message);
    assert.deepEqual(outcome.verification, { verified: true, python });
    assert.deepEqual(outcome.endpoint.serve, { appDir: '', app: 'app.main:app', factory: false });
    assert.deepEqual(outcome.changes.map((c) => c.path).sort(), [
      'app/main.py',
      ...['__init__.py', 'events.py', 'finish.py', 'lifecycle.py', 'parts.py', 'response.py', 'tokens.py'].map((file) => `app/streaming/${file}`),
    ]);
    const main = await read(dir, 'app/main.py');
    assert.ok(
      main.includes('\nfrom app.streaming.response import EventStreamResponse, streaming_response\nfrom app.streaming.tokens import stream_tokens\n'),
      main,
    );
    assert.ok(main.includes('@app.get("/stream", tags=["streaming"], dependencies=[Depends(require_api_key)])\n'), main);
    assert.ok(
      outcome.notes.some((note) => note.includes('generate_unique_id_function')),
      outcome.notes.join('\n'),
    );

    const server = await serveEndpoint(stack, dir, outcome.endpoint.serve);
    try {
      const unguarded = await fetch(`${server.baseUrl}${outcome.endpoint.url}${query}`);
      assert.equal(unguarded.status, 401, 'the new route is guarded as its siblings are');
      const streamed = await streamTokens(`${server.baseUrl}${outcome.endpoint.url}${query}`, { headers: [['x-api-key', 'secret']] });
      assert.ok(streamed.done.text.startsWith('You asked: Still starting? '), streamed.done.text);
      const openapi = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as { paths: Record<string, { get?: { operationId?: string } }> };
      assert.equal(openapi.paths['/stream']?.get?.operationId, 'streaming-stream', 'the id function read the new tag');
    } finally {
      await server.stop();
    }
  });

  it('a router with its own tags in the namespace package: no tags added, its prefix served', async () => {
    const dir = await copyFixture('namespace-unique-id', path.join(root, 'namespace-router'));
    const { code, stderr, outcome } = await addEndpoint(dir, '--app', 'app/api/notes.py:router');
    assert.equal(code, 0, stderr);
    assert.equal(outcome.verification.verified, true, JSON.stringify(outcome.verification));
    const notes = await read(dir, 'app/api/notes.py');
    assert.ok(notes.includes('@router.get("/stream")\n'), notes);
    assert.equal(outcome.endpoint.url, '/notes/stream');
    const server = await serveEndpoint(stack, dir, outcome.endpoint.serve);
    try {
      const streamed = await streamTokens(`${server.baseUrl}${outcome.endpoint.url}${query}`);
      assert.ok(streamed.tokens.length >= 30, `${streamed.tokens.length} tokens`);
      const openapi = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as { paths: Record<string, { get?: { operationId?: string } }> };
      assert.equal(openapi.paths['/notes/stream']?.get?.operationId, 'notes-stream');
    } finally {
      await server.stop();
    }
  });

  it("the project's own streaming/ package: the package is sse_streaming/ and both are imported; --module streaming.py is refused", async () => {
    const dir = await copyFixture('own-streaming-package', path.join(root, 'own-package'));
    const untouched = await treeDigest(dir);
    const refusal = await addEndpoint(dir, '--module', 'streaming.py');
    assert.equal(refusal.code, 1);
    assert.equal(refusal.outcome.reason, 'module-conflict');
    assert.match(
      refusal.outcome.message,
      /would clash with the package streaming\/ of yours \(streaming\/__init__\.py was not generated.*--module sse_streaming\.py/,
    );
    assert.deepEqual(await treeDigest(dir), untouched, 'nothing written');

    const { code, stderr, outcome } = await addEndpoint(dir);
    assert.equal(code, 0, stderr);
    assert.ok(
      outcome.changes.every((c) => c.path === 'main.py' || c.path.startsWith('sse_streaming/')),
      outcome.changes.map((c) => c.path).join(),
    );
    assert.match(outcome.notes[0]!, /sse_streaming\/, not streaming\//);
    assert.ok(
      (await read(dir, 'main.py')).includes(
        '\nfrom sse_streaming.response import EventStreamResponse, streaming_response\nfrom sse_streaming.tokens import stream_tokens\n',
      ),
    );
    const server = await serveEndpoint(stack, dir, outcome.endpoint.serve);
    try {
      const streamed = await streamTokens(`${server.baseUrl}${outcome.endpoint.url}${query}`);
      assert.ok(streamed.tokens.length >= 30, `${streamed.tokens.length} tokens`);
      const shipped = await fetch(`${server.baseUrl}/orders/7/ship`, { method: 'POST' });
      assert.deepEqual(await shipped.json(), { shipped: 7 }, "the project's streaming package still serves its route");
    } finally {
      await server.stop();
    }
  });

  it('an id function the new route breaks: refused with the exception and where, nothing written; --no-verify writes an app uvicorn cannot start', async () => {
    const dir = await copyFixture('unique-id-by-name', path.join(root, 'by-name'));
    const untouched = await treeDigest(dir);
    const { code, outcome } = await addEndpoint(dir);
    assert.equal(code, 1);
    assert.equal(outcome.reason, 'app-does-not-start');
    assert.match(outcome.message, /raises KeyError: 'stream' at main\.py:\d+ \(return OPERATION_IDS\[route\.name\]\)/);
    assert.match(outcome.message, /Nothing was written/);
    assert.equal(outcome.verification.verified, false);
    assert.equal(outcome.verification.file, 'main.py');
    assert.deepEqual(await treeDigest(dir), untouched, 'nothing written');

    const forced = await addEndpoint(dir, '--no-verify');
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(forced.outcome.verification, { verified: false, reason: '--no-verify: the app was not imported' });
    await assert.rejects(serveEndpoint(stack, dir, forced.outcome.endpoint.serve), /KeyError: 'stream'/, 'what the check predicted');
  });

  it('an app that does not start here even without the change: written, reported as not verified, and it serves once configured', async () => {
    const dir = await copyFixture('needs-settings', path.join(root, 'settings'));
    const { code, stderr, outcome } = await addEndpoint(dir);
    assert.equal(code, 0, stderr);
    assert.equal(outcome.status, 'applied');
    assert.equal(outcome.verification.verified, false);
    assert.match(outcome.verification.reason!, /does not start .* even without the change \(KeyError: 'REPORTS_DATABASE_URL' at main\.py:6/);
    const server = await serveEndpoint(stack, dir, outcome.endpoint.serve, { REPORTS_DATABASE_URL: 'sqlite://' });
    try {
      const streamed = await streamTokens(`${server.baseUrl}${outcome.endpoint.url}${query}`);
      assert.ok(streamed.tokens.length >= 30, `${streamed.tokens.length} tokens`);
    } finally {
      await server.stop();
    }
  });

  // Only a stack without the openai package shows it: the oldest (Debian's), which has no provider SDKs.
  if (stack.name === 'oldest') {
    it('an SDK this interpreter lacks: written, and the note says to install it (not a refusal)', async () => {
      assert.equal(await stack.has('openai'), false, 'the oldest stack was expected to have no openai package');
      const dir = await copyFixture('own-streaming-package', path.join(root, 'no-sdk'));
      const { code, stderr, outcome } = await addEndpoint(dir, '--source', 'openai');
      assert.equal(code, 0, stderr);
      assert.equal(outcome.verification.verified, false);
      assert.match(outcome.verification.reason!, /has no openai package, which the new endpoint imports: install it where the app runs \(pip install openai\)/);
    });
  }

  it('--dry-run runs nothing and says so', async () => {
    const dir = await copyFixture('unique-id-by-name', path.join(root, 'dry'));
    const { code, outcome } = await addEndpoint(dir, '--dry-run');
    assert.equal(code, 0);
    assert.deepEqual(outcome.verification, { verified: false, reason: 'dry run: nothing was written or run' });
    assert.equal(await read(dir, 'main.py'), await readFile(path.join(WORKSPACE_FIXTURES, 'unique-id-by-name', 'main.py'), 'utf8'));
  });
}

describe(`add-endpoint --source openai uses the app's configured client ${pythonStack('current').tag}`, function () {
  this.timeout(120_000);

  it('imports the Azure client from app/llm.py and streams through it from the local provider', async () => {
    const stack = pythonStack('current');
    const root = await makeTempDir('add-endpoint-client');
    const provider = await startProviderServer();
    try {
      const dir = await copyFixture('azure-configured-client', path.join(root, 'ws'));
      const run = await runCliWithPython((await stack.interpreter()).command, ['add-endpoint', '--workspace', dir, '--json', '--source', 'openai']);
      assert.equal(run.code, 0, run.stderr);
      const outcome = JSON.parse(run.stdout) as Outcome;
      assert.equal(outcome.verification.verified, true, JSON.stringify(outcome.verification));
      assert.match(outcome.notes.join('\n'), /uses your configured client client \(AsyncAzureOpenAI in app\/llm\.py\)/);
      const main = await readFile(path.join(dir, 'app/main.py'), 'utf8');
      assert.ok(main.includes('\nfrom .llm import client\n'), main);
      assert.ok(main.includes('chunks = client.chat.completions.create('), main);
      assert.equal(main.includes('AsyncOpenAI'), false, 'no second client');

      const tokens = ['Through', ' the', ' Azure', ' client', '.'];
      provider.behave({ tokens });
      const server = await serveEndpoint(stack, dir, outcome.endpoint.serve, provider.sdkEnvironment());
      try {
        const streamed = await streamTokens(`${server.baseUrl}${outcome.endpoint.url}?prompt=Hi`);
        assert.deepEqual(streamed.tokens, tokens);
      } finally {
        await server.stop();
      }
      assert.equal(provider.requests.length, 1);
      assert.equal(provider.requests[0]!.api, 'azure-chat');
      assert.match(provider.requests[0]!.url, /^\/openai\/deployments\/gpt-4o-deployment\/chat\/completions\?api-version=2024-10-21$/);
    } finally {
      await provider.stop();
      await rm(root, { recursive: true, force: true });
    }
  });
});
