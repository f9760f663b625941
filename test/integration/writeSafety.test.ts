/**
 * Nothing lost: the commands that write (add-endpoint, check --fix) on a real full disk (a small tmpfs), on
 * files with a BOM or a PEP 263 coding cookie, through symbolic links, and from two processes at once. Every
 * case compares each file's bytes before and after: as before, or the whole change, never anything else.
 */
import assert from 'node:assert/strict';
import { chmod, cp, mkdir, open, readdir, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadExeca } from '../support/execa';
import { testPython } from '../support/python';
import { makeTempDir, withTempDir } from '../support/tempdir';
import { copyFixture, runCli, treeDigest } from './addEndpointSupport';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');
const LLM_SNIPPETS = path.join(__dirname, '..', 'fixtures', 'llm', 'snippets');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Parses a file with the oldest supported Python (bytes, so its BOM and coding cookie count). */
async function pythonParses(file: string): Promise<void> {
  const execa = await loadExeca();
  const python = await testPython('oldest');
  await execa(python.executable, ['-c', 'import ast, sys; ast.parse(open(sys.argv[1], "rb").read())', file]);
}

describe('writes are all or nothing and keep every encoding', function () {
  this.timeout(120_000);

  it('a full disk (a real tmpfs, every amount of free space): each file as before or the whole change, and a true message', async function () {
    const mountPoint = await makeTempDir('full-disk');
    const execa = await loadExeca();
    const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint], { reject: false });
    if (mounted.exitCode !== 0) {
      await rm(mountPoint, { recursive: true, force: true });
      this.skip(); // Mounting needs root (CAP_SYS_ADMIN); the injected-fault test in test/unit/planApply.test.ts still runs.
    }
    try {
      // A main.py of about 32 kB, as in the report, so a half-written copy would be easy to get.
      const reference = await copyFixture('single-file', path.join(await makeTempDir('full-disk-ref'), 'ws'));
      const padding = Array.from({ length: 600 }, (_, i) => `# padding line ${i} to make main.py about 32 kB long, as in the report\n`).join('');
      await writeFile(path.join(reference, 'main.py'), `${await readFile(path.join(reference, 'main.py'), 'utf8')}${padding}`);
      const before = await treeDigest(reference);
      const pristine = await readFile(path.join(reference, 'main.py'));
      const refRun = await runCli(['add-endpoint', '--workspace', reference]);
      assert.equal(refRun.code, 0, refRun.stderr);
      const after = await treeDigest(reference);

      const ws = path.join(mountPoint, 'ws');
      const filler = path.join(mountPoint, 'filler');
      const outcomes: string[] = [];
      // The change is the 66 kB streaming module plus a new main.py: room for it comes at about 100 kB free.
      for (let free = 0; free <= 224 * 1024; free += 8192) {
        await rm(ws, { recursive: true, force: true });
        await rm(filler, { force: true });
        await mkdir(ws);
        await writeFile(path.join(ws, 'main.py'), pristine);
        await fillDisk(filler, free);
        const run = await runCli(['add-endpoint', '--workspace', ws]);
        const now = await treeDigest(ws);
        if (run.code === 0) {
          assert.deepEqual(now, after, `with ${free} bytes free: said "${run.stdout.split('\n')[0]}" but the files are not the whole change`);
          assert.match(run.stdout, /^Added GET \/stream/);
          outcomes.push(`${free}: added`);
          break;
        }
        assert.deepEqual(now, before, `with ${free} bytes free: refused but the files changed`);
        assert.match(run.stderr, /Nothing was written: ENOSPC: no space left on device/);
        outcomes.push(`${free}: refused`);
      }
      assert.ok(outcomes.filter((o) => o.endsWith('refused')).length >= 3, outcomes.join(', '));
      assert.ok(outcomes[outcomes.length - 1]!.endsWith('added'), `the change fits once there is room: ${outcomes.join(', ')}`);
      await rm(path.dirname(reference), { recursive: true, force: true });
    } finally {
      await execa('umount', [mountPoint], { reject: false });
      await rm(mountPoint, { recursive: true, force: true });
    }

    /** Fills the file system with `file`, then frees `free` bytes of it. */
    async function fillDisk(file: string, free: number): Promise<void> {
      const handle = await open(file, 'w');
      const chunk = Buffer.alloc(4096, 0x78);
      try {
        for (let i = 0; i < 1024; i++) {
          await handle.write(chunk);
        }
        assert.fail('the tmpfs never filled up');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        await handle.close();
      }
      const size = (await stat(file)).size;
      await truncate(file, Math.max(0, size - free));
    }
  });

  it('a UTF-8 BOM stays first: add-endpoint gives a file Python parses, and check sees the LLM call', () =>
    withTempDir('bom', async (dir) => {
      const ws = await copyFixture('single-file', path.join(dir, 'ws'));
      const main = path.join(ws, 'main.py');
      await writeFile(main, Buffer.concat([BOM, await readFile(main)]));
      const run = await runCli(['add-endpoint', '--workspace', ws]);
      assert.equal(run.code, 0, run.stderr);
      const bytes = await readFile(main);
      assert.deepEqual(bytes.subarray(0, 3), BOM);
      assert.ok(!bytes.subarray(3).includes(BOM), 'one BOM, first');
      await pythonParses(main);

      const snippet = path.join(dir, 'anthropic_async_route.py');
      await writeFile(snippet, Buffer.concat([BOM, await readFile(path.join(LLM_SNIPPETS, 'anthropic_async_route.py'))]));
      const check = await runCli(['check', '--json', snippet], dir);
      assert.deepEqual(
        (JSON.parse(check.stdout) as Array<{ code: string; line: number }>).map((f) => `${f.code}:${f.line}`),
        ['llm-not-streamed:16'],
      );
    }));

  it('a Latin-1 file with a coding cookie is read and written back in Latin-1 by add-endpoint and check --fix, never with U+FFFD', () =>
    withTempDir('latin1', async (dir) => {
      const ws = await copyFixture('single-file', path.join(dir, 'ws'));
      const main = path.join(ws, 'main.py');
      const original = `# -*- coding: latin-1 -*-\n# Café, crème, Köln\n${await readFile(main, 'utf8')}`;
      await writeFile(main, Buffer.from(original, 'latin1'));
      const run = await runCli(['add-endpoint', '--workspace', ws]);
      assert.equal(run.code, 0, run.stderr);
      const text = (await readFile(main)).toString('latin1');
      assert.ok(text.startsWith(original.split('\n').slice(0, 2).join('\n')), text.slice(0, 80));
      assert.ok(!(await readFile(main)).includes(Buffer.from('\ufffd')), 'no U+FFFD');
      await pythonParses(main);

      const snippet = path.join(dir, 'fix', 'route.py');
      await mkdir(path.dirname(snippet));
      const source = (await readFile(path.join(LLM_SNIPPETS, 'anthropic_async_route.py'), 'utf8')).replace(/^/, '# coding: latin-1\n# Grüße aus Köln\n');
      await writeFile(snippet, Buffer.from(source, 'latin1'));
      const check = await runCli(['check', '--json', snippet], dir);
      assert.deepEqual(
        (JSON.parse(check.stdout) as Array<{ line: number }>).map((f) => f.line),
        [18],
        'found, at the right line',
      );
      const fix = await runCli(['check', '--fix', snippet], dir);
      assert.match(fix.stderr, /fixed: /);
      const fixed = await readFile(snippet);
      assert.ok(fixed.toString('latin1').includes('# Grüße aus Köln\n'), 'the Latin-1 comment survived');
      assert.ok(!fixed.includes(Buffer.from('\ufffd')));
      await pythonParses(snippet);
    }));

  it('an undeclared non-UTF-8 target is refused with a clear message and left byte for byte', () =>
    withTempDir('undeclared', async (dir) => {
      const ws = await copyFixture('single-file', path.join(dir, 'ws'));
      const main = path.join(ws, 'main.py');
      await writeFile(main, Buffer.concat([Buffer.from('# Caf\xe9\n', 'latin1'), await readFile(main)]));
      const before = await treeDigest(ws);
      const run = await runCli(['add-endpoint', '--workspace', ws]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /Nothing was written: main\.py: it is not valid UTF-8 and declares no other encoding \(PEP 263 coding cookie\)/);
      assert.deepEqual(await treeDigest(ws), before);
    }));

  it('a dangling symlink in place of a package file, pointing out of the workspace: refused, nothing written anywhere', () =>
    withTempDir('symlink', async (dir) => {
      const ws = await copyFixture('single-file', path.join(dir, 'ws'));
      await mkdir(path.join(dir, 'outside'));
      await mkdir(path.join(ws, 'streaming'));
      await symlink(path.join(dir, 'outside', 'tokens.py'), path.join(ws, 'streaming', 'tokens.py'));
      const main = await readFile(path.join(ws, 'main.py'), 'utf8');
      const run = await runCli(['add-endpoint', '--workspace', ws]);
      assert.equal(run.code, 1, run.stdout);
      assert.match(run.stderr, /streaming\/tokens\.py is a symbolic link to .*outside\/tokens\.py, which does not exist; Catalyst does not write through it/);
      assert.deepEqual(await treeDigest(path.join(dir, 'outside')), new Map());
      assert.deepEqual(await readdir(path.join(ws, 'streaming')), ['tokens.py'], 'no other package file');
      assert.equal(await readFile(path.join(ws, 'main.py'), 'utf8'), main);
    }));

  it('check --fix refuses a read-only file as add-endpoint does, and writes neither it nor the streaming package', () =>
    withTempDir('readonly-fix', async (dir) => {
      const file = path.join(dir, 'route.py');
      await cp(path.join(LLM_SNIPPETS, 'anthropic_async_route.py'), file);
      await chmod(file, 0o444);
      try {
        const before = await treeDigest(dir);
        const run = await runCli(['check', '--fix', file], dir);
        assert.match(run.stderr, /route\.py: not fixed: Nothing was written: route\.py is read-only/);
        assert.deepEqual(await treeDigest(dir), before);
        assert.equal(run.code, 1, 'the finding is still there');
      } finally {
        await chmod(file, 0o644);
      }
    }));

  it('two add-endpoint processes at once, 50 times: both say "Added" and both routes are there, or one is refused', async function () {
    this.timeout(600_000);
    const execa = await loadExeca();
    const root = await makeTempDir('race');
    const lost: string[] = [];
    let bothAdded = 0;
    try {
      for (let trial = 0; trial < 50; trial++) {
        const ws = await copyFixture('single-file', path.join(root, `ws-${trial}`));
        const runs = await Promise.all(
          ['/a', '/b'].map((route) => execa(process.execPath, [CLI, 'add-endpoint', '--workspace', ws, '--route', route], { reject: false, timeout: 120_000 })),
        );
        const text = await readFile(path.join(ws, 'main.py'), 'utf8');
        for (const [i, route] of ['/a', '/b'].entries()) {
          const run = runs[i]!;
          if (run.exitCode === 0) {
            assert.match(run.stdout, new RegExp(`^Added GET ${route} `));
            if (!text.includes(`@app.get("${route}")`)) {
              lost.push(`trial ${trial}: ${route} said Added but is missing`);
            }
          } else {
            assert.match(run.stderr, /another Catalyst run|changed since it was read/, run.stderr);
          }
        }
        bothAdded += runs.every((run) => run.exitCode === 0) ? 1 : 0;
        await rm(ws, { recursive: true, force: true });
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
    assert.deepEqual(lost, []);
    assert.equal(bothAdded, 50, 'the workspace lock serialises the runs, so both succeed');
  });
});
