/**
 * `check` degrades per file: a file it cannot analyse (nested too deeply, too large) is skipped with its reason
 * on stderr while the others are still checked and --json stays one valid array; a 9.8 MB file costs a bounded
 * amount of memory; a folder with too many Python files is a clear message with the way out, not a stack trace.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MAX_PYTHON_FILES } from '../../src/core/workspace/projectFiles';
import { loadExeca } from '../support/execa';
import { withTempDir } from '../support/tempdir';
import { runCli } from './addEndpointSupport';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');
const SNIPPET = path.join(__dirname, '..', 'fixtures', 'llm', 'snippets', 'anthropic_async_route.py');

/** About `size` bytes of ordinary Python: many small functions. */
function generatedPython(size: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const part = `def f${i}(a, b):\n    return {'k${i}': [a, b, ${i}], 'v': a + b * ${i}}\n\n`;
    parts.push(part);
    length += part.length;
  }
  return parts.join('');
}

describe('catalyst-streaming check degrades per file', function () {
  this.timeout(120_000);

  it('8,000 nested parentheses: that file is skipped with the reason, the others are checked, --json stays valid', () =>
    withTempDir('check-deep', async (dir) => {
      await writeFile(path.join(dir, 'deep.py'), `x = ${'('.repeat(8000)}1${')'.repeat(8000)}\n`);
      await cp(SNIPPET, path.join(dir, 'route.py'));
      const run = await runCli(['check', '--json', '.'], dir);
      assert.equal(run.code, 1, run.stderr);
      assert.deepEqual(
        (JSON.parse(run.stdout) as Array<{ file: string }>).map((f) => f.file),
        ['route.py'],
      );
      assert.equal(run.stderr, 'deep.py: skipped: nested too deeply to analyse\n');
      const text = await runCli(['check', '.'], dir);
      assert.match(text.stderr, /1 problem in 1 file \(1 file skipped\)\.\n$/);
    }));

  it('a 9.8 MB file: skipped with its size, the run goes on, and peak memory stays within 20x the file size', () =>
    withTempDir('check-huge', async (dir) => {
      const big = path.join(dir, 'big.py');
      await writeFile(big, generatedPython(9_800_000));
      await cp(SNIPPET, path.join(dir, 'route.py'));
      // The peak resident set of the CLI process, as the kernel counts it, written on exit.
      const report = path.join(dir, 'maxrss');
      const preload = path.join(dir, 'maxrss.cjs');
      await writeFile(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(report)}, String(process.resourceUsage().maxRSS)));\n`);
      const execa = await loadExeca();
      const run = await execa(process.execPath, ['--require', preload, CLI, 'check', '--json', 'big.py', 'route.py'], { cwd: dir, reject: false });
      assert.equal(run.exitCode, 1, run.stderr);
      assert.equal((JSON.parse(run.stdout) as unknown[]).length, 1);
      assert.match(run.stderr, /^big\.py: skipped: 9\.3 MB is larger than the 1 MB checked per file \(generated code\?\)$/);
      const peakKb = Number(await readFile(report, 'utf8'));
      assert.ok(peakKb * 1024 < 20 * 9_800_000, `peak RSS ${peakKb} kB for a 9.8 MB file`);
    }));

  it(`more than ${MAX_PYTHON_FILES} Python files: a clear message naming the way out (check PATH...), for check and add-endpoint`, () =>
    withTempDir('check-many', async (dir) => {
      for (let folder = 0; folder <= MAX_PYTHON_FILES / 500; folder++) {
        await mkdir(path.join(dir, `pkg${folder}`));
        await Promise.all(Array.from({ length: 500 }, (_, i) => writeFile(path.join(dir, `pkg${folder}`, `m${i}.py`), '')));
      }
      const check = await runCli(['check', '.'], dir);
      assert.equal(check.code, 1);
      assert.match(
        check.stderr,
        /^catalyst-streaming check: \. holds more than 5000 Python files \(found 5500\), .*; check the project's own folders instead: catalyst-streaming check PATH\.\.\.\n$/,
      );
      assert.equal((await runCli(['check', 'pkg0'], dir)).code, 0, 'one folder is fine');
      const add = await runCli(['add-endpoint', '--workspace', dir]);
      assert.equal(add.code, 1);
      assert.match(
        add.stderr,
        /^catalyst-streaming add-endpoint: .* has more than 5000 Python files, so it looks like more than one project; point --workspace at the project folder\n$/,
      );
    }));
});
