/**
 * The generated package, as far as a project needs it: the files that define the names its routes import,
 * the files those import (their relative imports, read with tree-sitter), and the `__init__.py` of every
 * package that ends up with a file. Each file carries its own generated header (version and checksum), so
 * an untouched file keeps receiving fixes while an edited one is left alone. Pure and deterministic: the
 * same names and options give the same files, in the same order, with the same bytes.
 */
import { CATALYST_VERSION } from '../../../version';
import { withGeneratedHeader } from '../generatedHeader';
import { PACKAGE_EXPORTS, type PackageName } from './packageExports';
import { moduleFile, PACKAGE_SOURCES } from './packageSources';
import { DEFAULT_PING_INTERVAL_SECONDS, withPingInterval } from './pingInterval';
import { DEFAULT_PYTHON_TARGET, forPythonTarget, type PythonTarget } from './pythonTarget';
import { relativeImports } from './relativeImports';

export interface PackageOptions {
  /** Default seconds of silence before a `: ping` keep-alive comment (response.py's DEFAULT_PING_INTERVAL). */
  readonly pingInterval?: number;
  /** The project's Python (`requires-python`, ruff's `target-version`); 3.9 when unknown. */
  readonly pythonTarget?: PythonTarget;
}

/** One file of the package: its path inside the package folder (`tokens.py`, `protocols/ai_sdk.py`). */
export interface PackageFile {
  readonly path: string;
  readonly text: string;
}

/** The file whose `DEFAULT_PING_INTERVAL` line is templated. */
const PING_INTERVAL_FILE = 'response.py';

/** The files of the package that `requiredNames` need, each with its header, sorted by path (LF endings). */
export async function renderPackageFiles(requiredNames: Iterable<PackageName>, options: PackageOptions = {}): Promise<PackageFile[]> {
  const pingInterval = options.pingInterval ?? DEFAULT_PING_INTERVAL_SECONDS;
  // Checked before anything is rendered, also when response.py is not among the files.
  withPingInterval(PACKAGE_SOURCES.get(PING_INTERVAL_FILE)!, pingInterval, PING_INTERVAL_FILE);
  const target = options.pythonTarget ?? DEFAULT_PYTHON_TARGET;
  const paths = await packageFilePaths(requiredNames);
  return Promise.all(
    paths.map(async (path) => {
      let body = PACKAGE_SOURCES.get(path)!;
      if (path === PING_INTERVAL_FILE) {
        body = withPingInterval(body, pingInterval, PING_INTERVAL_FILE);
      }
      body = await forPythonTarget(body, target);
      return { path, text: await withGeneratedHeader(body, { generator: 'Catalyst Streaming', version: CATALYST_VERSION }) };
    }),
  );
}

/** How many lines of Python `renderPackageFiles(requiredNames)` writes, headers included (for the budgets). */
export async function countPackageLines(requiredNames: Iterable<PackageName>, options: PackageOptions = {}): Promise<number> {
  const files = await renderPackageFiles(requiredNames, options);
  return files.reduce((sum, file) => sum + lineCount(file.text), 0);
}

/** The lines of a file's text (a final newline ends the last line; it does not start another). */
export function lineCount(text: string): number {
  return text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** The paths the names need: their modules, the closure of those modules' relative imports, the `__init__.py`s. */
export async function packageFilePaths(requiredNames: Iterable<PackageName>): Promise<string[]> {
  const pending: string[] = [];
  for (const name of requiredNames) {
    const module = PACKAGE_EXPORTS[name];
    if (module === undefined) {
      throw new Error(`not a name of the generated package: ${JSON.stringify(name)}`);
    }
    const file = moduleFile(module);
    if (file === undefined) {
      throw new Error(`the generated package has no module ${module} (for ${name})`);
    }
    pending.push(file);
  }
  const files = new Set<string>();
  const isModule = (module: string): boolean => moduleFile(module) !== undefined;
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const module of await relativeImports(file, PACKAGE_SOURCES.get(file)!, isModule)) {
      const imported = moduleFile(module);
      if (imported === undefined) {
        throw new Error(`${file} imports ${module}, which the generated package does not have`);
      }
      pending.push(imported);
    }
  }
  for (const file of [...files]) {
    const parts = file.split('/');
    for (let depth = 0; depth < parts.length; depth += 1) {
      const init = [...parts.slice(0, depth), '__init__.py'].join('/');
      if (PACKAGE_SOURCES.has(init)) files.add(init);
    }
  }
  return [...files].sort(byPackagePath);
}

/** Sorts a package's root files before its subpackages' (`tokens.py` before `protocols/ai_sdk.py`). */
function byPackagePath(a: string, b: string): number {
  const depth = a.split('/').length - b.split('/').length;
  return depth !== 0 ? depth : a < b ? -1 : a > b ? 1 : 0;
}
