/**
 * The CLI as users get it: the npm tarball of `npm run pack:cli`, installed with `npm install -g --prefix` into an
 * empty temporary prefix (offline: the package must need no dependency), then run by its bin link from an empty
 * folder outside the repository, with a PATH that has Node and the system but nothing of this checkout. So a
 * missing wasm grammar, a missing sample app or a module left out of the bundle fails here.
 *
 * CATALYST_CLI_TARBALL names a tarball to test; without it the test packs one itself (which leaves a production
 * build in dist/, so it rebuilds the development one afterwards for the tests that follow).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CATALYST_VERSION } from '../../src/core/version';
import { loadExeca } from '../support/execa';
import { testPython } from '../support/python';
import { makeTempDir } from '../support/tempdir';
import { startUvicorn, type RunningServer } from '../support/uvicorn';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** What the installed package holds: the bundle, its two wasm files, the demo's sample app and the docs. */
const PACKAGE_FILES = [
  'CHANGELOG.md',
  'LICENSE',
  'README.md',
  'dist/cli.js',
  'dist/tree-sitter-python.wasm',
  'dist/tree-sitter.wasm',
  'package.json',
  'samples/demo-app/README.md',
  'samples/demo-app/main.py',
];

/** A FastAPI app without streaming, as a user's project might start. */
const APP = `from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
`;

/** A route that waits for the whole Anthropic answer (line 18): what `check` exists to find. */
const LLM_ROUTE = path.join(REPO_ROOT, 'test', 'fixtures', 'host-workspace', 'chat.py');

/** The environment minus what an outer `npm test` exports (npm_config_*, npm_package_*), which a nested npm would obey. */
function withoutNpmRun(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && !/^npm_/i.test(entry[0]) && entry[0] !== 'INIT_CWD'),
  );
}

async function listFiles(root: string, folder = root): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(root, full)));
    else files.push(path.relative(root, full));
  }
  return files.sort();
}

describe('the CLI npm package, installed into an empty prefix', function () {
  this.timeout(180_000);

  let tmp: string;
  let prefix: string;
  let work: string;
  let server: RunningServer | undefined;
  let cli: (args: readonly string[], env?: Record<string, string>) => Promise<{ code: number; stdout: string; stderr: string }>;

  before(async function () {
    const execa = await loadExeca();
    tmp = await makeTempDir('cli-package');
    // Nothing above the prefix may hold a node_modules folder, or Node would find there what the package lacks.
    for (let dir = tmp; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
      assert.ok(!existsSync(path.join(dir, 'node_modules')), `${dir} has a node_modules folder: set TMPDIR to a clean folder`);
    }
    prefix = path.join(tmp, 'prefix');
    work = path.join(tmp, 'work');
    const env = withoutNpmRun(process.env);

    let tarball = process.env.CATALYST_CLI_TARBALL;
    if (!tarball) {
      try {
        const packed = await execa(process.execPath, ['scripts/pack-cli.mjs', '--out', path.join(tmp, 'pack')], { cwd: REPO_ROOT, env, extendEnv: false });
        tarball = packed.stdout.trim().split('\n').at(-1)!;
      } finally {
        await execa(process.execPath, ['esbuild.mjs'], { cwd: REPO_ROOT });
      }
    }
    assert.ok(existsSync(tarball), `no tarball at ${tarball}`);
    await execa('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], {
      cwd: tmp,
      env,
      extendEnv: false,
    });
    await execa('mkdir', [work]);

    const bin = path.join(prefix, 'bin', 'catalyst-streaming');
    // Node and the system, nothing of this checkout (no node_modules/.bin, no NODE_PATH).
    const userEnv = { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: tmp, LANG: 'C.UTF-8' };
    cli = async (args, extra = {}) => {
      const run = await execa(bin, [...args], { cwd: work, env: { ...userEnv, ...extra }, extendEnv: false, reject: false, timeout: 60_000 });
      return { code: run.exitCode ?? -1, stdout: String(run.stdout), stderr: String(run.stderr) };
    };
  });

  after(async function () {
    await server?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('installs the bundle, its wasm grammars and the sample app, and no dependency', async () => {
    const installed = path.join(prefix, 'lib', 'node_modules', 'catalyst-streaming');
    assert.deepEqual(await listFiles(installed), PACKAGE_FILES);
    const manifest = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(manifest.bin, { 'catalyst-streaming': 'dist/cli.js' });
    assert.equal(manifest.dependencies, undefined);
    assert.equal(manifest.version, CATALYST_VERSION);
    const version = await cli(['--version']);
    assert.deepEqual(version, { code: 0, stdout: CATALYST_VERSION, stderr: '' });
  });

  it('generate writes the streaming module', async () => {
    const run = await cli(['generate', 'streaming-module', '--out', 'generated_streaming.py']);
    assert.equal(run.code, 0, run.stderr);
    const module = await readFile(path.join(work, 'generated_streaming.py'), 'utf8');
    assert.match(module, /^# Generated by Catalyst Streaming /);
    assert.match(module, /^def format_sse\(/m);
  });

  it('add-endpoint adds a streaming route to an app (tree-sitter finds the app)', async () => {
    await writeFile(path.join(work, 'main.py'), APP);
    const run = await cli(['add-endpoint', '--workspace', '.', '--route', '/stream', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const outcome = JSON.parse(run.stdout) as { status: string; changes: { path: string; kind: string }[] };
    assert.equal(outcome.status, 'applied');
    assert.deepEqual(
      outcome.changes.map((c) => [c.path, c.kind]),
      [
        ...['__init__.py', 'events.py', 'finish.py', 'lifecycle.py', 'parts.py', 'response.py', 'tokens.py'].map((file) => [`streaming/${file}`, 'create']),
        ['main.py', 'modify'],
      ],
    );
    assert.match(await readFile(path.join(work, 'main.py'), 'utf8'), /@app\.get\("\/stream"/);
    assert.ok(existsSync(path.join(work, 'streaming', 'tokens.py')), 'the package, its folder made by the installed CLI');
  });

  it('check finds the non-streamed LLM call and exits 1', async () => {
    await copyFile(LLM_ROUTE, path.join(work, 'chat.py'));
    const run = await cli(['check', 'chat.py', '--json']);
    assert.equal(run.code, 1, run.stderr);
    const findings = JSON.parse(run.stdout) as { file: string; line: number; code: string; provider: string }[];
    assert.deepEqual(
      findings.map(({ file, line, code, provider }) => ({ file, line, code, provider })),
      [{ file: 'chat.py', line: 18, code: 'llm-not-streamed', provider: 'anthropic' }],
    );
  });

  it('preview streams the endpoint it added, served by a real uvicorn', async () => {
    const python = await testPython('current');
    server = await startUvicorn({ cwd: work, app: 'main:app', python: python.command });
    const run = await cli(['preview', `${server.baseUrl}/stream?prompt=Hi`, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const events = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; data: string });
    assert.ok(events.length >= 2, run.stdout);
    assert.ok(
      events.slice(0, -1).every((e) => e.event === 'token'),
      run.stdout,
    );
    const done = events.at(-1)!;
    assert.equal(done.event, 'done');
    const tokens = events.slice(0, -1).map((e) => (JSON.parse(e.data) as { text: string }).text);
    assert.equal((JSON.parse(done.data) as { text: string }).text, tokens.join(''));
  });

  it('demo finds its sample app in the package and streams it', async () => {
    const python = await testPython('current');
    const run = await cli(['demo', '--prompt', 'Hi'], { CATALYST_PYTHON: python.command });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^1\. Copied the sample app to /m);
    assert.match(run.stdout, /tokens\/s/);
  });
});
