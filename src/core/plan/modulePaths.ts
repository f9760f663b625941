/**
 * Python module paths in a workspace: where the streaming module goes, the name one module imports another
 * by, and how uvicorn is pointed at an app.
 */
import path from 'node:path';
import type { ModuleAnalysis } from '../python/analysis';
import type { PythonWorkspace, TargetRef } from '../python/workspace';
import { isPythonImportName } from '../codegen/escape';
import { hasGeneratedHeader } from '../codegen/python/generatedHeader';

export const STREAMING_MODULE_FILE = 'streaming.py';
export const RESUMABLE_MODULE_FILE = 'resumable.py';

/** `uvicorn [--app-dir DIR] module:attribute [--factory]`, run from the workspace folder. */
export interface UvicornTarget {
  /** Workspace-relative folder to put on sys.path ('' for the workspace folder itself; `src` in a src layout). */
  readonly appDir: string;
  /** `app.main:app`, `shop.app:create_app` */
  readonly app: string;
  /** The attribute is an app factory (uvicorn --factory). */
  readonly factory: boolean;
}

/** Where and how uvicorn serves: what the dev server, the demo and the tests add after the target. */
export interface UvicornServe {
  readonly host?: string;
  readonly port?: number;
  readonly reload?: boolean;
  readonly logLevel?: 'critical' | 'error' | 'warning' | 'info' | 'debug' | 'trace';
}

/**
 * The uvicorn command-line arguments (after `-m uvicorn`) for a target, then the serving options: the one
 * builder behind the CLI's "Try it" line, the demo and the editor's dev server task.
 */
export function uvicornArguments(target: UvicornTarget, serve: UvicornServe = {}): string[] {
  return [
    ...(target.appDir ? ['--app-dir', target.appDir] : []),
    target.app,
    ...(target.factory ? ['--factory'] : []),
    ...(serve.host !== undefined ? ['--host', serve.host] : []),
    ...(serve.port !== undefined ? ['--port', String(serve.port)] : []),
    ...(serve.reload ? ['--reload'] : []),
    ...(serve.logLevel !== undefined ? ['--log-level', serve.logLevel] : []),
  ];
}

/** The app uvicorn runs to serve a target: the app itself, or for a router the first app that includes it. */
export async function uvicornTargetFor(workspace: PythonWorkspace, target: TargetRef, seen = new Set<string>()): Promise<UvicornTarget | undefined> {
  const analysis = await workspace.module(target.file);
  const app = analysis?.apps.find((a) => a.id === target.id);
  if (app) {
    const identity = workspace.identity(target.file);
    return { appDir: identity.root, app: `${identity.dottedName}:${app.id}`, factory: app.kind === 'factory' };
  }
  const key = `${target.file}:${target.id}`;
  if (seen.has(key)) {
    return undefined;
  }
  seen.add(key);
  for (const inclusion of await workspace.inclusionsOf(target)) {
    const served = await uvicornTargetFor(workspace, inclusion.owner, seen);
    if (served) {
      return served;
    }
  }
  return undefined;
}

/**
 * Where the streaming module of a target goes: `location` when given (a `.py` file, or a folder for
 * `streaming.py` in it), else the top of the target's package (src/shop/, app/), or a script's own folder.
 * `importedAs`: the dotted name the running app imported the target's module by (appProbe.ts), which decides
 * its package over the source's reading.
 */
export function streamingModuleFile(workspace: PythonWorkspace, targetFile: string, location?: string, importedAs?: string): string {
  if (location?.trim()) {
    const normalised = normaliseFile(location.trim());
    return normalised.endsWith('.py') ? normalised : joinPath(normalised, STREAMING_MODULE_FILE);
  }
  const imported = importedAs === undefined ? undefined : importRootOf(targetFile, importedAs);
  if (imported !== undefined) {
    const parts = importedAs!.split('.');
    // A dotted name's top package; a one-part name is the file's own folder (a package's, or the script's).
    const folder = parts.length > 1 ? joinPath(imported, parts[0]!) : folderOf(targetFile);
    return joinPath(folder, STREAMING_MODULE_FILE);
  }
  const identity = workspace.identity(targetFile);
  const topPackage = identity.inPackage || identity.isPackage ? identity.dottedName.split('.')[0]! : undefined;
  const folder = topPackage === undefined ? folderOf(targetFile) : joinPath(identity.root, topPackage);
  const preferred = joinPath(folder, STREAMING_MODULE_FILE);
  // One generated package per project: one the target can import already (another package's) is reused.
  return workspace.files.has(`${packageFolder(preferred)}/__init__.py`) ? preferred : (existingStreamingPackage(workspace, targetFile) ?? preferred);
}

