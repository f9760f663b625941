/**
 * The workspace as it would be after a set of changes, without touching it: a temporary folder where every
 * file and folder the changes do not touch is a symbolic link to the real one, and the changed files are
 * written in their own encoding. Python run there imports the changed modules and finds everything else
 * (settings files, static folders, other packages) where the project keeps them.
 *
 *   const overlay = await createOverlay(root, [{ path: 'app/main.py', after: '...' }])
 *   ... run python with cwd overlay.dir ...
 *   await overlay.dispose()
 *
 * Nothing is written into the workspace; Python must run with PYTHONDONTWRITEBYTECODE=1, since a bytecode
 * cache next to a linked module would be written through the link's folder.
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeSource, encodeSource, UTF8 } from './sourceEncoding';

export interface OverlayChange {
  /** Workspace-relative, `/`-separated. */
  readonly path: string;
  readonly after: string;
}

export interface Overlay {
  /** The overlay's root: the workspace folder as it would be. */
  readonly dir: string;
  dispose(): Promise<void>;
}

export async function createOverlay(root: string, changes: readonly OverlayChange[]): Promise<Overlay> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'catalyst-verify-'));
  try {
    const byPath = new Map(changes.map((change) => [change.path.split('/').join(path.sep), change.after]));
    await mirror(root, dir, '', byPath);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** Mirrors the folder `relative` of `root` into `dir`: links for untouched entries, real folders on the way to changes. */
async function mirror(root: string, dir: string, relative: string, changes: ReadonlyMap<string, string>): Promise<void> {
  const source = path.join(root, relative);
  const target = path.join(dir, relative);
  const changedHere = new Set<string>();
  const foldersOnTheWay = new Set<string>();
  for (const changed of changes.keys()) {
    const rest = relative === '' ? changed : changed.startsWith(relative + path.sep) ? changed.slice(relative.length + 1) : undefined;
    if (rest === undefined) {
      continue;
    }
    const [first = '', ...more] = rest.split(path.sep);
    (more.length === 0 ? changedHere : foldersOnTheWay).add(first);
  }
  await mkdir(target, { recursive: true });
  const existing = await readdir(source).catch(() => [] as string[]);
  for (const name of new Set([...existing, ...changedHere, ...foldersOnTheWay])) {
    const entry = path.join(relative, name);
    if (changedHere.has(name)) {
      await writeFile(path.join(dir, entry), await encodedLike(path.join(root, entry), changes.get(entry)!));
    } else if (foldersOnTheWay.has(name)) {
      await mirror(root, dir, entry, changes);
    } else {
      await symlink(path.join(source, name), path.join(target, name), (await lstat(path.join(source, name))).isDirectory() ? 'dir' : 'file');
    }
  }
}

/** The text in the encoding the file has now (a BOM, a coding cookie), UTF-8 for a new file. */
async function encodedLike(file: string, text: string): Promise<Uint8Array> {
  const bytes = await readFile(file).catch(() => undefined);
  return encodeSource(text, bytes === undefined ? UTF8 : decodeSource(bytes).encoding, path.basename(file));
}
