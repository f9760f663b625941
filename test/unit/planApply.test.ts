/**
 * applyChanges and readPythonFiles on a real disk: all or nothing, checked under the lock, every encoding kept,
 * never through a symbolic link out of the workspace; and a fault injected at every step of the file-system
 * seam leaves each file as it was or the whole change in place.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FileChange } from '../../src/core/workspace/fileChange';
import { applyChanges, ApplyError } from '../../src/core/workspace/applyChanges';
import { nodeFileSystem, type FileSystem } from '../../src/core/workspace/fileSystem';
import { nodeProjectFiles, readPythonFiles } from '../../src/core/workspace/projectFiles';
import { withTempDir } from '../support/tempdir';

const change = (file: string, before: string | undefined, after: string): FileChange => ({
  path: file,
  kind: before === undefined ? 'create' : 'modify',
  ...(before === undefined ? {} : { before }),
  after,
  edits: [],
  description: '',
});

const deletion = (file: string, before: string): FileChange => ({ path: file, kind: 'delete', before, after: '', edits: [], description: '' });

/** Every file under dir (hidden ones too), relative path -> bytes as hex. */
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      out[path.relative(dir, full)] = (await readFile(full)).toString('hex');
    }
  }
  return out;
}

const MUTATING = ['writeNewFile', 'rename', 'link', 'deleteFile', 'syncDirectory', 'makeFolder', 'removeFolder'] as const;

/**
 * The real file system, with the nth mutating call failing (ENOSPC), and a log of the calls made; `noLinks`
 * makes it one without hard links (link() always EPERM, as on FAT), to walk the fallback path too.
 */
function faulty(failAt: number, noLinks = false): FileSystem & { calls: string[] } {
  const calls: string[] = [];
  const fs = { ...nodeFileSystem, calls } as FileSystem & { calls: string[] };
  if (noLinks) {
    fs.link = async () => {
      throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' });
    };
  }
  for (const name of MUTATING) {
    const real = fs[name] as (...args: unknown[]) => Promise<void>;
    (fs as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      calls.push(name);
      if (calls.length === failAt) {
        throw Object.assign(new Error(`ENOSPC: no space left on device, ${name}`), { code: 'ENOSPC' });
      }
      return real(...args);
    };
  }
  return fs;
}

