/**
 * Which files make up a project, defined once for the CLI and the editor: `ProjectFiles` is the small port a
 * use case reads the project through (the CLI backs it with the disk, the editor with its open documents over
 * `workspace.fs`), and this module holds the one walker, the one skip list and the one way to decode a file
 * (`decodeSource`: BOM, coding cookie, else UTF-8, else one character per byte, as Python reads it).
 */
import path from 'node:path';
import { nodeFileSystem, type DirectoryEntry, type FileSystem } from './fileSystem';
import { decodeSource, type SourceEncoding } from './sourceEncoding';

export interface ProjectFiles {
  /** The project folder on disk (absolute, platform form): where its Python runs from. */
  readonly root: string;
  /** The entries of a folder (`''` is the root; `/`-separated, relative to it); a symbolic link is 'other'. */
  readDirectory(relative: string): Promise<readonly DirectoryEntry[]>;
  /** The file's bytes; undefined when there is no such file. Other failures (EACCES) reject. */
  readFile(relative: string): Promise<Uint8Array | undefined>;
  /** The text an editor holds for the file, which wins over the bytes on disk (unsaved edits count). */
  openText?(relative: string): string | undefined;
}

/** Folders that hold no project code: hidden ones (`.venv`, `.git`, caches), environments, build output, dependencies. */
const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['venv', 'env', '__pycache__', 'node_modules', 'site-packages', 'build', 'dist']);

export function isSkippedFolder(name: string): boolean {
  return name.startsWith('.') || SKIPPED_FOLDERS.has(name) || name.endsWith('.egg-info');
}

/** More files than this is not a project folder but something like a home directory: stop rather than crawl. */
export const MAX_PYTHON_FILES = 5_000;

export class TooManyFilesError extends Error {
  constructor(readonly root: string) {
    super(`${root} has more than ${MAX_PYTHON_FILES} Python files, so it looks like more than one project; point --workspace at the project folder`);
    this.name = 'TooManyFilesError';
  }
}

/**
 * The `.py` files under `folder` (project-relative, `/`-separated, sorted), outside skipped folders; stops
 * after `limit` + 1 (the caller refuses a folder that holds more).
 */
export async function listPythonFiles(project: ProjectFiles, folder = '', limit = Number.POSITIVE_INFINITY): Promise<string[]> {
  const found: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    const entries = [...(await project.readDirectory(dir))].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (found.length > limit) {
        return;
      }
      const child = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.kind === 'directory' && !isSkippedFolder(entry.name)) {
        await visit(child);
      } else if (entry.kind === 'file' && entry.name.endsWith('.py')) {
        found.push(child);
      }
    }
  };
  await visit(folder);
  return found.sort();
}

export interface ProjectSource {
  readonly text: string;
  /** How it is encoded on disk; undefined for an editor's text (the editor writes it back itself). */
  readonly encoding?: SourceEncoding;
}

/** A file's text as the project has it: the editor's, else the bytes decoded as Python would; undefined when missing. */
export async function readSource(project: ProjectFiles, file: string): Promise<ProjectSource | undefined> {
  const open = project.openText?.(file);
  if (open !== undefined) {
    return { text: open };
  }
  const bytes = await project.readFile(file);
  return bytes === undefined ? undefined : decodeSource(bytes);
}

/** Project-relative POSIX path -> text of every Python file of the project; TooManyFilesError past MAX_PYTHON_FILES. */
export async function readPythonFiles(project: ProjectFiles): Promise<Map<string, string>> {
  const files = await listPythonFiles(project, '', MAX_PYTHON_FILES);
  if (files.length > MAX_PYTHON_FILES) {
    throw new TooManyFilesError(project.root);
  }
  const texts = new Map<string, string>();
  for (const file of files) {
    const source = await readSource(project, file);
    if (source !== undefined) {
      texts.set(file, source.text);
    }
  }
  return texts;
}

/** The project at `root` on disk (through the core's file-system seam, so tests can substitute it). */
export function nodeProjectFiles(root: string, fs: FileSystem = nodeFileSystem): ProjectFiles {
  const absolute = (relative: string) => path.join(root, ...relative.split('/'));
  return {
    root,
    readDirectory: (relative) => fs.readDirectory(absolute(relative)),
    async readFile(relative) {
      try {
        return await fs.readFile(absolute(relative));
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ENOENT') {
          return undefined;
        }
        throw error;
      }
    },
  };
}

/** A project held in memory (tests, a single unsaved document): POSIX path -> text. */
export function memoryProjectFiles(root: string, files: ReadonlyMap<string, string>): ProjectFiles {
  return {
    root,
    async readDirectory(relative) {
      const prefix = relative === '' ? '' : `${relative}/`;
      const entries = new Map<string, DirectoryEntry['kind']>();
      for (const file of files.keys()) {
        if (file.startsWith(prefix)) {
          const [name, ...rest] = file.slice(prefix.length).split('/');
          entries.set(name!, rest.length > 0 ? 'directory' : 'file');
        }
      }
      return [...entries].map(([name, kind]) => ({ name, kind }));
    },
    readFile: async (relative) => (files.has(relative) ? new TextEncoder().encode(files.get(relative)) : undefined),
  };
}
