/**
 * The workspace lock and the verification overlay on a real disk: a stale lock taken over, a busy one waited for
 * then refused with its owner, locks released in every case; an overlay that links what is untouched and writes
 * the changed files in their own encoding. Each test names the Stryker mutants it kills
 * (`npm run test:mutation -- workspace`).
 */
import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, readdir, readFile, readlink, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { applyChanges, ApplyError } from '../../src/core/workspace/applyChanges';
import {
  appendRequirement,
  declaresDependency,
  normalisePackageName,
  pyprojectDependencyNames,
  requirementName,
  requirementsFileNames,
} from '../../src/core/workspace/dependencies';
import { nodeFileSystem, type FileSystem } from '../../src/core/workspace/fileSystem';
import { LockBusyError, withLocks } from '../../src/core/workspace/lock';
import { createOverlay } from '../../src/core/workspace/overlay';
import { MAX_PYTHON_FILES, nodeProjectFiles, readPythonFiles, TooManyFilesError } from '../../src/core/workspace/projectFiles';
import { buildSingleByteCodec, codingCookie, decodeSource, encodeSource, EncodingError } from '../../src/core/workspace/sourceEncoding';
import { withTempDir } from '../support/tempdir';

/** A pid that is not running: the largest pid the kernel hands out is below 2^22. */
const DEAD_PID = 2 ** 22 + 12345;

describe('withLocks (mutation-tested)', () => {
  // Kills: the lock file's name (`catalyst-streaming-<sha1 prefix>.lock`), its content (`pid\nkey\n`), the
  // release in `finally` (held.reverse() / rm removed) and the de-duplication of keys (a key twice would wait on itself).
  it('holds one lock file per distinct key while the body runs, with its pid and key, and removes them after', () =>
    withTempDir('lock-held', async (folder) => {
      const seen = await withLocks(
        ['/w/b', '/w/a', '/w/b'],
        async () => {
          const names = (await readdir(folder)).sort();
          return { names, contents: await Promise.all(names.map((name) => readFile(path.join(folder, name), 'utf8'))) };
        },
        { folder, waitMs: 200 },
      );
      assert.equal(seen.names.length, 2);
      for (const name of seen.names) assert.match(name, /^catalyst-streaming-[0-9a-f]{16}\.lock$/);
      assert.deepEqual(seen.contents.sort(), [`${process.pid}\n/w/a\n`, `${process.pid}\n/w/b\n`]);
      assert.deepEqual(await readdir(folder), []);
      await assert.rejects(
        withLocks(['/w/a'], () => Promise.reject(new Error('body failed')), { folder }),
        /body failed/,
      );
      assert.deepEqual(await readdir(folder), [], 'released when the body fails too');
    }));

  // Kills: the keys' sort (`[...new Set(keys)]` unsorted): two runs taking the same locks in opposite orders
  // would each hold one and wait for the other until they time out.
  it('two runs wanting the same keys in opposite orders both finish', () =>
    withTempDir('lock-order', async (folder) => {
      const pause = () => new Promise((resolve) => setTimeout(resolve, 30));
      const ran = await Promise.all([
        withLocks(['/k/a', '/k/b'], async () => (await pause(), 'first'), { folder, waitMs: 3_000 }),
        withLocks(['/k/b', '/k/a'], async () => (await pause(), 'second'), { folder, waitMs: 3_000 }),
      ]);
      assert.deepEqual(ran, ['first', 'second']);
    }));

  // Kills: the stale-lock take-over (`Number.isInteger(owner) && !isAlive(owner)` replaced by `false`, isAlive
  // answering true), and `continue` after removing it.
  it('takes over a lock whose process is gone', () =>
    withTempDir('lock-stale', async (folder) => {
      const names: string[] = [];
      await withLocks(['/y'], async () => names.push(...(await readdir(folder))), { folder });
      await writeFile(path.join(folder, names[0]!), `${DEAD_PID}\n/y\n`);
      const started = Date.now();
      assert.equal(await withLocks(['/y'], async () => 'ran', { folder, waitMs: 5_000 }), 'ran');
      assert.ok(Date.now() - started < 2_000, 'without waiting for the deadline');
    }));

  // Kills: the deadline check (`Date.now() >= deadline` replaced by `false`: it would wait for ever, or by `true`),
  // the message's pid part, the EEXIST check, isAlive's `pid === process.pid`, and EPERM meaning "alive".
  it('refuses after waitMs when a live process holds the lock, naming it; waits while the lock is being written', () =>
    withTempDir('lock-busy', async (folder) => {
      const names: string[] = [];
      await withLocks(['/z'], async () => names.push(...(await readdir(folder))), { folder });
      const file = path.join(folder, names[0]!);
      // pid 1 (init) is alive and not ours: kill(1, 0) answers EPERM for a non-root user, success for root.
      await writeFile(file, '1\n/z\n');
      const started = Date.now();
      await assert.rejects(
        withLocks(['/z'], async () => undefined, { folder, waitMs: 100 }),
        (error: Error) => {
          assert.ok(error instanceof LockBusyError);
          assert.equal(error.name, 'LockBusyError');
          assert.equal(error.message, 'another Catalyst run (pid 1) is writing to /z; try again when it has finished');
          return true;
        },
      );
      assert.ok(Date.now() - started >= 100, 'it waited');
      await writeFile(file, `${process.pid}\n/z\n`);
      await assert.rejects(
        withLocks(['/z'], async () => undefined, { folder, waitMs: 50 }),
        /\(pid \d+\) is writing to \/z/,
      );
      await writeFile(file, '');
      await assert.rejects(
        withLocks(['/z'], async () => undefined, { folder, waitMs: 50 }),
        {
          message: 'another Catalyst run is writing to /z; try again when it has finished',
        },
      );
      await assert.rejects(
        withLocks(['/z'], async () => undefined, { folder: path.join(folder, 'missing'), waitMs: 50 }),
        { code: 'ENOENT' },
      );
    }));
});

