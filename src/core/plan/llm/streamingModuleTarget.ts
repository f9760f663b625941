/**
 * Where the generated `streaming.py` the LLM fixes import from goes, and how the fixed file imports it.
 * What to write there (create, keep, update, refuse) is Add Streaming Endpoint's decision, reused as is:
 * ../streamingModule.ts `decideStreamingModule`.
 */
import path from 'node:path';

export interface StreamingModuleTarget {
  /** Absolute path of streaming.py. */
  readonly file: string;
  /** What the fixed file imports it as: `.streaming` inside a package, `streaming` beside a script. */
  readonly importModule: string;
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
  if (path.dirname(file) === folder) {
    return { file, importModule: exists(path.join(folder, '__init__.py')) ? `.${moduleName}` : moduleName };
  }
  // Elsewhere: an absolute import from the workspace folder (its folders joined by dots).
  const relative = path.relative(moduleLocation!.workspaceFolder, file).replace(/\.py$/, '');
  return { file, importModule: relative.split(path.sep).join('.') };
}
