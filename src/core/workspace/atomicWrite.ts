/**
 * Writing several files all or nothing, crash-safe: the one way Catalyst puts bytes on disk.
 *
 * 1. Every new content goes to a temp file in its target's folder, written in full and flushed. A failure here
 *    (a full disk) deletes the temp files: the originals were never touched.
 * 2. Every file to be replaced gets a second name (a hard link: no data copied, no space needed), its backup.
 * 3. Each temp file is renamed over its target (an atomic step on POSIX: a reader or a crash sees the old file
 *    or the new one, never a mix); a created file is linked into place, which fails rather than clobber a file
 *    that appeared meanwhile. If a step fails, the targets already switched are put back from their backups
 *    (renames again: they need no space) and created files are removed.
 * 4. The backups are removed.
 * A deleted file is a switch too: its backup is made in step 2, it is removed in step 3 (put back from the
 * backup if a later step fails). A created file's missing folders are made in step 1 and removed again
 * when the change does not complete.
 * On a file system without hard links (FAT, some network shares) the backup is a copy of the bytes the caller
 * read, and a created file is renamed into place after checking that nothing appeared there (under the lock).
 */
import path from 'node:path';
import type { FileSystem } from './fileSystem';

export interface AtomicWrite {
  /** Absolute path of the target, with symbolic links already resolved. */
  readonly file: string;
  /** The new content; undefined to delete the file (which `replaces` then describes). */
  readonly bytes: Uint8Array | undefined;
  /**
   * The target's permission bits and owner to keep, and its current bytes (for a backup copy where hard links
   * are not supported); absent when the file is created.
   */
  readonly replaces?: { readonly mode: number; readonly uid: number; readonly gid: number; readonly bytes?: Uint8Array };
}

export class AtomicWriteError extends Error {
  constructor(
    message: string,
    /** Files left neither as before nor as planned (only when undoing failed too), with where their old bytes are. */
    readonly notRestored: readonly string[],
  ) {
    super(message);
    this.name = 'AtomicWriteError';
  }
}

export async function writeFilesAtomically(writes: readonly AtomicWrite[], fs: FileSystem): Promise<void> {
  const tag = `catalyst-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const sibling = (file: string, suffix: string) => path.join(path.dirname(file), `.${path.basename(file)}.${tag}.${suffix}`);
  const steps = writes.map((write) => ({ write, temp: sibling(write.file, 'tmp'), backup: write.replaces ? sibling(write.file, 'bak') : undefined }));
  const leftovers = new Set<string>();
  const madeFolders: string[] = [];
  const removeLeftovers = async () => {
    for (const file of leftovers) {
      await fs.deleteFile(file).then(
        () => leftovers.delete(file),
        () => undefined,
      );
    }
  };
  const removeMadeFolders = async () => {
    for (const folder of madeFolders.reverse()) {
      await fs.removeFolder(folder).catch(() => undefined);
    }
  };

  // 1 and 2: nothing the user sees changes yet (but for new, empty folders).
  try {
    for (const { write, temp } of steps) {
      if (write.bytes === undefined) {
        continue;
      }
      await makeFolders(path.dirname(write.file), fs, madeFolders);
      leftovers.add(temp);
      await fs.writeNewFile(temp, write.bytes, write.replaces ?? {});
    }
    for (const { write, backup } of steps) {
      if (backup !== undefined) {
        leftovers.add(backup);
        await fs.link(write.file, backup).catch(async (error: unknown) => {
          if (!linksUnsupported(error) || write.replaces?.bytes === undefined) throw error;
          await fs.writeNewFile(backup, write.replaces.bytes, write.replaces);
        });
      }
    }
  } catch (error) {
    await removeLeftovers();
    await removeMadeFolders();
    throw new AtomicWriteError(`Nothing was written: ${message(error)}.`, []);
  }

  // 3: switch each target; undo the switched ones if one fails.
  const switched: (typeof steps)[number][] = [];
  try {
    for (const step of steps) {
      if (step.write.bytes === undefined) {
        await fs.deleteFile(step.write.file);
      } else if (step.backup !== undefined) {
        await fs.rename(step.temp, step.write.file);
        leftovers.delete(step.temp);
      } else {
        await fs.link(step.temp, step.write.file).catch(async (error: unknown) => {
          if (!linksUnsupported(error)) throw error;
          if ((await fs.inspect(step.write.file)) !== undefined) {
            throw Object.assign(new Error(`EEXIST: ${step.write.file} appeared meanwhile`), { code: 'EEXIST' });
          }
          await fs.rename(step.temp, step.write.file);
        });
      }
      switched.push(step);
    }
  } catch (error) {
    const notRestored: string[] = [];
    for (const step of switched.reverse()) {
      try {
        if (step.backup !== undefined) {
          await fs.rename(step.backup, step.write.file);
          leftovers.delete(step.backup);
        } else {
          await fs.deleteFile(step.write.file);
        }
      } catch {
        notRestored.push(step.backup !== undefined ? `${step.write.file} (its previous content is in ${step.backup})` : step.write.file);
        if (step.backup !== undefined) {
          leftovers.delete(step.backup); // Keep it: it is the only copy of the user's file.
        }
      }
    }
    await removeLeftovers();
    await removeMadeFolders();
    throw new AtomicWriteError(
      notRestored.length === 0
        ? `Nothing was written: ${message(error)}; every file is as it was.`
        : `Writing failed (${message(error)}) and could not be fully undone: ${notRestored.join(', ')}.`,
      notRestored,
    );
  }

  // 4: the change is complete; what remains is housekeeping that cannot undo it.
  await removeLeftovers();
  for (const folder of new Set(writes.map((write) => path.dirname(write.file)))) {
    await fs.syncDirectory(folder).catch(() => undefined);
  }
}

/** Makes `folder` and its missing parents, outermost first, noting each one made (to remove on failure). */
async function makeFolders(folder: string, fs: FileSystem, made: string[]): Promise<void> {
  if ((await fs.inspect(folder)) !== undefined) {
    return;
  }
  await makeFolders(path.dirname(folder), fs, made);
  await fs.makeFolder(folder);
  made.push(folder);
}

/** The file system has no hard links (as opposed to: it failed to make one). */
function linksUnsupported(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS';
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
