/**
 * The file system seam: the few operations the CLI needs to read a workspace and write a plan, so tests can
 * substitute them and nothing else in the core touches the disk. Paths are absolute, in the platform's form.
 */
import { constants } from 'node:fs';
import { access, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';

export interface DirectoryEntry {
  readonly name: string;
  readonly kind: 'file' | 'directory' | 'other';
}

export interface FileSystem {
  readFile(file: string): Promise<string>;
  writeFile(file: string, text: string): Promise<void>;
  deleteFile(file: string): Promise<void>;
  readDirectory(dir: string): Promise<DirectoryEntry[]>;
  /** 'missing' when nothing is there; 'read-only' when it cannot (or must not) be written. */
  writability(file: string): Promise<'writable' | 'read-only' | 'missing'>;
}

export const nodeFileSystem: FileSystem = {
  readFile: (file) => readFile(file, 'utf8'),
  writeFile: (file, text) => writeFile(file, text, 'utf8'),
  deleteFile: (file) => rm(file, { force: true }),
  async readDirectory(dir) {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.map((entry) => ({ name: entry.name, kind: entry.isFile() ? 'file' : entry.isDirectory() ? 'directory' : 'other' }));
  },
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
};
