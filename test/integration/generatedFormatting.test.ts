/**
 * What we write into users' files stays as it is under their formatter, and a formatter never makes our
 * package "edited by the user":
 *  - the generated package: `ruff format` and black (defaults) leave every file unchanged; reformatted with
 *    other settings (line length, quote style, magic trailing commas) each still reads as untouched, and an edit
 *    made after that reformatting still reads as edited;
 *  - routes (add-endpoint, every token source, GET and POST, the chat protocols) and LLM fixes (`check --fix`) in a file the
 *    formatter had already formatted: the formatter has nothing to change afterwards.
 * Real ruff and black from the current stack's venv.
 */
import assert from 'node:assert/strict';
import { cp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { inspectGeneratedFile } from '../../src/core/codegen/python/generatedHeader';
import { renderPackageFiles } from '../../src/core/codegen/python/package';
import { CATALYST_VERSION } from '../../src/core/version';
import { loadExeca } from '../support/execa';
import { ALL_PACKAGE_NAMES, writeGeneratedStreaming } from '../support/streamingPackage';
import { makeTempDir } from '../support/tempdir';

const VENV_BIN = path.resolve(__dirname, '../../.venv/current/bin');
const RUFF = path.join(VENV_BIN, 'ruff');
const BLACK = path.join(VENV_BIN, 'black');
const FIXTURES = path.resolve(__dirname, '../fixtures');

type Formatter = readonly [command: string, ...args: string[]];
const RUFF_DEFAULT: Formatter = [RUFF, 'format', '--isolated', '--no-cache'];
const BLACK_DEFAULT: Formatter = [BLACK, '--quiet'];

/** Formatter settings users commonly have, other than the defaults our output is formatted for. */
const OTHER_SETTINGS: readonly Formatter[] = [
  [...RUFF_DEFAULT, '--line-length', '60'],
  [...RUFF_DEFAULT, '--line-length', '120'],
  [...RUFF_DEFAULT, '--config', 'format.quote-style="single"'],
  [...RUFF_DEFAULT, '--line-length', '100', '--config', 'format.skip-magic-trailing-comma=true'],
  [...BLACK_DEFAULT, '--line-length', '60'],
  [...BLACK_DEFAULT, '--line-length', '120', '--skip-string-normalization'],
  [...BLACK_DEFAULT, '--line-length', '100', '--skip-magic-trailing-comma'],
];

async function format(formatter: Formatter, file: string, check = false): Promise<{ exitCode: number; output: string }> {
  const execa = await loadExeca();
  const [command, ...args] = formatter;
  const result = await execa(command, [...args, ...(check ? ['--check', '--diff'] : []), file], { reject: false, timeout: 60_000 });
  return { exitCode: result.exitCode ?? -1, output: `${result.stdout}\n${result.stderr}` };
}

async function formatDir(formatter: Formatter, dir: string): Promise<void> {
  const result = await format(formatter, dir);
  assert.equal(result.exitCode, 0, result.output);
}

describe('formatters and what we generate', function () {
  this.timeout(180_000);
  let dir: string;

  before(async () => {
    dir = await makeTempDir('formatting');
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('the generated package, for Python 3.9, 3.10 and 3.12', () => {
    const TARGETS = [9, 10, 12].map((minor) => ({ major: 3, minor }));
    for (const [name, formatter] of [
      ['ruff format', RUFF_DEFAULT],
      ['black', BLACK_DEFAULT],
    ] as const) {
      it(`is left unchanged by ${name} (default settings), every file`, async () => {
        for (const pythonTarget of TARGETS) {
          const folder = path.join(dir, `package-${name.replace(' ', '-')}-3${pythonTarget.minor}`);
          await writeGeneratedStreaming(folder, { pythonTarget, pingInterval: 2.5 });
          const result = await format(formatter, folder, true);
          assert.equal(result.exitCode, 0, `${name} would change the package for 3.${pythonTarget.minor}:\n${result.output}`);
        }
      });
    }

    it('every file still reads as untouched after other formatter settings rewrote it, and as edited after a real edit', async () => {
      for (const pythonTarget of TARGETS) {
        const generated = await renderPackageFiles(ALL_PACKAGE_NAMES, { pythonTarget });
        for (const formatter of OTHER_SETTINGS) {
          const label = `${formatter.slice(1).join(' ')} (3.${pythonTarget.minor})`;
          const folder = path.join(dir, 'package-reformatted');
          await rm(folder, { recursive: true, force: true });
          const root = await writeGeneratedStreaming(folder, { pythonTarget });
          await formatDir(formatter, root);
          let changed = 0;
          for (const file of generated) {
            const reformatted = await readFile(path.join(root, file.path), 'utf8');
            changed += reformatted === file.text ? 0 : 1;
            assert.deepEqual(await inspectGeneratedFile(reformatted), { kind: 'untouched', version: CATALYST_VERSION }, `${file.path}, ${label}`);
          }
          assert.ok(changed > 0, `${label} changed some file (else this case proves nothing)`);
          const reformatted = await readFile(path.join(root, 'response.py'), 'utf8');
          const edited = reformatted.replace(/^DEFAULT_PING_INTERVAL = 15\.0$/m, 'DEFAULT_PING_INTERVAL = 30.0');
          assert.notEqual(edited, reformatted);
          assert.deepEqual(await inspectGeneratedFile(edited), { kind: 'edited', version: CATALYST_VERSION }, `response.py, ${label}, then edited`);
        }
      }
    });
  });

  describe('routes and fixes written into a file the user had formatted', () => {
    const routes = [
      { source: 'demo', method: 'GET', route: '/stream' },
      { source: 'demo', method: 'POST', route: '/items/{item_id}/stream-with-a-rather-long-path-name' },
      { source: 'anthropic', method: 'POST', route: '/chat' },
      { source: 'openai', method: 'GET', route: '/openai' },
      { source: 'groq', method: 'POST', route: '/groq' },
      // The chat protocols' routes (the anthropic one with its `system=` argument).
      { source: 'anthropic', method: 'POST', route: '/claude/chat', protocol: 'ai-sdk' },
      { source: 'anthropic', method: 'POST', route: '/claude/v1/chat/completions', protocol: 'openai' },
    ] as const;
    for (const [name, formatter] of [
      ['ruff format', RUFF_DEFAULT],
      ['black', BLACK_DEFAULT],
    ] as const) {
      it(`add-endpoint: ${name} has nothing to change after every token source, GET and POST`, async () => {
        const workspace = path.join(dir, `routes-${name.replace(' ', '-')}`);
        await cp(path.join(FIXTURES, 'workspaces/single-file'), workspace, { recursive: true });
        await formatDir(formatter, workspace);
        for (const { source, method, route, ...rest } of routes) {
          const protocol = 'protocol' in rest ? rest.protocol : 'sse';
          let stderr = '';
          const code = await main(
            ['add-endpoint', '--workspace', workspace, '--route', route, '--method', method, '--source', source, '--protocol', protocol],
            {
              stdout: () => undefined,
              stderr: (t) => (stderr += t),
              cwd: workspace,
            },
          );
          assert.equal(code, 0, stderr);
        }
        const result = await format(formatter, workspace, true);
        assert.equal(result.exitCode, 0, `${name} would change what add-endpoint wrote:\n${result.output}`);
      });

      for (const style of ['rewrite', 'sibling'] as const) {
        it(`check --fix --fix-style ${style}: ${name} has nothing to change after the LLM fixes`, async () => {
          const workspace = path.join(dir, `fixes-${style}-${name.replace(' ', '-')}`);
          await cp(path.join(FIXTURES, 'llm/snippets'), workspace, { recursive: true });
          await rm(path.join(workspace, 'syntax_error_elsewhere.py'));
          await formatDir(formatter, workspace);
          const before = new Map<string, string>();
          for (const file of await readdir(workspace)) before.set(file, await readFile(path.join(workspace, file), 'utf8'));
          let stderr = '';
          let stdout = '';
          const code = await main(['check', '--fix', '--fix-style', style, '.'], {
            stdout: (t) => (stdout += t),
            stderr: (t) => (stderr += t),
            cwd: workspace,
          });
          // Both styles pass their own check (a route with the streaming sibling the fix added is not reported);
          // what is left are the calls routes reach through a helper or a service, which the fixes do not rewrite.
          assert.equal(code, 1, stderr);
          assert.ok(
            stdout
              .trim()
              .split('\n')
              .every((line) => line.includes(' to the route ')),
            stdout,
          );
          const changed: string[] = [];
          for (const [file, text] of before) if ((await readFile(path.join(workspace, file), 'utf8')) !== text) changed.push(file);
          assert.ok(changed.length >= 3, `the fixes changed files: ${changed.join(', ')}`);
          const result = await format(formatter, workspace, true);
          assert.equal(result.exitCode, 0, `${name} would change what check --fix wrote:\n${result.output}`);
        });
      }
    }
  });
});
