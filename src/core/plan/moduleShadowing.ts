/**
 * Whether a new module at a path would shadow, or be shadowed by, something else Python finds under the same
 * import name: a `streaming/` package next to `streaming.py` (the package wins), a `streaming.py` in another
 * folder of the import path (the workspace folder, which `python -m uvicorn` puts first, besides `--app-dir
 * src`), or a standard-library module of the same top-level name.
 *
 *   moduleShadowing(workspace, 'streaming.py')   // 'the package streaming/ (streaming/__init__.py)' | undefined
 *
 * Pure: looks at the workspace's file names only.
 */
import path from 'node:path';
import { STDLIB_MODULES } from '../python/stdlibModules';
import type { PythonWorkspace } from '../python/workspace';

/** File names tried, in order, when the default streaming module's name is taken. */
export const ALTERNATIVE_MODULE_NAMES = ['sse_streaming.py', 'catalyst_streaming.py'];

/**
 * What the module at `file` would clash with, described for the user; undefined when nothing. `asPackage`:
 * for the package folder that stands in for `file` (its name without `.py`).
 */
export function moduleShadowing(workspace: PythonWorkspace, file: string, options: { readonly asPackage?: boolean } = {}): string | undefined {
  const folder = folderOf(file);
  const name = path.posix.basename(file, '.py');
  const identity = workspace.identity(file);
  // A package in place of `file` (`streaming/` for `streaming.py`) is the folder itself, not a clash with it.
  const sibling = options.asPackage ? undefined : folderWithPython(workspace, joinPath(folder, name));
  if (sibling) {
    return `the package ${joinPath(folder, name)}/ (${sibling}), which Python imports instead of ${file}`;
  }
  if (identity.dottedName.includes('.')) {
    return undefined; // Inside a package: only its own folder can hold the same name.
  }
  if (STDLIB_MODULES.has(name)) {
    return `the standard library's ${name} module, which ${file} would hide from every module of the app`;
  }
  // A top-level module: the workspace folder is on the import path too (first, under `python -m uvicorn`).
  for (const root of new Set(['', identity.root])) {
    if (root === folder) {
      continue;
    }
    const other = joinPath(root, `${name}.py`);
    if (workspace.files.has(other)) {
      return `${other}, which is on the import path too: one of the two would be imported for both`;
    }
    const otherPackage = folderWithPython(workspace, joinPath(root, name));
    if (otherPackage) {
      return `the package ${joinPath(root, name)}/ (${otherPackage}), which is on the import path too`;
    }
  }
  return undefined;
}

/** A Python file inside `folder` (its `__init__.py` first), if the workspace has one. */
function folderWithPython(workspace: PythonWorkspace, folder: string): string | undefined {
  const init = `${folder}/__init__.py`;
  if (workspace.files.has(init)) {
    return init;
  }
  for (const file of workspace.files.keys()) {
    if (file.startsWith(`${folder}/`) && file.endsWith('.py')) {
      return file;
    }
  }
  return undefined;
}

function folderOf(file: string): string {
  const dir = path.posix.dirname(file);
  return dir === '.' ? '' : dir;
}

function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}
