/**
 * The file system seam: the few operations the CLI needs to read a workspace and write a plan, so tests can
 * substitute them (or make any one of them fail) and nothing else in the core touches the disk. Paths are
 * absolute, in the platform's form. Files are bytes here; sourceEncoding.ts turns them into text.
 */
import { constants } from 'node:fs';
import { access, link, lstat, mkdir, open, readdir, readFile, readlink, realpath, rename, rm, rmdir, stat } from 'node:fs/promises';

export interface DirectoryEntry {
  readonly name: string;
  readonly kind: 'file' | 'directory' | 'other';
}

/** What is at a path, without following a symbolic link there. */
export interface PathInfo {
  readonly kind: 'file' | 'directory' | 'symlink' | 'other';
  /** Permission bits (mode & 0o7777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export interface NewFileOptions {
  /** Exact permission bits; absent: a new file's default (0o666 less the umask). */
  readonly mode?: number;
  /** Owner to give the file when we can (as root); ignored otherwise. */
  readonly uid?: number;
  readonly gid?: number;
}

export interface FileSystem {
  readFile(file: string): Promise<Uint8Array>;
  readDirectory(dir: string): Promise<DirectoryEntry[]>;
  /** undefined when nothing is there (a dangling symbolic link is a 'symlink'). */
  inspect(file: string): Promise<PathInfo | undefined>;
  /** The path with every symbolic link resolved; rejects (ENOENT) when it or its target does not exist. */
  realPath(file: string): Promise<string>;
  readLink(file: string): Promise<string>;
  /** 'missing' when nothing is there; 'read-only' when it cannot (or must not) be written. Follows links. */
  writability(file: string): Promise<'writable' | 'read-only' | 'missing'>;
  /**
   * Creates `file`, which must not exist, with exactly these bytes on disk when it resolves (written in full and
   * flushed); on failure nothing of it is left behind.
   */
  writeNewFile(file: string, bytes: Uint8Array, options: NewFileOptions): Promise<void>;
  /** Atomically replaces `to` by `from` (POSIX rename). */
  rename(from: string, to: string): Promise<void>;
  /** A second name for an existing file; rejects (EEXIST) when `newPath` exists, so it never clobbers. */
  link(existing: string, newPath: string): Promise<void>;
  deleteFile(file: string): Promise<void>;
  /** Creates one folder, whose parent exists; rejects (EEXIST) when something is there. */
  makeFolder(dir: string): Promise<void>;
  /** Removes an empty folder (rejects when it is not empty). */
  removeFolder(dir: string): Promise<void>;
  /** Flushes a folder's entries (so renames in it survive a power cut). */
  syncDirectory(dir: string): Promise<void>;
}

export const nodeFileSystem: FileSystem = {
  readFile: (file) => readFile(file),
  async readDirectory(dir) {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.map((entry) => ({ name: entry.name, kind: entry.isFile() ? 'file' : entry.isDirectory() ? 'directory' : 'other' }));
  },
  async inspect(file) {
    try {
      const stats = await lstat(file);
      const kind = stats.isSymbolicLink() ? 'symlink' : stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
      return { kind, mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
        return undefined;
      }
      throw error;
    }
  },
  realPath: (file) => realpath(file),
  readLink: (file) => readlink(file),
  async writability(file) {
    let mode: number;
    try {
      mode = (await stat(file)).mode;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return 'missing';
      }
      throw error;
    }
    // access(W_OK) alone is not enough: it always succeeds for root, yet a file with no write bit set
    // (chmod a-w) says "do not change me" to root too, as editors warn.
    if ((mode & 0o222) === 0) {
      return 'read-only';
    }
    try {
      await access(file, constants.W_OK);
      return 'writable';
    } catch {
      return 'read-only';
    }
  },
  async writeNewFile(file, bytes, options) {
    const handle = await open(file, 'wx', options.mode ?? 0o666);
    try {
      // Writes every byte (a single write() may write fewer).
      await handle.writeFile(bytes);
      if (options.mode !== undefined) {
        // open() applied the umask: set the mode the replaced file had, exactly.
        await handle.chmod(options.mode);
      }
      if (process.getuid?.() === 0 && options.uid !== undefined && options.gid !== undefined) {
        await handle.chown(options.uid, options.gid);
      }
      await handle.sync();
      await handle.close();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(file, { force: true }).catch(() => undefined);
      throw error;
    }
  },
  rename: (from, to) => rename(from, to),
  link: (existing, newPath) => link(existing, newPath),
  deleteFile: (file) => rm(file, { force: true }),
  makeFolder: (dir) => mkdir(dir),
  removeFolder: (dir) => rmdir(dir),
  async syncDirectory(dir) {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};
