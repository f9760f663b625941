/**
 * The generated files follow the project's Python target. They are written for 3.9, where a type that is
 * evaluated at run time (a Pydantic field's alias, a type alias) must be `Optional[X]` or `Union[A, B]`;
 * for 3.10 and later those become `X | None` and `A | B`, as `ruff check --select UP` (UP007, UP045) asks,
 * and the `typing` imports they leave unused go. Edits are made on the tree-sitter tree, and the rewritten
 * assignment is laid out the way `ruff format` and black lay it out, so the result stays formatter-stable.
 */
import { LINE_LENGTH } from '../formatterLayout';
import { parsePython, type SyntaxNode } from '../../../python/parser';

export interface PythonTarget {
  readonly major: number;
  readonly minor: number;
}

/** What the files are written for, and the target when the project names none. */
export const DEFAULT_PYTHON_TARGET: PythonTarget = { major: 3, minor: 9 };

const REWRITTEN = new Set(['Optional', 'Union']);

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** `source` as written for `target` (unchanged below 3.10). */
export async function forPythonTarget(source: string, target: PythonTarget): Promise<string> {
  if (target.major < 3 || (target.major === 3 && target.minor < 10)) {
    return source;
  }
  const tree = await parsePython(source);
  try {
    const root = tree.rootNode;
    const typingImport = root.children.find((node) => node !== null && isTypingImport(node)) ?? null;
    const imported = new Set(typingImport ? importedNames(typingImport).filter((name) => REWRITTEN.has(name)) : []);
    if (imported.size === 0) {
      return source;
    }
    const edits: Edit[] = [];
    for (const statement of root.children) {
      if (statement === null || statement === typingImport || !contains(statement, imported)) continue;
      edits.push({ start: statement.startIndex, end: statement.endIndex, text: layoutStatement(statement, rewrite(statement, imported)) });
    }
    const rewritten = applyEdits(source, edits);
    return typingImport ? await dropUnusedTypingNames(rewritten, imported) : rewritten;
  } finally {
    tree.delete();
  }
}

function isTypingImport(node: SyntaxNode): boolean {
  return node.type === 'import_from_statement' && node.childForFieldName('module_name')?.text === 'typing';
}

function importedNames(statement: SyntaxNode): string[] {
  return statement.childrenForFieldName('name').flatMap((child) => (child !== null && child.type === 'dotted_name' ? [child.text] : []));
}

/**
 * `Optional[...]`/`Union[...]`: a subscript in an expression (an alias's right-hand side), a generic type in an
 * annotation; `names` are the names that count as those.
 */
function isRewritable(node: SyntaxNode, names: ReadonlySet<string>): boolean {
  const name = node.type === 'subscript' ? node.childForFieldName('value') : node.type === 'generic_type' ? node.firstNamedChild : null;
  return name?.type === 'identifier' && names.has(name.text);
}

/** The written operands of a rewritable node: the subscript's items, or the generic type's parameters. */
function operandsOf(node: SyntaxNode): SyntaxNode[] {
  const items = node.type === 'subscript' ? node.childrenForFieldName('subscript') : (node.namedChildren[1]?.namedChildren ?? []);
  return items.filter((item): item is SyntaxNode => item !== null);
}

function rewrittenName(node: SyntaxNode): string | undefined {
  return (node.type === 'subscript' ? node.childForFieldName('value') : node.firstNamedChild)?.text;
}

function contains(node: SyntaxNode, names: ReadonlySet<string>): boolean {
  return isRewritable(node, names) || node.children.some((child) => child !== null && contains(child, names));
}

/** The node's text with every `Optional[X]`/`Union[A, B]` inside it written as `X | None`/`A | B`. */
function rewrite(node: SyntaxNode, names: ReadonlySet<string>): string {
  if (isRewritable(node, names)) {
    const operands = operandsOf(node).map((child) => rewrite(child, names));
    if (rewrittenName(node) === 'Optional') operands.push('None');
    return operands.join(' | ');
  }
  if (!contains(node, names)) return node.text;
  let text = '';
  let at = node.startIndex;
  for (const child of node.children) {
    if (child === null) continue;
    text += node.text.slice(at - node.startIndex, child.startIndex - node.startIndex) + rewrite(child, names);
    at = child.endIndex;
  }
  return text + node.text.slice(at - node.startIndex);
}

/**
 * A rewritten top-level statement laid out as the formatters would: `name = a | b` on one line when it
 * fits, else the right-hand side in parentheses, on one indented line or one operand per line.
 */
function layoutStatement(statement: SyntaxNode, text: string): string {
  const assignment = statement.type === 'expression_statement' ? statement.firstNamedChild : null;
  const right = assignment?.type === 'assignment' ? assignment.childForFieldName('right') : null;
  if (assignment === null || right === null || right === undefined || !isRewritable(right, REWRITTEN)) {
    return text;
  }
  const head = text.slice(0, right.startIndex - statement.startIndex).trimEnd();
  const operands = splitTopLevel(text.slice(right.startIndex - statement.startIndex).replace(/\s*\n\s*/g, ' '));
  const oneLine = `${head} ${operands.join(' | ')}`;
  if (oneLine.length <= LINE_LENGTH) return oneLine;
  const hugged = `    ${operands.join(' | ')}`;
  if (hugged.length <= LINE_LENGTH) return `${head} (\n${hugged}\n)`;
  return `${head} (\n    ${operands.join('\n    | ')}\n)`;
}

/** `a[x | y] | b` -> ['a[x | y]', 'b']: splits at the `|` outside brackets. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if ('([{'.includes(char)) depth += 1;
    if (')]}'.includes(char)) depth -= 1;
    if (char === '|' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current.trim());
  return parts;
}

function applyEdits(source: string, edits: readonly Edit[]): string {
  let text = source;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  }
  return text;
}

/** Removes `Optional`/`Union` from `from typing import ...` where nothing uses them any more. */
async function dropUnusedTypingNames(source: string, candidates: ReadonlySet<string>): Promise<string> {
  const tree = await parsePython(source);
  try {
    const root = tree.rootNode;
    const statement = root.children.find((node) => node !== null && isTypingImport(node));
    if (statement === undefined || statement === null) return source;
    const used = new Set(
      root
        .descendantsOfType('identifier')
        .filter((node): node is SyntaxNode => node !== null && !isWithin(node, statement))
        .map((node) => node.text),
    );
    const names = importedNames(statement);
    const kept = names.filter((name) => !candidates.has(name) || used.has(name));
    if (kept.length === names.length) return source;
    const end = kept.length === 0 && source[statement.endIndex] === '\n' ? statement.endIndex + 1 : statement.endIndex;
    return applyEdits(source, [{ start: statement.startIndex, end, text: kept.length === 0 ? '' : importLayout(kept) }]);
  } finally {
    tree.delete();
  }
}

function isWithin(node: SyntaxNode, ancestor: SyntaxNode): boolean {
  return node.startIndex >= ancestor.startIndex && node.endIndex <= ancestor.endIndex;
}

function importLayout(names: readonly string[]): string {
  const oneLine = `from typing import ${names.join(', ')}`;
  return oneLine.length <= LINE_LENGTH ? oneLine : `from typing import (\n${names.map((name) => `    ${name},\n`).join('')})`;
}
