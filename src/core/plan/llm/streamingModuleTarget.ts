/**
 * Where the generated streaming package the LLM fixes import from goes (the folder `streaming/`, standing
 * in for today's module file `streaming.py`), and how the fixed file imports it. A `streaming.py` already
 * there (a single module of an earlier version) is used instead. What to write is fixStreamingCode.ts's.
 */
import path from 'node:path';

export interface StreamingModuleTarget {
  /** Absolute path of streaming.py: the package is that path without `.py`. */
  readonly file: string;
  /** What the fixed file imports it as: `.streaming` inside a package, `streaming` beside a script. */
  readonly importModule: string;
  /** `file` exists: a single module of an earlier version, imported from as it is (planLlmFixes `singleModule`). */
  readonly singleModule: boolean;
}

/**
 * `streaming.py` next to the Python file (or at `moduleLocation`, relative to the workspace folder), imported
 * relatively when the file's folder is a package.
 */
export function streamingModuleTarget(
  pythonFile: string,
  exists: (file: string) => boolean,
  moduleLocation?: { readonly workspaceFolder: string; readonly relativePath: string },
): StreamingModuleTarget {
  const folder = path.dirname(pythonFile);
  const file =
    moduleLocation && moduleLocation.relativePath !== ''
      ? path.resolve(moduleLocation.workspaceFolder, moduleLocation.relativePath)
      : path.join(folder, 'streaming.py');
  const moduleName = path.basename(file, '.py');
  const singleModule = exists(file);
  if (path.dirname(file) === folder) {
    return { file, importModule: exists(path.join(folder, '__init__.py')) ? `.${moduleName}` : moduleName, singleModule };
  }
  // Elsewhere: an absolute import from the workspace folder (its folders joined by dots).
  const relative = path.relative(moduleLocation!.workspaceFolder, file).replace(/\.py$/, '');
  return { file, importModule: relative.split(path.sep).join('.'), singleModule };
}
