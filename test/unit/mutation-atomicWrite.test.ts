/**
 * writeFilesAtomically's failure paths, on a real disk through a scripted file-system seam: a file created by
 * link (never clobbering one that appeared meanwhile), each "no hard links" error code, an undo that fails too
 * ("could not be fully undone"). Each test names the Stryker mutant it kills (`npm run test:mutation -- workspace`).
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AtomicWriteError, writeFilesAtomically, type AtomicWrite } from '../../src/core/workspace/atomicWrite';
import { nodeFileSystem, type FileSystem } from '../../src/core/workspace/fileSystem';
import { withTempDir } from '../support/tempdir';

type Call = { readonly name: keyof FileSystem; readonly args: readonly unknown[] };
type Hook = (call: Call) => Promise<void> | void;

/** The real file system; `before` runs before each call and may throw to make it fail. Logs every call. */
function scripted(before: Hook = () => undefined): FileSystem & { calls: Call[] } {
  const calls: Call[] = [];
  const fs = { calls } as unknown as FileSystem & { calls: Call[] };
  for (const name of Object.keys(nodeFileSystem) as (keyof FileSystem)[]) {
    const real = nodeFileSystem[name] as (...args: unknown[]) => Promise<unknown>;
    (fs as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      const call = { name, args };
      calls.push(call);
      await before(call);
      return real(...args);
    };
  }
  return fs;
}

const failure = (code: string, what = code) => Object.assign(new Error(`${code}: ${what}`), { code });
const bytes = (text: string) => Buffer.from(text, 'utf8');
const text = async (file: string) => (await readFile(file)).toString('utf8');
const replaced = async (file: string): Promise<AtomicWrite> => ({
  file,
  bytes: bytes('new\n'),
  replaces: { mode: 0o644, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, bytes: await readFile(file) },
});

