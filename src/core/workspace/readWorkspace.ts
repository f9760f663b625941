/** Reading a workspace folder's Python files for the planner: every `.py` file, minus environments and caches. */
import path from 'node:path';
import type { FileSystem } from './fileSystem';
import { decodeSource } from './sourceEncoding';

/** Folders that hold no project code: virtual environments, caches, VCS data, build output, dependencies. */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set([
  '.git',
  '.hg',
  '.svn',
  '.venv',
  'venv',
  '.env',
  'env',
  '.tox',
  '.nox',
  '__pycache__',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  'node_modules',
  'site-packages',
  'build',
  'dist',
]);

/** More files than this is not a project folder but something like a home directory: stop rather than crawl. */
export const MAX_PYTHON_FILES = 5_000;

export class TooManyFilesError extends Error {
  constructor(readonly root: string) {
    super(`${root} has more than ${MAX_PYTHON_FILES} Python files, so it looks like more than one project; point --workspace at the project folder`);
    this.name = 'TooManyFilesError';
  }
}

/** Workspace-relative POSIX path -> text of every Python file under `root`. */
export async function readPythonFiles(root: string, fs: FileSystem): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const visit = async (dir: string, relative: string): Promise<void> => {
    const entries = (await fs.readDirectory(dir)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const childRelative = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const child = path.join(dir, entry.name);
      if (entry.kind === 'directory' && !SKIPPED_FOLDERS.has(entry.name) && !entry.name.endsWith('.egg-info')) {
        await visit(child, childRelative);
      } else if (entry.kind === 'file' && entry.name.endsWith('.py')) {
        if (files.size >= MAX_PYTHON_FILES) {
          throw new TooManyFilesError(root);
        }
        files.set(childRelative, decodeSource(await fs.readFile(child)).text);
      }
    }
  };
  await visit(root, '');
  return files;
}
