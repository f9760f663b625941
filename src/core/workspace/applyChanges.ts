/**
 * Writing a plan's changes to disk, all or nothing: every target is checked before the first byte is written
 * (a file changed since it was read, a read-only file, a file in the way of one to create), and if a write
 * still fails the files already written are put back.
 */
import path from 'node:path';
import type { FileChange } from '../plan/addEndpoint';
import type { FileSystem } from './fileSystem';

export class ApplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApplyError';
  }
}

/** `root` is the workspace folder the changes' paths are relative to. */
export async function applyChanges(root: string, changes: readonly FileChange[], fs: FileSystem): Promise<void> {
  const problems: string[] = [];
  for (const change of changes) {
    const file = path.join(root, change.path);
    const state = await fs.writability(file);
    if (change.kind === 'create') {
      if (state !== 'missing') {
        problems.push(`${change.path} already exists`);
      } else if ((await fs.writability(path.dirname(file))) !== 'writable') {
        problems.push(`cannot create ${change.path}: its folder is missing or read-only`);
      }
      continue;
    }
    if (state === 'missing') {
      problems.push(`${change.path} no longer exists`);
    } else if (state === 'read-only') {
      problems.push(`${change.path} is read-only`);
    } else if ((await fs.readFile(file)) !== change.before) {
      problems.push(`${change.path} changed since it was read`);
    }
  }
  if (problems.length > 0) {
    throw new ApplyError(`Nothing was written: ${problems.join('; ')}.`);
  }
  const written: FileChange[] = [];
  try {
    for (const change of changes) {
      await fs.writeFile(path.join(root, change.path), change.after);
      written.push(change);
    }
  } catch (error) {
    const notRestored: string[] = [];
    for (const change of written.reverse()) {
      const file = path.join(root, change.path);
      const undo = change.before === undefined ? fs.deleteFile(file) : fs.writeFile(file, change.before);
      await undo.catch(() => notRestored.push(change.path));
    }
    throw new ApplyError(
      `Writing failed (${(error as Error).message}); ${notRestored.length === 0 ? 'the files already written were restored' : `could not restore ${notRestored.join(', ')}`}.`,
    );
  }
}