describe('createOverlay (mutation-tested)', () => {
  // Kills: the whole of overlay.ts, which only the integration tests ran: links for untouched files and folders
  // (with their kind), real folders on the way to a change, changed files in their own encoding, new files in
  // UTF-8, and dispose().
  it('links what is untouched, writes changed files in their own encoding, and leaves the workspace alone', () =>
    withTempDir('overlay', async (root) => {
      await mkdir(path.join(root, 'app', 'static'), { recursive: true });
      await writeFile(path.join(root, 'settings.toml'), 'x = 1\n');
      await writeFile(path.join(root, 'app', 'main.py'), Buffer.from('# -*- coding: latin-1 -*-\nname = "\u00e9"\n', 'latin1'));
      await writeFile(path.join(root, 'app', 'other.py'), 'other\n');
      const overlay = await createOverlay(root, [
        { path: 'app/main.py', after: '# -*- coding: latin-1 -*-\nname = "\u00fc"\n' },
        { path: 'app/new.py', after: 'caf\u00e9\n' },
        { path: 'pkg/deep/mod.py', after: 'deep\n' },
      ]);
      const at = (relative: string) => path.join(overlay.dir, relative);
      assert.match(path.basename(overlay.dir), /^catalyst-verify-/);
      try {
        assert.deepEqual((await readdir(overlay.dir)).sort(), ['app', 'pkg', 'settings.toml']);
        assert.ok((await lstat(at('settings.toml'))).isSymbolicLink());
        assert.equal(await readlink(at('settings.toml')), path.join(root, 'settings.toml'));
        assert.ok((await lstat(at('app'))).isDirectory(), 'a real folder on the way to a change');
        assert.deepEqual((await readdir(at('app'))).sort(), ['main.py', 'new.py', 'other.py', 'static']);
        assert.ok((await lstat(at('app/static'))).isSymbolicLink());
        assert.equal(await readlink(at('app/static')), path.join(root, 'app', 'static'));
        assert.ok((await lstat(at('app/other.py'))).isSymbolicLink());
        assert.ok((await lstat(at('app/main.py'))).isFile());
        assert.deepEqual(await readFile(at('app/main.py')), Buffer.from('# -*- coding: latin-1 -*-\nname = "\u00fc"\n', 'latin1'));
        assert.equal(await readFile(at('app/new.py'), 'utf8'), 'caf\u00e9\n');
        assert.equal(await readFile(at('pkg/deep/mod.py'), 'utf8'), 'deep\n');
        assert.deepEqual((await readdir(root)).sort(), ['app', 'settings.toml'], 'nothing written into the workspace');
        assert.deepEqual((await readdir(path.join(root, 'app'))).sort(), ['main.py', 'other.py', 'static']);
      } finally {
        await overlay.dispose();
      }
      await assert.rejects(lstat(overlay.dir), { code: 'ENOENT' });
      // A change the file's encoding cannot hold fails, and leaves no overlay folder behind.
      await assert.rejects(createOverlay(root, [{ path: 'app/main.py', after: '\u20ac\n' }]), /cannot represent/);
    }));
});

