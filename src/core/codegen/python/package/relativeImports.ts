/**
 * The package modules a generated file imports, read from its relative imports with tree-sitter:
 * `from ..parts import X` in `protocols/ai_sdk.py` is the module `parts`, `from ._common import Y` is
 * `protocols._common`, `from . import tokens` is `tokens` when that is a module. Absolute imports are other
 * packages' (anyio, starlette) and are left out.
 */
import { parsePython, type SyntaxNode } from '../../../python/parser';

/** The dotted modules (relative to the package root) that the file at `file` imports relatively. */
export async function relativeImports(file: string, text: string, isModule: (module: string) => boolean): Promise<string[]> {
  const tree = await parsePython(text);
  try {
    const modules = new Set<string>();
    const packageParts = file.split('/').slice(0, -1);
    for (const statement of tree.rootNode.descendantsOfType('import_from_statement')) {
      if (statement === null) continue;
      const source = statement.childForFieldName('module_name');
      if (source?.type !== 'relative_import') continue;
      const target = resolve(source, packageParts);
      if (target === undefined) {
        throw new Error(`${file}: a relative import leaves the package: ${statement.text}`);
      }
      const fromModule = source.namedChildren.some((child) => child?.type === 'dotted_name');
      if (fromModule) {
        modules.add(target);
        continue;
      }
      // `from . import name`: each name that is a module of the package is one of its imports.
      modules.add(target);
      for (const name of importedNames(statement)) {
        const module = target === '' ? name : `${target}.${name}`;
        if (isModule(module)) modules.add(module);
      }
    }
    return [...modules].sort();
  } finally {
    tree.delete();
  }
}

/** `..parts` seen from package parts ['protocols'] -> 'parts'; undefined when it climbs above the root. */
function resolve(node: SyntaxNode, packageParts: readonly string[]): string | undefined {
  const prefix = node.namedChildren.find((child) => child?.type === 'import_prefix');
  const dots = prefix?.text.length ?? 0;
  const up = dots - 1;
  if (up > packageParts.length) return undefined;
  const base = packageParts.slice(0, packageParts.length - up);
  const name = node.namedChildren.find((child) => child?.type === 'dotted_name');
  return [...base, ...(name ? name.text.split('.') : [])].join('.');
}

function importedNames(statement: SyntaxNode): string[] {
  return statement.childrenForFieldName('name').flatMap((child) => {
    if (child === null) return [];
    const dotted = child.type === 'aliased_import' ? child.childForFieldName('name') : child;
    return dotted ? [dotted.text] : [];
  });
}