describe('applyChanges', () => {
  it('writes every change, keeping each file\u2019s mode, and leaves no temp files behind', () =>
    withTempDir('apply', async (ws) => {
      await writeFile(path.join(ws, 'main.py'), 'old\r\n');
      await chmod(path.join(ws, 'main.py'), 0o640);
      await applyChanges(ws, [change('streaming.py', undefined, 'module\n'), change('main.py', 'old\r\n', 'new\r\n')], nodeFileSystem);
      assert.deepEqual(await tree(ws), { 'main.py': Buffer.from('new\r\n').toString('hex'), 'streaming.py': Buffer.from('module\n').toString('hex') });
      assert.equal((await stat(path.join(ws, 'main.py'))).mode & 0o777, 0o640);
    }));

  it('writes nothing when any target is read-only, changed since it was read, missing, in the way, or a link out of the workspace', () =>
    withTempDir('apply-refuse', async (dir) => {
      const ws = path.join(dir, 'ws');
      const outside = path.join(dir, 'outside');
      const cases: Array<[() => Promise<unknown>, FileChange[], RegExp]> = [
        [() => chmod(path.join(ws, 'main.py'), 0o444), [change('streaming.py', undefined, 'm'), change('main.py', 'old', 'new')], /main\.py is read-only/],
        [
          () => writeFile(path.join(ws, 'main.py'), 'edited meanwhile'),
          [change('streaming.py', undefined, 'm'), change('main.py', 'old', 'new')],
          /main\.py changed since it was read/,
        ],
        [() => writeFile(path.join(ws, 'streaming.py'), 'mine'), [change('streaming.py', undefined, 'm')], /streaming\.py already exists/],
        // A new file's missing folders are made (a new package), but a file to delete must be there as read.
        [async () => undefined, [change('pkg/streaming.py', undefined, 'm'), deletion('gone.py', 'x')], /gone\.py no longer exists/],
        [
          () => writeFile(path.join(ws, 'old.py'), 'edited'),
          [change('pkg/streaming.py', undefined, 'm'), deletion('old.py', 'x')],
          /old\.py changed since it was read/,
        ],
        [
          () => symlink(outside, path.join(ws, 'pkg')),
          [change('pkg/new/streaming.py', undefined, 'm')],
          /pkg\/new\/streaming\.py is in a folder that links outside the workspace/,
        ],
        [
          () => symlink(path.join(outside, 'nowhere.py'), path.join(ws, 'streaming.py')),
          [change('streaming.py', undefined, 'm')],
          /streaming\.py is a symbolic link to .*nowhere\.py, which does not exist; Catalyst does not write through it/,
        ],
        [
          () => symlink(path.join(outside, 'there.py'), path.join(ws, 'streaming.py')),
          [change('main.py', 'old', 'new'), change('streaming.py', undefined, 'm')],
          /streaming\.py is a symbolic link to .*there\.py, outside the workspace/,
        ],
        [
          () => symlink(outside, path.join(ws, 'pkg')),
          [change('pkg/streaming.py', undefined, 'm')],
          /pkg\/streaming\.py is in a folder that links outside the workspace/,
        ],
      ];
      for (const [arrange, changes, message] of cases) {
        await mkdir(ws, { recursive: true });
        await mkdir(outside, { recursive: true });
        await writeFile(path.join(ws, 'main.py'), 'old');
        await writeFile(path.join(outside, 'there.py'), 'theirs');
        await arrange();
        const before = await tree(dir);
        await assert.rejects(
          applyChanges(ws, changes, nodeFileSystem),
          (error: Error) => error instanceof ApplyError && message.test(error.message) && /^Nothing was written/.test(error.message),
          String(message),
        );
        assert.deepEqual(await tree(dir), before, String(message));
        await chmod(path.join(ws, 'main.py'), 0o644).catch(() => undefined);
        await rm(ws, { recursive: true, force: true });
        await rm(outside, { recursive: true, force: true });
      }
    }));

  it('writes through a symbolic link that stays inside the workspace, keeping the link', () =>
    withTempDir('apply-link-in', async (ws) => {
      await mkdir(path.join(ws, 'shared'));
      await writeFile(path.join(ws, 'shared', 'real.py'), 'old');
      await symlink(path.join('shared', 'real.py'), path.join(ws, 'main.py'));
      await applyChanges(ws, [change('main.py', 'old', 'new')], nodeFileSystem);
      assert.equal(await readFile(path.join(ws, 'shared', 'real.py'), 'utf8'), 'new');
      assert.equal(await readlink(path.join(ws, 'main.py')), path.join('shared', 'real.py'));
    }));

  for (const noLinks of [false, true]) {
    it(`a fault at any step of the file-system seam leaves every file as before or the whole change in place${noLinks ? ' (no hard links)' : ''}`, () =>
      withTempDir('apply-faults', async (ws) => {
        // A migration's shape too: a file deleted, files created in a new package (folders made).
        const changes: FileChange[] = [
          change('streaming.py', undefined, 'module\n'),
          change('main.py', 'old\n', 'new\n'),
          change('other.py', 'other\n', 'changed\n'),
          change('pkg/sub/new.py', undefined, 'new\n'),
          { path: 'legacy.py', kind: 'delete', before: 'legacy\n', after: '', edits: [], description: '' },
        ];
        const arrange = async () => {
          for (const entry of await readdir(ws)) await rm(path.join(ws, entry), { force: true, recursive: true });
          await writeFile(path.join(ws, 'main.py'), 'old\n');
          await writeFile(path.join(ws, 'other.py'), 'other\n');
          await writeFile(path.join(ws, 'legacy.py'), 'legacy\n');
        };
        await arrange();
        const before = await tree(ws);
        const probe = faulty(0, noLinks);
        await applyChanges(ws, changes, probe);
        const after = await tree(ws);
        const steps = probe.calls.length;
        assert.ok(steps >= 8, `expected temp writes, links, renames and clean-up, got ${probe.calls.join(', ')}`);
        let failedCleanly = 0;
        for (let failAt = 1; failAt <= steps; failAt++) {
          await arrange();
          const fs = faulty(failAt, noLinks);
          const outcome = await applyChanges(ws, changes, fs).then(
            () => 'applied',
            (error: Error) => {
              assert.ok(error instanceof ApplyError, error.stack);
              assert.match(error.message, /^Nothing was written: ENOSPC/);
              return 'refused';
            },
          );
          const now = await tree(ws);
          const userFiles = Object.fromEntries(Object.entries(now).filter(([name]) => !path.basename(name).startsWith('.')));
          const failedStep = fs.calls[failAt - 1];
          assert.deepEqual(userFiles, outcome === 'applied' ? after : before, `fault at step ${failAt} (${failedStep}): ${outcome}`);
          if (outcome === 'refused') {
            assert.deepEqual(
              await readdir(ws).then((names) => names.filter((name) => name === 'pkg')),
              [],
              `a made folder left after a fault at step ${failAt}`,
            );
          }
          // Only a failed clean-up may leave a temp file behind (the user's files are already right).
          if (failedStep !== 'deleteFile') {
            assert.deepEqual(
              Object.keys(now).filter((name) => path.basename(name).startsWith('.')),
              [],
              `leftovers after a fault at step ${failAt} (${failedStep})`,
            );
          }
          failedCleanly += outcome === 'refused' ? 1 : 0;
        }
        assert.ok(failedCleanly >= 5, `faults before the switch must refuse: ${failedCleanly}`);
      }));
  }

  it('keeps a file\u2019s encoding: a UTF-8 BOM stays first, a Latin-1 file stays Latin-1; text the encoding cannot hold is refused', () =>
    withTempDir('apply-encodings', async (ws) => {
      const bom = Buffer.from([0xef, 0xbb, 0xbf]);
      await writeFile(path.join(ws, 'bom.py'), Buffer.concat([bom, Buffer.from('x = "é"\n')]));
      const latin1 = Buffer.from('# -*- coding: latin-1 -*-\nname = "café è ö"\n', 'latin1');
      await writeFile(path.join(ws, 'latin.py'), latin1);
      const files = await readPythonFiles(nodeProjectFiles(ws));
      assert.equal(files.get('bom.py'), 'x = "é"\n');
      assert.equal(files.get('latin.py'), '# -*- coding: latin-1 -*-\nname = "café è ö"\n');
      await applyChanges(
        ws,
        [change('bom.py', 'x = "é"\n', 'import os\nx = "é"\n'), change('latin.py', files.get('latin.py'), `${files.get('latin.py')}other = "ü"\n`)],
        nodeFileSystem,
      );
      assert.deepEqual(await readFile(path.join(ws, 'bom.py')), Buffer.concat([bom, Buffer.from('import os\nx = "é"\n')]));
      assert.deepEqual(await readFile(path.join(ws, 'latin.py')), Buffer.concat([latin1, Buffer.from('other = "ü"\n', 'latin1')]));
      const text = files.get('latin.py')!;
      const before = await tree(ws);
      await assert.rejects(
        applyChanges(ws, [change('latin.py', `${text}other = "ü"\n`, `${text}euro = "€"\n`)], nodeFileSystem),
        /Nothing was written: latin\.py: its encoding latin-1 cannot represent "€" \(U\+20AC\)/,
      );
      assert.deepEqual(await tree(ws), before);
    }));

  it('refuses to write an undeclared non-UTF-8 file, yet reads it without inventing characters', () =>
    withTempDir('apply-undeclared', async (ws) => {
      const bytes = Buffer.from('name = "café"\n', 'latin1');
      await writeFile(path.join(ws, 'main.py'), bytes);
      const text = (await readPythonFiles(nodeProjectFiles(ws))).get('main.py')!;
      assert.ok(!text.includes('\ufffd'));
      await assert.rejects(
        applyChanges(ws, [change('main.py', text, `import os\n${text}`)], nodeFileSystem),
        /Nothing was written: main\.py: it is not valid UTF-8 and declares no other encoding/,
      );
      assert.deepEqual(await readFile(path.join(ws, 'main.py')), bytes);
    }));

  it('two runs changing the same file at once: the second sees the first\u2019s write and refuses, never overwrites it', () =>
    withTempDir('apply-race', async (ws) => {
      await writeFile(path.join(ws, 'main.py'), 'old\n');
      const results = await Promise.allSettled([
        applyChanges(ws, [change('main.py', 'old\n', 'old\na\n')], nodeFileSystem),
        applyChanges(ws, [change('main.py', 'old\n', 'old\nb\n')], nodeFileSystem),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.match((rejected.reason as Error).message, /main\.py changed since it was read/);
      assert.match(await readFile(path.join(ws, 'main.py'), 'utf8'), /^old\n[ab]\n$/);
    }));
});

describe('readPythonFiles', () => {
  it('reads every .py file with workspace-relative POSIX paths, skipping environments and caches', () =>
    withTempDir('read-ws', async (ws) => {
      for (const file of [
        'main.py',
        'app/__init__.py',
        'app/routers/items.py',
        '.venv/lib/site.py',
        'app/__pycache__/main.py',
        'node_modules/pkg/x.py',
        'README.md',
      ]) {
        await mkdir(path.dirname(path.join(ws, file)), { recursive: true });
        await writeFile(path.join(ws, file), 'x');
      }
      const files = await readPythonFiles(nodeProjectFiles(ws));
      assert.deepEqual([...files.keys()].sort(), ['app/__init__.py', 'app/routers/items.py', 'main.py']);
    }));
});