describe('nodeFileSystem (mutation-tested)', () => {
  // Kills: inspect()'s kind mapping (symlink / file / directory / other), `mode & 0o7777`, and the ENOENT /
  // ENOTDIR answers (undefined) as against other errors (rethrown).
  it('inspect: what is at a path, without following links', () =>
    withTempDir('fs-inspect', async (dir) => {
      await writeFile(path.join(dir, 'f.py'), 'x');
      await chmod(path.join(dir, 'f.py'), 0o640);
      await mkdir(path.join(dir, 'd'));
      await symlink(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
      const kind = async (name: string) => (await nodeFileSystem.inspect(path.join(dir, name)))?.kind;
      assert.deepEqual(await Promise.all(['f.py', 'd', 'dangling', 'missing', 'f.py/x'].map(kind)), ['file', 'directory', 'symlink', undefined, undefined]);
      assert.equal((await nodeFileSystem.inspect('/dev/null'))?.kind, 'other');
      const info = (await nodeFileSystem.inspect(path.join(dir, 'f.py')))!;
      assert.deepEqual(info, { kind: 'file', mode: 0o640, uid: process.getuid!(), gid: process.getgid!() });
      await assert.rejects(nodeFileSystem.inspect(path.join(dir, 'x'.repeat(300))), { code: 'ENAMETOOLONG' });
      assert.deepEqual(
        (await nodeFileSystem.readDirectory(dir)).sort((a, b) => a.name.localeCompare(b.name)),
        [
          { name: 'd', kind: 'directory' },
          { name: 'dangling', kind: 'other' },
          { name: 'f.py', kind: 'file' },
        ],
      );
    }));

  // Kills: writability's `(mode & 0o222) === 0` (a file without write bits is read-only, even for root), the
  // ENOENT answer 'missing', and other errors rethrown.
  it('writability: missing, read-only without write bits, writable', () =>
    withTempDir('fs-writability', async (dir) => {
      const file = path.join(dir, 'f.py');
      assert.equal(await nodeFileSystem.writability(file), 'missing');
      await writeFile(file, 'x');
      await chmod(file, 0o644);
      assert.equal(await nodeFileSystem.writability(file), 'writable');
      await chmod(file, 0o444);
      assert.equal(await nodeFileSystem.writability(file), 'read-only');
      await chmod(file, 0o200);
      assert.equal(await nodeFileSystem.writability(file), 'writable', 'one write bit is enough');
      await assert.rejects(nodeFileSystem.writability(path.join(file, 'x')), { code: 'ENOTDIR' });
    }));

  // Kills: writeNewFile's default mode (0o666 less the umask), its exact chmod, the chown as root (each side of
  // `getuid() === 0 && uid !== undefined && gid !== undefined`), the clean-up on failure; 'wx' (never clobbers).
  it('writeNewFile: exact mode and owner, never over an existing file, nothing left on failure', () =>
    withTempDir('fs-write', async (dir) => {
      // Kills: the chmod after open() removed (the umask would take the group and other write bits).
      const umaskBefore = process.umask(0o022);
      try {
        await nodeFileSystem.writeNewFile(path.join(dir, 'default.py'), Buffer.from('a'), {});
        await nodeFileSystem.writeNewFile(path.join(dir, 'exact.py'), Buffer.from('b'), { mode: 0o666 });
      } finally {
        process.umask(umaskBefore);
      }
      assert.equal((await stat(path.join(dir, 'default.py'))).mode & 0o7777, 0o644);
      assert.equal((await stat(path.join(dir, 'exact.py'))).mode & 0o7777, 0o666);
      await assert.rejects(nodeFileSystem.writeNewFile(path.join(dir, 'exact.py'), Buffer.from('c'), {}), { code: 'EEXIST' });
      assert.equal(await readFile(path.join(dir, 'exact.py'), 'utf8'), 'b');
      if (process.getuid?.() === 0) {
        await nodeFileSystem.writeNewFile(path.join(dir, 'owned.py'), Buffer.from('d'), { uid: 1234, gid: 5678 });
        const owned = await stat(path.join(dir, 'owned.py'));
        assert.deepEqual([owned.uid, owned.gid], [1234, 5678]);
        await nodeFileSystem.writeNewFile(path.join(dir, 'half.py'), Buffer.from('e'), { uid: 1234 });
        assert.deepEqual([(await stat(path.join(dir, 'half.py'))).uid], [0], 'no owner change without both ids');
        await nodeFileSystem.writeNewFile(path.join(dir, 'half2.py'), Buffer.from('e'), { gid: 5678 });
        assert.deepEqual([(await stat(path.join(dir, 'half2.py'))).gid], [0]);
      }
      await assert.rejects(nodeFileSystem.writeNewFile(path.join(dir, 'broken.py'), 42 as unknown as Uint8Array, {}));
      assert.equal(await nodeFileSystem.inspect(path.join(dir, 'broken.py')), undefined, 'a failed write leaves nothing');
    }));

  // Kills: syncDirectory's body and its close in `finally`, deleteFile's `force`, link's refusal to clobber.
  it('syncDirectory, deleteFile, link, rename, realPath, readLink', () =>
    withTempDir('fs-misc', async (dir) => {
      await nodeFileSystem.syncDirectory(dir);
      await assert.rejects(nodeFileSystem.syncDirectory(path.join(dir, 'missing')), { code: 'ENOENT' });
      await nodeFileSystem.deleteFile(path.join(dir, 'missing'));
      await writeFile(path.join(dir, 'a'), 'a');
      await writeFile(path.join(dir, 'b'), 'b');
      await assert.rejects(nodeFileSystem.link(path.join(dir, 'a'), path.join(dir, 'b')), { code: 'EEXIST' });
      await nodeFileSystem.rename(path.join(dir, 'a'), path.join(dir, 'b'));
      assert.equal(await readFile(path.join(dir, 'b'), 'utf8'), 'a');
      await symlink('b', path.join(dir, 'l'));
      assert.equal(await nodeFileSystem.readLink(path.join(dir, 'l')), 'b');
      assert.equal(await nodeFileSystem.realPath(path.join(dir, 'l')), await realpath(path.join(dir, 'b')));
      assert.deepEqual([...(await nodeFileSystem.readFile(path.join(dir, 'l')))], [...Buffer.from('a')]);
    }));
});

describe('sourceEncoding edges (mutation-tested)', () => {
  const latin1 = (text: string) => Buffer.from(text, 'latin1');

  // Kills: startsWithBom's `&&` chain (one or two BOM bytes taken for a BOM), the cookie search's bounds
  // (`start < bytes.length`, a last line without a newline), and the line-2 rule's regex (`^`, `*`, the comment group).
  it('codingCookie: a whole BOM only, the last line without a newline, line 2 only after a comment or blank line', () => {
    assert.equal(codingCookie(Buffer.concat([Buffer.from([0xef, 0xbb]), latin1('# coding: latin-1\n')])), undefined, 'two BOM bytes are not a BOM');
    assert.equal(codingCookie(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), latin1('# coding: latin-1\n')])), 'latin-1');
    assert.equal(codingCookie(latin1('\n# coding: cp1252')), 'cp1252', 'line 2 without a newline');
    assert.equal(codingCookie(latin1('  \t# comment\r\n# coding: cp1252\n')), 'cp1252');
    assert.equal(codingCookie(latin1('x # comment\n# coding: cp1252\n')), undefined, 'code before a comment on line 1');
    assert.equal(codingCookie(latin1('')), undefined);
    assert.equal(codingCookie(latin1('#\n')), undefined);
  });

  // Kills: startsWithBom's `&&` chain turned into `||` or any of its three comparisons into `true`, and
  // tryDecode's `ignoreBOM: true` (a second BOM is text, kept).
  it('decodeSource: only the three BOM bytes together are a BOM; a second BOM stays in the text', () => {
    for (const start of [
      [0x41, 0xbb, 0xbf],
      [0xef, 0x41, 0xbf],
      [0xef, 0xbb, 0x41],
      [0x41, 0x42, 0xbf],
      [0xef, 0x41, 0x42],
    ]) {
      const decoded = decodeSource(Buffer.from([...start, 0x0a]));
      assert.equal(decoded.encoding.bom, false, start.join(','));
      assert.equal(decoded.text.length, 4, start.join(','));
    }
    assert.deepEqual(decodeSource(Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x41])), { text: '\ufeffA', encoding: { name: 'utf-8', bom: true } });
  });

  // Kills: decodeSource's flags and reasons: `bom` kept on UTF-8 files, `bom: false` on single-byte ones, the
  // undeclared non-UTF-8 reason, a single-byte file that does not match its cookie, and EncodingError's name.
  it('decodeSource and encodeSource: each encoding and reason exactly', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), latin1('# coding: utf-8\nx = 1\n')]);
    assert.deepEqual(decodeSource(bom), { text: '# coding: utf-8\nx = 1\n', encoding: { name: 'utf-8', bom: true } });
    assert.deepEqual(decodeSource(latin1('x = "\u00e9"\n')).encoding, {
      name: 'utf-8',
      bom: false,
      notWritable: 'it is not valid UTF-8 and declares no other encoding (PEP 263 coding cookie)',
    });
    assert.deepEqual(decodeSource(latin1('# coding: ascii\nx = "\u00e9"\n')), {
      text: '# coding: ascii\nx = "\u00e9"\n',
      encoding: { name: 'ascii', bom: false, notWritable: 'it is not valid ascii as it declares' },
    });
    assert.deepEqual(decodeSource(latin1('# coding: latin-1\nx = "\u00e9"\n')).encoding, { name: 'latin-1', bom: false });
    assert.deepEqual(decodeSource(latin1('# coding: utf-16\nx\n')).encoding, {
      name: 'utf-16',
      bom: false,
      notWritable: 'its declared encoding utf-16 is unknown or does not match its bytes',
    });
    assert.deepEqual(decodeSource(latin1('# coding: euc-kr\nx\n')).encoding, {
      name: 'euc-kr',
      bom: false,
      notWritable: 'Catalyst can write UTF-8 and single-byte encodings, not euc-kr',
    });
    const error = (() => {
      try {
        encodeSource('x = "\u20ac"\n', { name: 'latin-1', bom: false }, 'main.py');
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    assert.ok(error instanceof EncodingError);
    assert.equal(error.name, 'EncodingError');
    assert.equal(error.message, 'main.py: its encoding latin-1 cannot represent "\u20ac" (U+20AC)');
    assert.throws(() => encodeSource('x', { name: 'klingon', bom: false }), { message: 'the file: its encoding klingon cannot represent the new text' });
    assert.deepEqual([...encodeSource('\u00e9', { name: 'utf-8', bom: true })], [0xef, 0xbb, 0xbf, 0xc3, 0xa9]);
    assert.deepEqual([...encodeSource('\u00e9', { name: 'utf8', bom: false })], [0xc3, 0xa9]);
  });

  // Kills: buildSingleByteCodec's tables (ASCII below 0x80 only, Latin-1 all 256, windows-1252's five holes and
  // its 0x80-0x9F characters), the ASCII-identity check, the refusal of UTF-8 and of each multi-byte encoding,
  // and the codec's decode/encode loops.
  it('buildSingleByteCodec: single-byte encodings only, each byte exactly', () => {
    const all = Uint8Array.from({ length: 256 }, (_, b) => b);
    const ascii = buildSingleByteCodec('ascii')!;
    assert.equal(ascii.decode(all.subarray(0, 0x80)), String.fromCharCode(...all.subarray(0, 0x80)));
    assert.equal(ascii.decode(Uint8Array.of(0x41, 0x80)), undefined);
    assert.deepEqual([...ascii.encode('Az')!], [0x41, 0x7a]);
    assert.equal(ascii.encode('A\u00e9'), undefined);
    const latin = buildSingleByteCodec('latin-1')!;
    assert.equal(latin.decode(all), String.fromCharCode(...all));
    assert.deepEqual([...latin.encode(String.fromCharCode(...all))!], [...all]);
    assert.equal(latin.encode('\u0100'), undefined, 'no 257th byte');
    // A byte the encoding leaves undefined (ISO-8859-3 0xA5) is not a character: `fatal: true` and the
    // `ch !== undefined` check.
    assert.equal(buildSingleByteCodec('iso-8859-3')!.decode(Uint8Array.of(0xa5)), undefined);
    assert.equal(buildSingleByteCodec('iso-8859-3')!.decode(Uint8Array.of(0xa6)), '\u0124');
    const cp1252 = buildSingleByteCodec('cp1252')!;
    assert.equal(cp1252.decode(Uint8Array.of(0x80, 0x9f, 0x41, 0xe9)), '\u20ac\u0178A\u00e9');
    for (const hole of [0x81, 0x8d, 0x8f, 0x90, 0x9d]) assert.equal(cp1252.decode(Uint8Array.of(hole)), undefined, hole.toString(16));
    assert.deepEqual([...cp1252.encode('\u20ac\u2122')!], [0x80, 0x99]);
    assert.equal(cp1252.encode('\u0080'), undefined, 'C1 controls are not windows-1252');
    const koi8 = buildSingleByteCodec('koi8-r')!;
    assert.equal(koi8.decode(Uint8Array.of(0xc1, 0x41, 0x80)), '\u0430A\u2500', 'windows-1252 characters for windows-1252 only');
    assert.deepEqual([...koi8.encode('\u0430')!], [0xc1]);
    for (const name of [
      'utf-8',
      'unicode-1-1-utf-8',
      'shift_jis',
      'euc-jp',
      'iso-2022-jp',
      'gbk',
      'gb18030',
      'big5',
      'euc-kr',
      'utf-16le',
      'utf-16be',
      'klingon',
    ]) {
      assert.equal(buildSingleByteCodec(name), undefined, name);
    }
  });
});

