/**
 * Small, reusable readings of tree-sitter Python nodes: positions, string literals, dotted names and the
 * import bindings that turn a local name into the qualified name it refers to.
 */
import type { SyntaxNode } from './parser';

/** A 0-based position; `column` counts UTF-16 code units, as VS Code's `Position.character` does. */
export interface Point {
  readonly row: number;
  readonly column: number;
}

/**
 * Where a node is. `start`/`end` are offsets into the source string (UTF-16 code units, i.e. JavaScript
 * string indices, which is what VS Code's `document.positionAt(offset)` takes).
 */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly startPoint: Point;
  readonly endPoint: Point;
}

export function spanOf(node: SyntaxNode): Span {
  return {
    start: node.startIndex,
    end: node.endIndex,
    startPoint: { row: node.startPosition.row, column: node.startPosition.column },
    endPoint: { row: node.endPosition.row, column: node.endPosition.column },
  };
}

/**
 * The value of a string literal without prefixes or interpolation (`"a"`, `'a'`, `"a" "b"`), or undefined
 * for anything computed (f-strings with fields, escapes we would have to decode, non-strings).
 */
export function stringValue(node: SyntaxNode | null | undefined): string | undefined {
  if (!node) {
    return undefined;
  }
  if (node.type === 'concatenated_string') {
    const parts = node.namedChildren.map((child) => stringValue(child));
    return parts.every((part): part is string => part !== undefined) ? parts.join('') : undefined;
  }
  if (node.type !== 'string') {
    return undefined;
  }
  let value = '';
  for (const child of children(node)) {
    if (child.type === 'interpolation') {
      return undefined;
    }
    if (child.type === 'string_content') {
      // Its named children are what would need decoding: escape sequences and an f-string's `{{` and `}}`.
      if (child.namedChildCount > 0) {
        return undefined;
      }
      value += child.text;
    }
  }
  // The grammar's first child of a string is its `string_start` (prefix and opening quote).
  return /[bB]/.test(node.firstChild!.text) ? undefined : value;
}

/** `a.b.c` for an identifier or a chain of attribute accesses on one; undefined for anything else. */
export function dottedText(node: SyntaxNode | null | undefined): string | undefined {
  if (!node) {
    return undefined;
  }
  if (node.type === 'identifier') {
    return node.text;
  }
  if (node.type === 'attribute') {
    const object = dottedText(requiredField(node, 'object'));
    return object === undefined ? undefined : `${object}.${requiredField(node, 'attribute').text}`;
  }
  return undefined;
}

/**
 * Local name -> qualified name, from a module's imports: `import fastapi` binds fastapi -> fastapi,
 * `import fastapi as fa` binds fa -> fastapi, `from fastapi import FastAPI as F` binds F -> fastapi.FastAPI,
 * `from .streaming import stream_tokens` binds stream_tokens -> .streaming.stream_tokens.
 */
export type Bindings = ReadonlyMap<string, string>;

/** Re-exports: where a name is defined -> the name users usually import it by. */
const CANONICAL_NAMES: ReadonlyMap<string, string> = new Map([
  ['fastapi.applications.FastAPI', 'fastapi.FastAPI'],
  ['fastapi.routing.APIRouter', 'fastapi.APIRouter'],
  ['starlette.responses.StreamingResponse', 'fastapi.responses.StreamingResponse'],
  ['sse_starlette.sse.EventSourceResponse', 'sse_starlette.EventSourceResponse'],
]);

/**
 * The qualified name an expression refers to through the module's imports (`F` -> `fastapi.FastAPI`,
 * `fa.FastAPI` -> `fastapi.FastAPI`), canonicalised for well-known re-exports; undefined when its head is
 * not an imported name.
 */
export function resolveQualifiedName(node: SyntaxNode | null | undefined, bindings: Bindings): string | undefined {
  const dotted = dottedText(node);
  if (dotted === undefined) {
    return undefined;
  }
  const [head, ...rest] = dotted.split('.');
  const bound = bindings.get(head!);
  if (bound === undefined) {
    return undefined;
  }
  const qualified = [bound, ...rest].join('.');
  return CANONICAL_NAMES.get(qualified) ?? qualified;
}