/**
 * The module file (`app/streaming.py`) standing for a generated streaming package already in the workspace
 * (a `streaming/__init__.py` with our header, edited or not) that `targetFile` can import; the shallowest first.
 */
function existingStreamingPackage(workspace: PythonWorkspace, targetFile: string): string | undefined {
  const packages = [...workspace.files]
    .filter(([file, text]) => (file === 'streaming/__init__.py' || file.endsWith('/streaming/__init__.py')) && hasGeneratedHeader(text))
    .map(([file]) => `${file.slice(0, -'/__init__.py'.length)}.py`)
    .sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
  return packages.find((moduleFile) => importModuleFor(workspace, targetFile, moduleFile) !== undefined);
}

/** The sys.path folder a file is imported from by `dottedName` (`server/routes/chat.py`, `server.routes.chat` -> ''); undefined when they disagree. */
export function importRootOf(file: string, dottedName: string): string | undefined {
  const modulePath = dottedName.split('.').join('/');
  for (const tail of [`${modulePath}.py`, `${modulePath}/__init__.py`]) {
    if (file === tail) {
      return '';
    }
    if (file.endsWith(`/${tail}`)) {
      return file.slice(0, -tail.length - 1);
    }
  }
  return undefined;
}

/** The streaming package that stands in for the module file `file`: `app/streaming.py` -> `app/streaming`. */
export function packageFolder(file: string): string {
  return file.replace(/\.py$/, '');
}

/** The resumable module goes beside the streaming module it imports (generated by `add-endpoint --resumable`). */
export function resumableModuleFile(streamingFile: string): string {
  return joinPath(folderOf(streamingFile), RESUMABLE_MODULE_FILE);
}

/**
 * The module name `fromFile` imports `toFile` by: relative within one package (unless `absolute`, for files
 * that import their own package by its full name), the dotted name from a script's folder otherwise;
 * undefined when no import can reach it (different sys.path roots, or a folder or file name that is not a
 * Python identifier).
 */
export function importModuleFor(workspace: PythonWorkspace, fromFile: string, toFile: string, absolute = false): string | undefined {
  const name = importPathFor(workspace, fromFile, toFile, absolute);
  // A folder or file name that is not an identifier cannot be imported, and must not be pasted into an import.
  return name !== undefined && isPythonImportName(name) ? name : undefined;
}

function importPathFor(workspace: PythonWorkspace, fromFile: string, toFile: string, absolute: boolean): string | undefined {
  const from = workspace.identity(fromFile);
  const to = workspace.identity(toFile);
  if (from.root !== to.root) {
    return undefined;
  }
  const toParts = to.dottedName.split('.');
  const fromParts = from.dottedName.split('.');
  // The package `fromFile` is in (none for a script: its name has one part).
  const base = from.isPackage ? fromParts : fromParts.slice(0, -1);
  if (!absolute && (to.inPackage || to.isPackage) && toParts[0] === base[0]) {
    let common = 0;
    while (common < base.length && common < toParts.length - 1 && base[common] === toParts[common]) {
      common++;
    }
    return '.'.repeat(base.length - common + 1) + toParts.slice(common).join('.');
  }
  return to.dottedName;
}

/** The module imports from its own package by absolute name (`from shop.api import x`) and never relatively. */
export function importsOwnPackageAbsolutely(workspace: PythonWorkspace, file: string, analysis: ModuleAnalysis): boolean {
  const ownPackage = workspace.identity(file).dottedName.split('.')[0];
  const fromImports = analysis.imports.filter((s) => s.topLevel && s.kind === 'from');
  return fromImports.some((s) => s.module.split('.')[0] === ownPackage) && !fromImports.some((s) => s.module.startsWith('.'));
}

/** `./app\\main.py` -> `app/main.py` */
export function normaliseFile(file: string): string {
  return path.posix.normalize(file.replace(/\\/g, '/')).replace(/^\.\//, '');
}

function folderOf(file: string): string {
  const dir = path.posix.dirname(file);
  return dir === '.' ? '' : dir;
}

function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}
