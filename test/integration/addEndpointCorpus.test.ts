/**
 * add-endpoint on the corpus of real-world layouts `check` is measured on (test/fixtures/corpus/, issue 20's
 * tests): each layout is copied, add-endpoint runs through the CLI, the serve command it prints is started as
 * printed and the URL it prints answers with SSE events (the demo source streams tokens). A layout runs on a
 * stack only when that stack has every package it imports (the provider SDKs are only on the current stack).
 *
 * Defaults unless the layout's expected.json (read by test/unit/checkCorpus.test.ts for `check`) says otherwise:
 *   "addEndpoint": { "args"?: [...], "refused"?: "<reason add-endpoint --json gives>" }
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { parsePython } from '../../src/core/python/parser';
import { readImports } from '../../src/core/python/imports';
import { PYTHON_STACKS, type PythonStack } from '../support/python';
import { makeTempDir } from '../support/tempdir';
import { assertRefusedBeforeWriting, printedServeHint, runCliWithPython, streamPrintedUrl } from './addEndpointSupport';

const CORPUS = path.join(__dirname, '..', 'fixtures', 'corpus');

interface AddEndpointExpectation {
  readonly args?: readonly string[];
  readonly refused?: string;
}

const LAYOUTS: ReadonlyArray<{ readonly name: string; readonly addEndpoint: AddEndpointExpectation }> = readdirSync(CORPUS, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort()
  .map((name) => ({
    name,
    addEndpoint: (JSON.parse(readFileSync(path.join(CORPUS, name, 'expected.json'), 'utf8')) as { addEndpoint?: AddEndpointExpectation }).addEndpoint ?? {},
  }));

/** SDK clients are made at import or in the lifespan: they need a key to be constructed, never a network. */
const DUMMY_PROVIDER_KEYS: Readonly<Record<string, string>> = {
  OPENAI_API_KEY: 'sk-test-not-a-key',
  ANTHROPIC_API_KEY: 'sk-ant-test-not-a-key',
  GROQ_API_KEY: 'gsk-test-not-a-key',
};

/** Top-level modules the layout's Python files import that are not its own (FastAPI, the SDKs, the stdlib). */
async function importedPackages(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  const own = new Set(
    [...readdirSync(dir), ...(existsSync(path.join(dir, 'src')) ? readdirSync(path.join(dir, 'src')) : [])].map((e) => path.basename(e, '.py')),
  );
  const modules = new Set<string>();
  for (const file of entries.filter((e) => e.endsWith('.py'))) {
    for (const statement of readImports((await parsePython(await readFile(path.join(dir, file), 'utf8'))).rootNode)) {
      const names = statement.kind === 'import' ? statement.names.map((n) => n.name) : statement.kind === 'from' ? [statement.module] : [];
      for (const name of names.filter((n) => !n.startsWith('.'))) {
        modules.add(name.split('.')[0]!);
      }
    }
  }
  return [...modules].filter((m) => !own.has(m)).sort();
}

for (const stack of PYTHON_STACKS) {
  describe(`add-endpoint on the check corpus: the printed command serves the printed URL (real uvicorn) ${stack.tag}`, function () {
    this.timeout(60_000);
    corpusSuite(stack);
  });
}

function corpusSuite(stack: PythonStack): void {
  let root: string;
  let python: string;
  const saved = new Map<string, string | undefined>();

  before(async () => {
    root = await makeTempDir('add-endpoint-corpus');
    python = (await stack.interpreter()).command;
    // add-endpoint verifies by importing the changed app in a child of this process: the same dummy keys.
    for (const [name, value] of Object.entries(DUMMY_PROVIDER_KEYS)) {
      saved.set(name, process.env[name]);
      process.env[name] = value;
    }
  });

  after(async () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await rm(root, { recursive: true, force: true });
  });

  for (const { name, addEndpoint } of LAYOUTS) {
    const args = addEndpoint.args ?? [];
    if (addEndpoint.refused !== undefined) {
      // Refused before the app is imported: no package of the layout is needed.
      it(`${name}: refused (${addEndpoint.refused}) before anything is written`, async () => {
        const dir = path.join(root, name);
        await cp(path.join(CORPUS, name), dir, { recursive: true });
        await assertRefusedBeforeWriting(python, dir, args, addEndpoint.refused!);
      });
      continue;
    }
    it(`${name}: add-endpoint${args.map((a) => ` ${a}`).join('')} is verified, and the printed command serves the printed URL with SSE events`, async function () {
      const dir = path.join(root, name);
      await cp(path.join(CORPUS, name), dir, { recursive: true });
      const packages = await importedPackages(dir);
      const missing = (await Promise.all(packages.map(async (m) => ((await stack.has(m)) ? [] : [m])))).flat();
      if (missing.length > 0) {
        assert.notEqual(stack.name, 'current', `the current stack lacks ${missing.join(', ')} (requirements/current-stack.txt)`);
        this.skip(); // The oldest stack (Debian) has no provider SDKs.
      }
      const run = await runCliWithPython(python, ['add-endpoint', '--workspace', dir, ...args]);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(
        run.stdout.split('\n').some((line) => line.startsWith('  verified: ')),
        run.stdout,
      );
      const printed = printedServeHint(run.stdout);
      await streamPrintedUrl(stack, dir, printed, DUMMY_PROVIDER_KEYS);
    });
  }
}
