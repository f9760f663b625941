/**
 * Writing a plan's changes to disk, all or nothing. Holding a lock on every target (so another Catalyst run
 * cannot slip in between), each target is checked before the first byte is written: changed since it was read
 * (compared as text, in its own encoding), read-only, a file in the way of one to create, a symbolic link out
 * of the workspace, text its encoding cannot hold. Then writeFilesAtomically puts every file in place or none.
 */
import path from 'node:path';
import type { FileChange } from './fileChange';
import { AtomicWriteError, writeFilesAtomically, type AtomicWrite } from './atomicWrite';
import type { FileSystem } from './fileSystem';
import { LockBusyError, withLocks } from './lock';
import { decodeSource, encodeSource, EncodingError, UTF8 } from './sourceEncoding';

export class ApplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApplyError';
  }
}

/** `root` is the workspace folder the changes' paths are relative to; nothing outside it is written. */
export async function applyChanges(root: string, changes: readonly FileChange[], fs: FileSystem): Promise<void> {
  const realRoot = await fs.realPath(root);
  const problems: string[] = [];
  const targets = new Map<FileChange, string>();
  for (const change of changes) {
    const target = await resolveTarget(realRoot, path.join(root, change.path), change.path, fs);
    if (typeof target === 'string') {
      targets.set(change, target);
    } else {
      problems.push(target.problem);
    }
  }
  if (problems.length > 0) {
    throw new ApplyError(`Nothing was written: ${problems.join('; ')}.`);
  }
  try {
    await withLocks([...targets.values()], async () => {
      const writes: AtomicWrite[] = [];
      for (const change of changes) {
        const write = await checkedWrite(change, targets.get(change)!, fs);
        if (typeof write === 'string') {
          problems.push(write);
        } else {
          writes.push(write);
        }
      }
      if (problems.length > 0) {
        throw new ApplyError(`Nothing was written: ${problems.join('; ')}.`);
      }
      await writeFilesAtomically(writes, fs);
    });
  } catch (error) {
    if (error instanceof AtomicWriteError || error instanceof LockBusyError) {
      throw new ApplyError(error instanceof LockBusyError ? `Nothing was written: ${error.message}.` : error.message);
    }
    throw error;
  }
}

/**
 * Where a change really goes: the path itself, or through a symbolic link whose target is inside the
 * workspace. A link out of it, or to nothing (which would create a file wherever it points), is refused.
 */
async function resolveTarget(realRoot: string, file: string, shown: string, fs: FileSystem): Promise<string | { problem: string }> {
  const inside = (real: string) => real === realRoot || real.startsWith(realRoot.endsWith(path.sep) ? realRoot : `${realRoot}${path.sep}`);
  const info = await fs.inspect(file);
  if (info?.kind === 'symlink') {
    const pointsTo = await fs.readLink(file);
    let real: string;
    try {
      real = await fs.realPath(file);
    } catch {
      return { problem: `${shown} is a symbolic link to ${pointsTo}, which does not exist; Catalyst does not write through it` };
    }
    return inside(real) ? real : { problem: `${shown} is a symbolic link to ${pointsTo}, outside the workspace; Catalyst does not write there` };
  }
  // A new file's folders may be missing (a new package): the nearest existing one must be inside.
  const missing: string[] = [];
  let existing = path.dirname(file);
  while (info === undefined && (await fs.inspect(existing)) === undefined && path.dirname(existing) !== existing) {
    missing.unshift(path.basename(existing));
    existing = path.dirname(existing);
  }
  let folder: string;
  try {
    folder = await fs.realPath(existing);
  } catch {
    return { problem: `cannot ${info === undefined ? 'create' : 'write'} ${shown}: its folder is missing` };
  }
  if (!inside(folder)) {
    return { problem: `${shown} is in a folder that links outside the workspace (${folder}); Catalyst does not write there` };
  }
  return path.join(folder, ...missing, path.basename(file));
}

/** The nearest folder at or above `folder` that exists. */
async function existingFolder(folder: string, fs: FileSystem): Promise<string> {
  while ((await fs.inspect(folder)) === undefined && path.dirname(folder) !== folder) {
    folder = path.dirname(folder);
  }
  return folder;
}

/** The bytes to write for one change, or why not: checked against the file as it is now, under the lock. */
async function checkedWrite(change: FileChange, file: string, fs: FileSystem): Promise<AtomicWrite | string> {
  const state = await fs.writability(file);
  if (change.kind === 'create') {
    if (state !== 'missing') {
      return `${change.path} already exists`;
    }
    if ((await fs.writability(await existingFolder(path.dirname(file), fs))) !== 'writable') {
      return `cannot create ${change.path}: its folder is missing or read-only`;
    }
    return encoded(change, file, UTF8, undefined);
  }
  if (state === 'missing') {
    return `${change.path} no longer exists`;
  }
  if (state === 'read-only') {
    return `${change.path} is read-only`;
  }
  const bytes = await fs.readFile(file);
  const current = decodeSource(bytes);
  if (current.text !== change.before) {
    return `${change.path} changed since it was read`;
  }
  const info = await fs.inspect(file);
  if (change.kind === 'delete') {
    return { file, bytes: undefined, replaces: { mode: info?.mode ?? 0o644, uid: info?.uid ?? 0, gid: info?.gid ?? 0, bytes } };
  }
  return encoded(change, file, current.encoding, info && { mode: info.mode, uid: info.uid, gid: info.gid, bytes });
}

function encoded(change: FileChange, file: string, encoding: typeof UTF8, replaces: AtomicWrite['replaces']): AtomicWrite | string {
  try {
    return { file, bytes: encodeSource(change.after, encoding, change.path), ...(replaces ? { replaces } : {}) };
  } catch (error) {
    if (error instanceof EncodingError) {
      return error.message;
    }
    throw error;
  }
}
