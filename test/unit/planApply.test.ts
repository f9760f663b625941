import assert from 'node:assert/strict';
import path from 'node:path';
import type { FileChange } from '../../src/core/plan/addEndpoint';
import { applyChanges, ApplyError } from '../../src/core/workspace/applyChanges';
import type { DirectoryEntry, FileSystem } from '../../src/core/workspace/fileSystem';
import { readPythonFiles } from '../../src/core/workspace/readWorkspace';

/** An in-memory file system: the seam's contract, with a switch to make one write fail. */
class MemoryFileSystem implements FileSystem {
  readonly files = new Map<string, string>();
  readonly readOnly = new Set<string>();
  failWritesTo?: string;

  constructor(files: Record<string, string>, readonly dirs: readonly string[] = ['/ws']) {
    for (const [file, text] of Object.entries(files)) {
      this.files.set(file, text);
    }
  }

  async readFile(file: string): Promise<string> {
    const text = this.files.get(file);
    if (text === undefined) {
      throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
    }
    return text;
  }

  async writeFile(file: string, text: string): Promise<void> {
    if (file === this.failWritesTo) {
      throw new Error('ENOSPC: no space left on device');
    }
    this.files.set(file, text);
  }

  async deleteFile(file: string): Promise<void> {
    this.files.delete(file);
  }

  async readDirectory(dir: string): Promise<DirectoryEntry[]> {
    const names = new Map<string, DirectoryEntry['kind']>();
    for (const file of this.files.keys()) {
      if (file.startsWith(`${dir}/`)) {
        const [first, ...rest] = file.slice(dir.length + 1).split('/');
        names.set(first!, rest.length > 0 ? 'directory' : 'file');
      }
    }
    return [...names].map(([name, kind]) => ({ name, kind }));
  }

  async writability(file: string): Promise<'writable' | 'read-only' | 'missing'> {
    if (this.readOnly.has(file)) {
      return 'read-only';
    }
    return this.files.has(file) || this.dirs.includes(file) ? 'writable' : 'missing';
  }
}

const change = (file: string, before: string | undefined, after: string): FileChange => ({
  path: file,
  kind: before === undefined ? 'create' : 'modify',
  ...(before === undefined ? {} : { before }),
  after,
  edits: [],
  description: '',
});

describe('applyChanges', () => {
  it('writes every change when every target can be written', async () => {
    const fs = new MemoryFileSystem({ '/ws/main.py': 'old' });
    await applyChanges('/ws', [change('streaming.py', undefined, 'module'), change('main.py', 'old', 'new')], fs);
    assert.deepEqual(Object.fromEntries(fs.files), { '/ws/main.py': 'new', '/ws/streaming.py': 'module' });
  });

  it('writes nothing when any target is read-only, changed since it was read, missing, or in the way', async () => {
    const cases: Array<[(fs: MemoryFileSystem) => void, FileChange[], RegExp]> = [
      [(fs) => fs.readOnly.add('/ws/main.py'), [change('streaming.py', undefined, 'm'), change('main.py', 'old', 'new')], /main\.py is read-only/],
      [(fs) => fs.files.set('/ws/main.py', 'edited meanwhile'), [change('streaming.py', undefined, 'm'), change('main.py', 'old', 'new')], /main\.py changed since it was read/],
      [(fs) => fs.files.delete('/ws/main.py'), [change('main.py', 'old', 'new')], /main\.py no longer exists/],
      [(fs) => fs.files.set('/ws/streaming.py', 'mine'), [change('streaming.py', undefined, 'm')], /streaming\.py already exists/],
      [() => undefined, [change('pkg/streaming.py', undefined, 'm')], /cannot create pkg\/streaming\.py: its folder is missing or read-only/],
    ];
    for (const [arrange, changes, message] of cases) {
      const fs = new MemoryFileSystem({ '/ws/main.py': 'old' });
      arrange(fs);
      const before = new Map(fs.files);
      await assert.rejects(applyChanges('/ws', changes, fs), (error: Error) => error instanceof ApplyError && message.test(error.message) && /^Nothing was written/.test(error.message));
      assert.deepEqual(fs.files, before);
    }
  });

  it('puts back what it wrote when a later write fails', async () => {
    const fs = new MemoryFileSystem({ '/ws/main.py': 'old', '/ws/other.py': 'other' });
    fs.failWritesTo = '/ws/other.py';
    await assert.rejects(
      applyChanges('/ws', [change('streaming.py', undefined, 'module'), change('main.py', 'old', 'new'), change('other.py', 'other', 'changed')], fs),
      /Writing failed \(ENOSPC: no space left on device\); the files already written were restored\./,
    );
    assert.deepEqual(Object.fromEntries(fs.files), { '/ws/main.py': 'old', '/ws/other.py': 'other' });
  });
});

describe('readPythonFiles', () => {
  it('reads every .py file with workspace-relative POSIX paths, skipping environments and caches', async () => {
    const fs = new MemoryFileSystem({
      '/ws/main.py': 'a',
      '/ws/app/__init__.py': '',
      '/ws/app/routers/items.py': 'b',
      '/ws/.venv/lib/site.py': 'x',
      '/ws/app/__pycache__/main.py': 'x',
      '/ws/node_modules/pkg/x.py': 'x',
      '/ws/README.md': 'x',
    });
    const files = await readPythonFiles(path.posix.join('/ws'), fs);
    assert.deepEqual([...files.keys()].sort(), ['app/__init__.py', 'app/routers/items.py', 'main.py']);
  });
});