describe('dependencies and readPythonFiles edges (mutation-tested)', () => {
  // Kills: normalisePackageName's `+` (runs of separators), requirementName's bounds, the comment regex's
  // `(^|\s)` and `$`, pip options skipped, and each pyproject table (optional, groups, Poetry, Poetry groups).
  it('reads dependency names from requirements files and each pyproject.toml table', () => {
    assert.equal(normalisePackageName('Or_.-Json'), 'or-json');
    assert.equal(requirementName('  orjson>=3.9 ; python_version > "3.8"'), 'orjson');
    assert.equal(requirementName('>=1'), undefined);
    assert.equal(requirementName('a'), 'a');
    assert.deepEqual(requirementsFileNames('# top\r\norjson  # fast\r-r base.txt\n--index-url x\nfoo#bar\n\nuvicorn[standard]==0.30\n'), [
      'orjson',
      'foo',
      'uvicorn',
    ]);
    const pyproject = [
      '[project]',
      'dependencies = ["fastapi>=0.100", 7, ">=1"]',
      '[project.optional-dependencies]',
      'fast = ["orjson"]',
      'bad = "not a list"',
      '[dependency-groups]',
      'dev = ["pytest"]',
      '[tool.poetry.dependencies]',
      'python = "^3.9"',
      '[tool.poetry.group.test.dependencies]',
      'httpx = "*"',
      '[tool.poetry.group.odd]',
      'dependencies = ["not", "a", "table"]',
    ].join('\n');
    assert.deepEqual(pyprojectDependencyNames(pyproject), ['fastapi', 'orjson', 'pytest', 'python', 'httpx']);
    assert.deepEqual(pyprojectDependencyNames('project = 1\ntool = []\n'), []);
    // Kills: table()'s `typeof value === 'object'` check and `table(group)?.dependencies` without the `?.`.
    assert.deepEqual(pyprojectDependencyNames('[tool.poetry]\ndependencies = "abc"\n[tool.poetry.group]\nodd = 1\n'), []);
    const files = (requirements: Record<string, string>, text?: string) => ({
      requirements: new Map(Object.entries(requirements)),
      ...(text === undefined ? {} : { pyproject: text }),
    });
    assert.equal(declaresDependency(files({ 'requirements.txt': 'ORJSON==3\n' }), 'orjson'), true);
    assert.equal(declaresDependency(files({}, pyproject), 'Or_Json'), false);
    assert.equal(declaresDependency(files({}, pyproject), 'HTTPX'), true);
    assert.equal(declaresDependency(files({}, '[project\n'), 'httpx'), false, 'invalid TOML declares nothing');
    assert.equal(appendRequirement('', 'orjson'), 'orjson\n');
    assert.equal(appendRequirement('a\r\nb', 'orjson'), 'a\r\nb\r\norjson\r\n');
    assert.equal(appendRequirement('a\n', 'orjson'), 'a\norjson\n');
  });

  // Kills: the sorted walk (its comparator), the `.egg-info` and SKIPPED_FOLDERS checks, `.py` files only, and the
  // MAX_PYTHON_FILES bound (`>=`, exactly MAX_PYTHON_FILES files allowed) with TooManyFilesError's message.
  it('readPythonFiles: sorted, skipping environments and egg-info, at most MAX_PYTHON_FILES files', async () => {
    const tree: Record<string, Record<string, 'file' | 'directory' | 'other'>> = {
      '/w': {
        'link.py': 'other',
        'b.py': 'file',
        'a.py': 'file',
        'c.txt': 'file',
        pkg: 'directory',
        '.venv': 'directory',
        'x.egg-info': 'directory',
        'd.py': 'directory',
      },
      '/w/pkg': { 'z.py': 'file', 'm.py': 'file' },
      '/w/.venv': { 'skip.py': 'file' },
      '/w/x.egg-info': { 'skip.py': 'file' },
      '/w/d.py': {},
    };
    const fake = (dirs: typeof tree): FileSystem =>
      ({
        readDirectory: async (dir: string) => Object.entries(dirs[dir] ?? {}).map(([name, kind]) => ({ name, kind })),
        readFile: async (file: string) => Buffer.from(`# ${file}\n`),
      }) as unknown as FileSystem;
    const files = await readPythonFiles(nodeProjectFiles('/w', fake(tree)));
    assert.deepEqual([...files.keys()], ['a.py', 'b.py', 'pkg/m.py', 'pkg/z.py']);
    assert.equal(files.get('pkg/m.py'), '# /w/pkg/m.py\n');
    const many = (n: number) => ({ '/m': Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}.py`, 'file' as const])) });
    assert.equal((await readPythonFiles(nodeProjectFiles('/m', fake(many(MAX_PYTHON_FILES))))).size, MAX_PYTHON_FILES);
    await assert.rejects(readPythonFiles(nodeProjectFiles('/m', fake(many(MAX_PYTHON_FILES + 1)))), (error: Error) => {
      assert.ok(error instanceof TooManyFilesError);
      assert.equal(error.name, 'TooManyFilesError');
      assert.equal(
        error.message,
        `/m has more than ${MAX_PYTHON_FILES} Python files, so it looks like more than one project; point --workspace at the project folder`,
      );
      return true;
    });
  });
});

describe('applyChanges refusals (mutation-tested)', () => {
  type FileChange = Parameters<typeof applyChanges>[1][number];
  const create = (file: string, after: string): FileChange => ({ path: file, kind: 'create', after, edits: [], description: '' });
  const modify = (file: string, before: string, after: string): FileChange => ({ path: file, kind: 'modify', before, after, edits: [], description: '' });

  // Kills: ApplyError's name, the "Nothing was written: ..." message, the created file's folder check (its
  // nearest existing folder's `writability !== 'writable'`, never run before), and "no longer exists" (`state === 'missing'`).
  it('refuses a file in a missing or read-only folder, and a modified file that is gone, with exact messages', () =>
    withTempDir('apply-refusals', async (root) => {
      await mkdir(path.join(root, 'locked'));
      await chmod(path.join(root, 'locked'), 0o555);
      const refused = async (changes: FileChange[]) => {
        const error = await applyChanges(root, changes, nodeFileSystem).then(
          () => assert.fail('expected a refusal'),
          (e: unknown) => e as Error,
        );
        assert.ok(error instanceof ApplyError);
        assert.equal(error.name, 'ApplyError');
        return error.message;
      };
      // A missing folder is made now (a new package's folders), so only a read-only nearest folder refuses a new file.
      assert.equal(await refused([create('locked/x.py', 'x\n')]), 'Nothing was written: cannot create locked/x.py: its folder is missing or read-only.');
      assert.equal(
        await refused([create('missing/x.py', 'x\n'), create('locked/new/y.py', 'y\n')]),
        'Nothing was written: cannot create locked/new/y.py: its folder is missing or read-only.',
      );
      assert.equal(await refused([modify('gone.py', 'old\n', 'new\n')]), 'Nothing was written: gone.py no longer exists.');
      assert.deepEqual(await readdir(root), ['locked'], 'nothing written, no folder made');
      // Kills: the `'; '` joining several problems.
      assert.equal(
        await refused([create('locked/x.py', 'x\n'), create('locked/y.py', 'y\n')]),
        'Nothing was written: cannot create locked/x.py: its folder is missing or read-only; cannot create locked/y.py: its folder is missing or read-only.',
      );
      assert.equal(
        await refused([modify('gone.py', 'old\n', 'new\n'), modify('gone2.py', 'old\n', 'new\n')]),
        'Nothing was written: gone.py no longer exists; gone2.py no longer exists.',
      );
      // Kills: requirementsFileNames' `name !== undefined` filter (a line that names nothing).
      assert.deepEqual(requirementsFileNames('>=1\norjson\n'), ['orjson']);
    }));
});
