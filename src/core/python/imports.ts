/**
 * A module's import statements as data, and the bindings they create.
 *
 * Only imports at module scope count (including those nested in a top-level `try:`/`if`), since those are
 * the names a route decorator or handler can see.
 */
import type { SyntaxNode } from './parser';
import { children, requiredField, spanOf, type Bindings, type Span } from './syntax';

export interface ImportedName {
  /** The imported name as written: `FastAPI` in `from fastapi import FastAPI as F`; `a.b` in `import a.b`. */
  readonly name: string;
  /** The `as` name, if any. */
  readonly alias?: string;
  /** The name this import binds locally: the alias, or the name (its first segment for `import a.b`). */
  readonly local: string;
  readonly span: Span;
}

export interface ImportStatement {
  /** `import a`, `from a import b`, or `from __future__ import annotations`. */
  readonly kind: 'import' | 'from' | 'future';
  /** The module after `from` with its leading dots (`fastapi`, `.streaming`, `..`); '' for `import` statements. */
  readonly module: string;
  readonly names: readonly ImportedName[];
  /** `from m import *` */
  readonly wildcard: boolean;
  /** Names written inside parentheses. */
  readonly parenthesized: boolean;
  /** The statement spans more than one line. */
  readonly multiline: boolean;
  /** Directly in the module body (not nested in `try:`/`if`). */
  readonly topLevel: boolean;
  readonly span: Span;
  readonly node: SyntaxNode;
}

const IMPORT_TYPES = ['import_statement', 'import_from_statement', 'future_import_statement'];

/** Every import statement at module scope, in source order. */
export function readImports(root: SyntaxNode): ImportStatement[] {
  const found: ImportStatement[] = [];
  const visit = (node: SyntaxNode, topLevel: boolean): void => {
    for (const child of children(node)) {
      if (IMPORT_TYPES.includes(child.type)) {
        found.push(readImport(child, topLevel));
      } else if (!['function_definition', 'class_definition', 'decorated_definition'].includes(child.type) && child.namedChildCount > 0) {
        // try/if/with blocks at module level still bind module-level names.
        visit(child, false);
      }
    }
  };
  visit(root, true);
  return found;
}

function readImport(node: SyntaxNode, topLevel: boolean): ImportStatement {
  const kind = node.type === 'import_statement' ? 'import' : node.type === 'future_import_statement' ? 'future' : 'from';
  const module = kind === 'future' ? '__future__' : kind === 'from' ? requiredField(node, 'module_name').text : '';
  const names = node.childrenForFieldName('name').map((named): ImportedName => {
    const child = named!;
    if (child.type === 'aliased_import') {
      const alias = requiredField(child, 'alias').text;
      return { name: requiredField(child, 'name').text, alias, local: alias, span: spanOf(child) };
    }
    const name = child.text;
    // `import a.b` binds `a`.
    return { name, local: kind === 'import' ? name.split('.')[0]! : name, span: spanOf(child) };
  });
  return {
    kind,
    module,
    names,
    wildcard: children(node).some((child) => child.type === 'wildcard_import'),
    parenthesized: node.children.some((child) => child!.type === '('),
    multiline: node.startPosition.row !== node.endPosition.row,
    topLevel,
    span: spanOf(node),
    node,
  };
}

/** The local bindings the imports create (later imports win, as at run time). */
export function importBindings(imports: readonly ImportStatement[]): Bindings {
  const bindings = new Map<string, string>();
  for (const statement of imports) {
    for (const imported of statement.names) {
      if (statement.kind === 'import') {
        // `import a.b` binds `a` to module a; `import a.b as c` binds `c` to module a.b.
        bindings.set(imported.local, imported.alias === undefined ? imported.local : imported.name);
      } else {
        const separator = statement.module.endsWith('.') ? '' : '.';
        bindings.set(imported.local, `${statement.module}${separator}${imported.name}`);
      }
    }
  }
  return bindings;
}
