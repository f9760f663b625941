/**
 * The generated streaming code as test apps import it: the package (every file, rendered now) written into a
 * `streaming/` folder, which the fixtures import from its submodules (`from streaming.tokens import ...`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PACKAGE_EXPORTS, PACKAGE_NAMES, renderPackageFiles, type PackageOptions } from '../../src/core/codegen/python/package';
import { moduleFile } from '../../src/core/codegen/python/package/packageSources';

/** Every public name whose module the package has (the whole package). */
export const ALL_PACKAGE_NAMES = PACKAGE_NAMES.filter((name) => moduleFile(PACKAGE_EXPORTS[name]) !== undefined);

export interface WriteStreamingOptions extends PackageOptions {
  /** Replace a generated file's text (to break it on purpose while checking that a test can fail). */
  readonly transform?: (file: string, text: string) => string;
}

/** Writes the generated package into `dir/streaming/`; returns that folder. */
export async function writeGeneratedStreaming(dir: string, options: WriteStreamingOptions = {}): Promise<string> {
  const transform = options.transform ?? ((_file: string, text: string) => text);
  const root = path.join(dir, 'streaming');
  for (const file of await renderPackageFiles(ALL_PACKAGE_NAMES, options)) {
    const target = path.join(root, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, transform(file.path, file.text));
  }
  return root;
}
