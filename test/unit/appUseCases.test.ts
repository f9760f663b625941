/**
 * The core's use cases (src/core/app) on an in-memory project: what `check` finds (across modules, with an
 * editor's unsaved text, skipping what cannot be analysed), what a quick fix changes (the call and the
 * streaming module, together, or refused), and what add-endpoint returns before anything is written.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { addEndpoint, endpointSummary, tryIt } from '../../src/core/app/addEndpoint';
import { checkProject, MAX_ANALYSED_BYTES } from '../../src/core/app/check';
import { fixFile, quickFixesAt } from '../../src/core/app/quickFix';
import { pythonCandidates } from '../../src/core/python/interpreter';
import { applyTextEdits } from '../../src/core/workspace/textEdit';
import { listPythonFiles, memoryProjectFiles, nodeProjectFiles, readPythonFiles, type ProjectFiles } from '../../src/core/workspace/projectFiles';
import { withTempDir } from '../support/tempdir';

const ROOT = '/project';

function project(files: Record<string, string>, open: Record<string, string> = {}): ProjectFiles {
  return { ...memoryProjectFiles(ROOT, new Map(Object.entries(files))), openText: (file) => open[file] };
}

/** A route in app/main.py reaching a non-streaming OpenAI call in app/llm.py (and a streaming one, not reported). */
const CROSS_MODULE = path.join(__dirname, '../fixtures/llm/workspace/helper-module');

/** A route that waits for Claude's whole answer, in a plain script. */
const CHAT = [
  'from anthropic import AsyncAnthropic',
  'from fastapi import FastAPI',
  '',
  'app = FastAPI()',
  'client = AsyncAnthropic()',
  '',
  '',
  '@app.get("/chat")',
  'async def chat(prompt: str) -> dict[str, str]:',
  '    message = await client.messages.create(',
  '        model="claude-sonnet-4-5",',
  '        max_tokens=1024,',
  '        messages=[{"role": "user", "content": prompt}],',
  '    )',
  '    return {"reply": message.content[0].text}',
  '',
].join('\n');

