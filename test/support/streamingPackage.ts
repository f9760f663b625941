/**
 * The generated streaming code as test apps import it: the package (every file, rendered now) written into a
 * `streaming/` folder, which the fixtures import from its submodules (`from streaming.tokens import ...`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isPackageName, PACKAGE_EXPORTS, PACKAGE_NAMES, renderPackageFiles, type PackageOptions } from '../../src/core/codegen/python/package';
import { moduleFile } from '../../src/core/codegen/python/package/packageSources';
import { parsePython } from '../../src/core/python/parser';

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

/**
 * `source` (a test app written for the single module) importing from the package instead: its
 * `from streaming import a, b` becomes one `from streaming.<module> import ...` per module of the package
 * (read with tree-sitter; names the package does not have are an error).
 */
export async function importingFromPackage(source: string): Promise<string> {
  const tree = await parsePython(source);
  try {
    const statement = tree.rootNode.children.find(
      (node) => node?.type === 'import_from_statement' && node.childForFieldName('module_name')?.text === 'streaming',
    );
    if (!statement) {
      throw new Error('the app has no `from streaming import ...`');
    }
    const byModule = new Map<string, string[]>();
    for (const child of statement.childrenForFieldName('name')) {
      const name = child?.text ?? '';
      if (!isPackageName(name)) {
        throw new Error(`the generated package has no ${name}`);
      }
      const module = PACKAGE_EXPORTS[name];
      byModule.set(module, [...(byModule.get(module) ?? []), name]);
    }
    const lines = [...byModule].sort(([a], [b]) => (a < b ? -1 : 1)).map(([module, names]) => `from streaming.${module} import ${names.join(', ')}`);
    return source.slice(0, statement.startIndex) + lines.join('\n') + source.slice(statement.endIndex);
  } finally {
    tree.delete();
  }
}