/**
 * A field the grammar requires of a node of this type (`required: true` in tree-sitter-python's node-types.json:
 * a call's `function` and `arguments`, an attribute's `object` and `attribute`, a definition's `name`, ...).
 * Tree-sitter gives it on every such node, error recovery included (it fills a missing token in with a MISSING
 * node): reading it through this says so once, where `?.` at each use would claim it may be absent.
 */
export function requiredField(node: SyntaxNode, field: string): SyntaxNode {
  const child = node.childForFieldName(field);
  if (!child) {
    throw new Error(`tree-sitter gave a ${node.type} without its required field '${field}'`);
  }
  return child;
}

/**
 * The keyword argument `name=` of a call's argument list, if present. Callers pass any expression (the value of
 * an assignment, a parameter's default), so anything that is not a call has none.
 */
export function keywordArgument(call: SyntaxNode, name: string): SyntaxNode | undefined {
  for (const arg of children(call.childForFieldName('arguments'))) {
    if (arg.type === 'keyword_argument' && requiredField(arg, 'name').text === name) {
      return requiredField(arg, 'value');
    }
  }
  return undefined;
}

/** The positional arguments of a call, in order (none for anything that is not a call, as keywordArgument). */
export function positionalArguments(call: SyntaxNode): SyntaxNode[] {
  return children(call.childForFieldName('arguments')).filter((arg) => !['keyword_argument', 'list_splat', 'dictionary_splat', 'comment'].includes(arg.type));
}

/** Named children (none for no node), without the nulls web-tree-sitter's typings allow and it never gives. */
export function children(node: SyntaxNode | null | undefined): SyntaxNode[] {
  return node ? node.namedChildren.map((child) => child!) : [];
}

/** `async def` (the `async` keyword is the definition's first child). */
export function isAsyncFunction(fn: SyntaxNode): boolean {
  return fn.firstChild!.type === 'async';
}

const NEW_SCOPES = new Set(['function_definition', 'lambda', 'class_definition']);

/** Whether a function body yields (not counting nested functions, lambdas and classes): it is a generator. */
export function containsYield(node: SyntaxNode): boolean {
  // The search runs inside tree-sitter (walking node by node from JavaScript costs ~100x more on a large
  // module); each yield found then checks it is not inside a nested scope.
  return node.descendantsOfType('yield').some((found) => {
    // Up from the yield to `node`, which contains it.
    for (let n = found!.parent!; n.id !== node.id; n = n.parent!) {
      if (NEW_SCOPES.has(n.type)) {
        return false;
      }
    }
    return true;
  });
}

/** A call of a method on some object (`x.name(...)`), and the method's name identifier. */
export interface MethodCall {
  readonly call: SyntaxNode;
  readonly methodName: SyntaxNode;
}

/**
 * Every call of a method named one of `names` (`x.name(...)`), in source order. Candidates come from the source
 * text (a string search is far cheaper than walking or querying the whole tree of a large module); the tree
 * decides what each occurrence is, so ones in strings, comments or longer names drop out.
 */
export function methodCallsNamed(root: SyntaxNode, names: readonly string[]): MethodCall[] {
  const source = root.text;
  const found: MethodCall[] = [];
  for (const name of new Set(names)) {
    for (let at = source.indexOf(name); at >= 0; at = source.indexOf(name, at + name.length)) {
      // The smallest node spanning the occurrence: a whole name when it is exactly the occurrence.
      const identifier = root.descendantForIndex(at, at + name.length)!;
      if (identifier.startIndex !== at || identifier.endIndex !== at + name.length) {
        continue;
      }
      // Smaller than the module, so it has a parent. An attribute's `attribute` field is an identifier, and the
      // only child of a call an attribute can be is its function.
      const attribute = identifier.parent!;
      const call = attribute.parent!;
      if (attribute.type === 'attribute' && requiredField(attribute, 'attribute').id === identifier.id && call.type === 'call') {
        found.push({ call, methodName: identifier });
      }
    }
  }
  return found.sort((a, b) => a.call.startIndex - b.call.startIndex);
}