describe('use case: check', () => {
  it('follows a route into another module: the finding is on the call, in the module that makes it', async () => {
    const project = nodeProjectFiles(CROSS_MODULE);
    const { findings, skipped } = await checkProject(project, await listPythonFiles(project));
    assert.deepEqual(skipped, []);
    assert.deepEqual(
      findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.code}`),
      ['app/llm.py:5:24 llm-not-streamed'],
    );
    const [finding] = findings;
    assert.match(finding!.message, /GET \/summary \(summary in app\/main\.py\)/);
    const text = await readFile(path.join(CROSS_MODULE, 'app', 'llm.py'), 'utf8');
    assert.equal(text.slice(finding!.start, finding!.end), 'client.chat.completions.create');
  });

  it("counts an editor's unsaved text over the file on disk", async () => {
    const streamed = CHAT.replace('max_tokens=1024,', 'max_tokens=1024,\n        stream=True,');
    assert.deepEqual(
      (await checkProject(project({ 'chat.py': CHAT }), ['chat.py'])).findings.map((f) => f.code),
      ['llm-not-streamed'],
    );
    assert.deepEqual((await checkProject(project({ 'chat.py': CHAT }, { 'chat.py': streamed }), ['chat.py'])).findings, []);
  });

  it('skips a file too large to analyse and one that is gone, and checks the others', async () => {
    const huge = `x = 1\n${'#'.repeat(MAX_ANALYSED_BYTES)}\n`;
    const outcome = await checkProject(project({ 'chat.py': CHAT, 'generated.py': huge }), ['chat.py', 'generated.py', 'gone.py']);
    assert.deepEqual(
      outcome.skipped.map((s) => `${s.file}: ${s.reason}`),
      ['generated.py: 1.0 MB is larger than the 1 MB checked per file (generated code?)', 'gone.py: cannot be read (ENOENT)'],
    );
    assert.deepEqual(
      outcome.findings.map((f) => f.file),
      ['chat.py'],
    );
  });
});

describe('use case: the project files', () => {
  it('one walk: environments, caches, hidden and build folders and symbolic links are not the project', () =>
    withTempDir('project-files', async (root) => {
      for (const file of [
        'main.py',
        'app/x.py',
        '.venv/lib/a.py',
        'venv/b.py',
        'build/c.py',
        'pkg.egg-info/d.py',
        'app/__pycache__/e.py',
        '.github/f.py',
        'notes.txt',
      ]) {
        await mkdir(path.dirname(path.join(root, file)), { recursive: true });
        await writeFile(path.join(root, file), 'x = 1\n');
      }
      await symlink(path.join(root, 'app'), path.join(root, 'linked'));
      const files = nodeProjectFiles(root);
      assert.deepEqual(await listPythonFiles(files), ['app/x.py', 'main.py']);
      assert.deepEqual([...(await readPythonFiles(files)).keys()], ['app/x.py', 'main.py']);
    }));

  it('decodes as Python does (a coding cookie), and the editor text wins', () =>
    withTempDir('project-decode', async (root) => {
      await writeFile(
        path.join(root, 'latin.py'),
        Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\nname = "'), Buffer.from([0xfc]), Buffer.from('"\n')]),
      );
      assert.equal((await readPythonFiles(nodeProjectFiles(root))).get('latin.py'), '# -*- coding: latin-1 -*-\nname = "ü"\n');
      const open: ProjectFiles = { ...nodeProjectFiles(root), openText: () => 'edited = 1\n' };
      assert.equal((await readPythonFiles(open)).get('latin.py'), 'edited = 1\n');
    }));
});

describe('use case: quick fix', () => {
  it('streams the call and creates the streaming module beside it, as changes that go together', async () => {
    const offset = CHAT.indexOf('client.messages.create(');
    const { fixes } = await quickFixesAt(project({ 'chat.py': CHAT }), 'chat.py', offset, { style: 'rewrite' });
    const stream = fixes.find((f) => f.kind === 'stream');
    assert.ok(stream, 'the stream fix is offered');
    const shown = stream.changes.map((c) => `${c.kind} ${c.path}`);
    assert.equal(shown.at(-1), 'modify chat.py');
    assert.ok(shown.includes('create streaming/__init__.py'), shown.join(', '));
    assert.deepEqual(
      shown.slice(0, -1).filter((c) => !/^create streaming\/(providers\/)?\w+\.py$/.test(c)),
      [],
      'the rest are the streaming package\u2019s files',
    );
    for (const module of stream.changes.slice(0, -1)) {
      assert.equal(applyTextEdits('', module.edits), module.after);
    }
    const call = stream.changes.at(-1)!;
    assert.equal(applyTextEdits(CHAT, call.edits), call.after);
    assert.match(call.after, /^from streaming\.\w+ import /m);
    assert.deepEqual(stream.notes, []);
  });

  it('offers no stream fix when streaming.py exists and is not ours, and says why', async () => {
    const offset = CHAT.indexOf('client.messages.create(');
    const { fixes, refused } = await quickFixesAt(project({ 'chat.py': CHAT, 'streaming.py': 'def mine() -> None: ...\n' }), 'chat.py', offset, {
      style: 'rewrite',
    });
    assert.equal(
      fixes.some((f) => f.kind === 'stream'),
      false,
    );
    assert.match(refused.find((r) => r.kind === 'stream')?.reason ?? '', /was not generated by Catalyst Streaming/);
  });

  it('check --fix: every call of the file, the module at the project-relative place the settings name', async () => {
    const outcome = await fixFile(project({ 'chat.py': CHAT }), 'chat.py', { style: 'rewrite', moduleLocation: 'lib/sse.py' });
    assert.equal(outcome.status, 'fixed');
    if (outcome.status !== 'fixed') return;
    // The streaming package at the settings' place (lib/sse.py names it; the package is lib/sse/), every file created.
    assert.ok(outcome.generated.length > 0, 'the package is created');
    assert.deepEqual(
      outcome.generated.filter((g) => !(g.kind === 'create' && g.path.startsWith('lib/sse/'))),
      [],
    );
    assert.deepEqual(outcome.notes, []);
    assert.deepEqual(
      outcome.applied.map((a) => a.line),
      [10],
    );
    const fixed = outcome.changes.find((c) => c.path === 'chat.py')!;
    assert.match(fixed.after, /^from lib\.sse\.\w+(\.\w+)* import /m);
    assert.equal(applyTextEdits(CHAT, fixed.edits), fixed.after);
  });
  it('a fix in a subpackage reuses the generated streaming/ package above it instead of writing a second copy', async () => {
    // The package as an earlier fix wrote it into app/ (its files, each with our header).
    const first = await fixFile(project({ 'app/__init__.py': '', 'app/chat.py': CHAT }), 'app/chat.py', { style: 'rewrite' });
    assert.equal(first.status, 'fixed');
    if (first.status !== 'fixed') return;
    const written = Object.fromEntries(first.changes.filter((c) => c.path.startsWith('app/streaming/')).map((c) => [c.path, c.after]));
    assert.ok(written['app/streaming/__init__.py'], 'the first fix wrote app/streaming/');
    const files = { 'app/__init__.py': '', 'app/admin/__init__.py': '', 'app/admin/chat.py': CHAT, ...written };
    const outcome = await fixFile(project(files), 'app/admin/chat.py', { style: 'rewrite' });
    assert.equal(outcome.status, 'fixed');
    if (outcome.status !== 'fixed') return;
    assert.deepEqual(
      outcome.changes.filter((c) => c.path.startsWith('app/admin/streaming')).map((c) => c.path),
      [],
      'no second copy beside the subpackage',
    );
    assert.match(outcome.changes.find((c) => c.path === 'app/admin/chat.py')!.after, /^from \.\.streaming\.\w+(\.\w+)* import /m);
    const offset = CHAT.indexOf('client.messages.create(');
    const { fixes } = await quickFixesAt(project(files), 'app/admin/chat.py', offset, { style: 'rewrite' });
    const stream = fixes.find((f) => f.kind === 'stream')!;
    assert.deepEqual(
      stream.changes.map((c) => c.path).filter((file) => file.includes('streaming')),
      outcome.changes.map((c) => c.path).filter((file) => file.includes('streaming')),
      'the editor quick fix goes to the same package',
    );
  });

  it('check --fix beside a single module of an earlier version: imports from it as it is, and says how to move on', async () => {
    const legacy = await readFile(path.join(__dirname, '..', 'fixtures', 'workspaces', 'legacy-untouched', 'app', 'streaming.py'), 'utf8');
    const outcome = await fixFile(project({ 'chat.py': CHAT, 'streaming.py': legacy }), 'chat.py', { style: 'rewrite' });
    assert.equal(outcome.status, 'fixed');
    if (outcome.status !== 'fixed') return;
    assert.deepEqual(
      outcome.changes.map((c) => `${c.kind} ${c.path}`),
      ['modify chat.py'],
    );
    assert.deepEqual(outcome.generated, []);
    assert.match(outcome.notes.join('\n'), /^The fix imports from streaming\.py, generated by an earlier version\. To move to the streaming package/);
    assert.match(outcome.changes[0]!.after, /^from streaming import /m);
  });
});

describe('use case: add endpoint', () => {
  const MAIN = 'from fastapi import FastAPI\n\napp = FastAPI()\n';

  it('returns the planned changes and why it was not verified; nothing is written', async () => {
    const outcome = await addEndpoint(project({ 'main.py': MAIN }), { route: '/stream', source: { kind: 'demo' } }, { verify: { skipped: 'not asked' } });
    assert.equal(outcome.status, 'planned');
    if (outcome.status !== 'planned') return;
    assert.deepEqual(outcome.verification, { verified: false, reason: 'not asked' });
    assert.deepEqual(
      outcome.plan.changes.map((c) => `${c.kind} ${c.path}`),
      [...['__init__', 'events', 'finish', 'lifecycle', 'parts', 'response', 'tokens'].map((file) => `create streaming/${file}.py`), 'modify main.py'],
    );
    assert.deepEqual(tryIt(outcome.plan.endpoint), { serve: 'uvicorn main:app', serveWords: ['uvicorn', 'main:app'], url: 'http://127.0.0.1:8000/stream' });
    assert.equal(endpointSummary(outcome.plan.endpoint), 'GET /stream on app in main.py (function stream, tokens from demo).');
  });

  it('refuses with the planner reason when there is no app', async () => {
    const outcome = await addEndpoint(project({ 'main.py': 'print("hi")\n' }), {}, { verify: true });
    assert.equal(outcome.status, 'refused');
    assert.equal(outcome.status === 'refused' && outcome.reason, 'no-app');
  });

  // The editor's command calls this same use case, so it gets the CLI's messages for odd input.
  it('refuses odd input with its own message: a dot segment, a NUL byte, a file where the package folder goes', async () => {
    const refusal = async (files: Record<string, string>, route = '/stream') => {
      const outcome = await addEndpoint(project(files), { route, source: { kind: 'demo' } }, { verify: { skipped: 'not asked' } });
      assert.equal(outcome.status, 'refused');
      return outcome.status === 'refused' ? outcome.message : '';
    };
    assert.match(await refusal({ 'main.py': MAIN }, '/a/%2E%2e/b'), /has a dot segment \("%2E%2e"\)/);
    assert.match(await refusal({ 'main.py': MAIN.replace('app =', '\u0000app =') }), /main\.py contains a NUL byte \(\\x00\) at line 3, column 1/);
    assert.match(await refusal({ 'main.py': MAIN, streaming: 'a file' }), /^streaming is a file, where the generated folder streaming\/ goes/);
  });
});

describe('use case: the interpreter choice', () => {
  it("the user's choice first, then the project's virtual environment, then CATALYST_PYTHON and PATH", () =>
    withTempDir('python-candidates', async (root) => {
      await mkdir(path.join(root, '.venv', 'bin'), { recursive: true });
      await writeFile(path.join(root, '.venv', 'bin', 'python'), '');
      assert.deepEqual(pythonCandidates({ preferred: '/chosen/python', projectRoot: root, env: { CATALYST_PYTHON: '/env/python' } }), [
        '/chosen/python',
        path.join(root, '.venv', 'bin', 'python'),
        '/env/python',
        'python3',
        '/usr/bin/python3',
        'python',
      ]);
    }));
});