async function refusal(promise: Promise<void>): Promise<AtomicWriteError> {
  const error = await promise.then(
    () => assert.fail('expected the write to fail'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof AtomicWriteError, String(error));
  return error;
}

describe('writeFilesAtomically (mutation-tested failure paths)', () => {
  // Kills: `fs.link(step.temp, step.write.file)` replaced by a rename for a created file (BlockStatement and
  // the catch's ConditionalExpression mutants), which would overwrite a file that appeared meanwhile.
  it('creates a new file by link: a file that appeared meanwhile is kept, nothing is written', () =>
    withTempDir('atomic-appeared', async (dir) => {
      const target = path.join(dir, 'streaming.py');
      const fs = scripted(async (call) => {
        if (call.name === 'link') await writeFile(target, 'theirs\n');
      });
      const error = await refusal(writeFilesAtomically([{ file: target, bytes: bytes('ours\n') }], fs));
      assert.match(error.message, /^Nothing was written: EEXIST.*; every file is as it was\.$/);
      assert.deepEqual(error.notRestored, []);
      assert.equal(await text(target), 'theirs\n');
      assert.deepEqual(await readdir(dir), ['streaming.py'], 'the temp file is removed');
    }));

  // Kills: the inspect() check of the no-hard-links fallback removed or inverted (`!== undefined`).
  it('without hard links, checks that nothing appeared before renaming a created file into place', () =>
    withTempDir('atomic-appeared-nolinks', async (dir) => {
      const target = path.join(dir, 'streaming.py');
      const fs = scripted(async (call) => {
        if (call.name === 'link') {
          await writeFile(target, 'theirs\n');
          throw failure('EPERM', 'operation not permitted, link');
        }
      });
      const error = await refusal(writeFilesAtomically([{ file: target, bytes: bytes('ours\n') }], fs));
      assert.match(error.message, /^Nothing was written: EEXIST: .*streaming\.py appeared meanwhile; every file is as it was\.$/);
      assert.equal(await text(target), 'theirs\n');
      assert.deepEqual(await readdir(dir), ['streaming.py']);
    }));

  // Kills: each string literal of linksUnsupported() ('EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS') emptied, and
  // its `||` chain turned into `&&`.
  for (const code of ['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']) {
    it(`treats ${code} from link() as "no hard links": backs up by copy, creates by rename`, () =>
      withTempDir('atomic-nolinks', async (dir) => {
        const existing = path.join(dir, 'main.py');
        const created = path.join(dir, 'streaming.py');
        await writeFile(existing, 'old\n');
        const fs = scripted((call) => {
          if (call.name === 'link') throw failure(code);
        });
        await writeFilesAtomically([await replaced(existing), { file: created, bytes: bytes('module\n') }], fs);
        assert.equal(await text(existing), 'new\n');
        assert.equal(await text(created), 'module\n');
        assert.deepEqual((await readdir(dir)).sort(), ['main.py', 'streaming.py']);
      }));
  }

  // Kills: linksUnsupported() always true (the fallback taken for any link error), and the
  // `write.replaces?.bytes === undefined` guard removed.
  it('a link() that fails for another reason, or a backup with no bytes to copy, writes nothing', () =>
    withTempDir('atomic-link-fails', async (dir) => {
      const existing = path.join(dir, 'main.py');
      await writeFile(existing, 'old\n');
      const otherError = scripted((call) => {
        if (call.name === 'link') throw failure('EXDEV', 'cross-device link');
      });
      const first = await refusal(writeFilesAtomically([await replaced(existing)], otherError));
      assert.match(first.message, /^Nothing was written: EXDEV: cross-device link\.$/);
      const noBytes = scripted((call) => {
        if (call.name === 'link') throw failure('EPERM');
      });
      const second = await refusal(writeFilesAtomically([{ file: existing, bytes: bytes('new\n'), replaces: { mode: 0o644, uid: 0, gid: 0 } }], noBytes));
      assert.match(second.message, /^Nothing was written: EPERM: EPERM\.$/);
      assert.equal(await text(existing), 'old\n');
      assert.deepEqual(await readdir(dir), ['main.py']);
      // A created file whose link fails for another reason is not renamed into place either.
      const created = path.join(dir, 'streaming.py');
      const third = await refusal(writeFilesAtomically([{ file: created, bytes: bytes('module\n') }], otherError));
      assert.match(third.message, /^Nothing was written: EXDEV: cross-device link; every file is as it was\.$/);
      assert.deepEqual(await readdir(dir), ['main.py']);
    }));

  // Kills: the whole undo-failure branch (notRestored.push, the kept backup, the "could not be fully undone"
  // message) which no other test runs, and the reverse() of the undo order.
  it('says which files could not be put back, and keeps the backup that is the only copy of the old bytes', () =>
    withTempDir('atomic-undo-fails', async (dir) => {
      const first = path.join(dir, 'a.py');
      const created = path.join(dir, 'b.py');
      const last = path.join(dir, 'c.py');
      await writeFile(first, 'old a\n');
      await writeFile(last, 'old c\n');
      let switching = false;
      const fs = scripted((call) => {
        const [from, to] = call.args as [string, string];
        if (call.name === 'rename' && to === last) {
          switching = true;
          throw failure('EIO', 'i/o error, rename');
        }
        // The undo: putting a.py back and removing b.py fail too.
        if (switching && call.name === 'rename' && to === first) throw failure('EIO', `cannot restore ${path.basename(from)}`);
        if (switching && call.name === 'deleteFile' && call.args[0] === created) throw failure('EACCES', 'cannot remove');
      });
      const error = await refusal(writeFilesAtomically([await replaced(first), { file: created, bytes: bytes('created\n') }, await replaced(last)], fs));
      const backup = /^(.+) \(its previous content is in (.+)\)$/.exec(error.notRestored[1] ?? '');
      assert.deepEqual(error.notRestored[0], created, 'undone in reverse order: the created file first');
      assert.ok(backup, error.notRestored.join(' | '));
      assert.equal(backup[1], first);
      assert.match(path.basename(backup[2]!), /^\.a\.py\.catalyst-\d+-[a-z0-9]+\.bak$/);
      assert.equal(await text(backup[2]!), 'old a\n', 'the backup is kept');
      assert.equal(
        error.message,
        `Writing failed (EIO: i/o error, rename) and could not be fully undone: ${created}, ${first} (its previous content is in ${backup[2]}).`,
      );
      assert.equal(await text(first), 'new\n');
      assert.equal(await text(last), 'old c\n', 'the failed target is untouched');
      const left = (await readdir(dir)).sort();
      assert.deepEqual(left, [path.basename(backup[2]!), 'a.py', 'b.py', 'c.py'].sort(), 'temp files and c.py\u2019s backup removed');
    }));

  // Kills: `leftovers.delete(step.backup)` after a successful undo removed (the backup would be kept), and
  // `removeLeftovers` emptied after the switch (temp and backup files left behind).
  it('after a successful undo or a complete write, no temp or backup file is left', () =>
    withTempDir('atomic-leftovers', async (dir) => {
      const first = path.join(dir, 'a.py');
      const last = path.join(dir, 'c.py');
      await writeFile(first, 'old a\n');
      await writeFile(last, 'old c\n');
      const failing = scripted((call) => {
        if (call.name === 'rename' && call.args[1] === last) throw failure('EIO');
      });
      const error = await refusal(writeFilesAtomically([await replaced(first), await replaced(last)], failing));
      assert.match(error.message, /^Nothing was written: EIO: EIO; every file is as it was\.$/);
      assert.deepEqual((await readdir(dir)).sort(), ['a.py', 'c.py']);
      assert.equal(await text(first), 'old a\n');
      const fs = scripted();
      await writeFilesAtomically([await replaced(first), await replaced(last)], fs);
      assert.deepEqual((await readdir(dir)).sort(), ['a.py', 'c.py']);
      assert.deepEqual(
        fs.calls.filter((call) => call.name === 'syncDirectory').map((call) => call.args[0]),
        [dir],
        'each folder synced once',
      );
    }));

  // Kills: the `.catch(() => undefined)` on syncDirectory removed, and message() turned into `error.message`
  // for a thrown non-Error.
  it('a failed folder sync does not fail the write; a non-Error failure is reported as text', () =>
    withTempDir('atomic-sync', async (dir) => {
      const target = path.join(dir, 'new.py');
      const noSync = scripted((call) => {
        if (call.name === 'syncDirectory') throw failure('EINVAL');
      });
      await writeFilesAtomically([{ file: target, bytes: bytes('x\n') }], noSync);
      assert.equal(await text(target), 'x\n');
      const odd = scripted((call) => {
        if (call.name === 'writeNewFile') throw 'disk on fire';
      });
      const error = await refusal(writeFilesAtomically([{ file: path.join(dir, 'other.py'), bytes: bytes('y\n') }], odd));
      assert.equal(error.message, 'Nothing was written: disk on fire.');
      assert.equal(error.name, 'AtomicWriteError');
      assert.deepEqual(error.notRestored, []);
      // Kills: `(error as ErrnoException | undefined)?.code` without the `?.` (a rejection without a reason).
      const noReason = scripted((call) => (call.name === 'link' ? Promise.reject(undefined) : undefined));
      await writeFile(target, 'x\n');
      const silent = await refusal(writeFilesAtomically([{ file: target, bytes: bytes('y\n'), replaces: { mode: 0o644, uid: 0, gid: 0 } }], noReason));
      assert.equal(silent.message, 'Nothing was written: undefined.');
      // Kills: the temp file's suffix ('tmp') emptied: it is a hidden sibling named after its target.
      const log = scripted();
      await writeFilesAtomically([{ file: target, bytes: bytes('z\n'), replaces: { mode: 0o644, uid: 0, gid: 0 } }], log);
      const temp = log.calls.find((call) => call.name === 'writeNewFile')!.args[0] as string;
      assert.match(path.basename(temp), /^\.new\.py\.catalyst-\d+-[a-z0-9]{1,6}\.tmp$/);
      assert.equal(path.dirname(temp), dir);
    }));
});
