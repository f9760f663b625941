/**
 * A checksum of Python code that a formatter cannot change: SHA-256 over the file's tree-sitter tokens,
 * normalised where `ruff format` and black are free to choose (any line length, quote style or magic
 * trailing comma), and exact everywhere else.
 *
 * Ignored: whitespace, blank lines, indentation and line continuations; the quote characters and prefix
 * case of strings (and the escaping of quotes inside them); how implicitly concatenated strings are split;
 * a trailing comma before a closing bracket (kept in a one-element tuple, where it means something); the
 * redundant parentheses formatters add or remove around a whole right-hand side, return value, condition,
 * annotation, context manager or list of imported names; the case of number literals; docstring indentation
 * and trailing spaces; the spacing of comments.
 * Every other change, a comment's words included, changes the checksum.
 */
import { createHash } from 'node:crypto';
import { parsePython, type SyntaxNode } from '../../python/parser';

/** Statements whose operand formatters wrap in (or free from) redundant parentheses when they split it. */
const PAREN_SLOTS = new Set([
  'assignment',
  'augmented_assignment',
  'return_statement',
  'if_statement',
  'elif_clause',
  'while_statement',
  'for_statement',
  'assert_statement',
  'del_statement',
  'yield',
  'with_item',
  'type',
  'raise_statement',
  'expression_statement',
]);
const CLOSERS = new Set([')', ']', '}']);
/** Where black may wrap a conditional expression in parentheses of its own. */
const WRAPPED_CONDITIONAL_PARENTS = new Set(['expression_list', 'argument_list', 'keyword_argument', 'tuple', 'list', 'pair']);

export async function codeChecksum(source: string, options: Normalisation = CURRENT): Promise<string> {
  const tree = await parsePython(source);
  try {
    return hashTokens(tree.rootNode, options);
  } finally {
    tree.delete();
  }
}

/**
 * Whether `source` has the checksum `expected`: the one headers carry now, or what 0.1.x wrote for the same code
 * (it kept the parentheses a formatter adds around `return a, b` or a conditional), so a file of theirs that was
 * never edited still reads as untouched. One parse; the earlier checksum only when the current one differs.
 */
export async function matchesCodeChecksum(source: string, expected: string): Promise<boolean> {
  const tree = await parsePython(source);
  try {
    return hashTokens(tree.rootNode, CURRENT) === expected || hashTokens(tree.rootNode, EARLIER) === expected;
  } finally {
    tree.delete();
  }
}

function hashTokens(root: SyntaxNode, options: Normalisation): string {
  const hash = createHash('sha256');
  for (const token of normalisedTokens(root, options)) {
    // A separator that cannot occur inside a token keeps ["ab", "c"] apart from ["a", "bc"].
    hash.update(token, 'utf8').update('\u0000');
  }
  return hash.digest('hex');
}

function normalisedTokens(node: SyntaxNode, options: Normalisation): string[] {
  const out: string[] = [];
  collect(node, out, options);
  return out;
}

interface Normalisation {
  /**
   * `return a, b` and `return (a, b)` (and `x = a, b`): formatters add those parentheses when they split the
   * line. 'kept' is how 0.1.x counted them, read back for its headers only.
   */
  readonly tupleParens: 'dropped' | 'kept';
}

const CURRENT: Normalisation = { tupleParens: 'dropped' };
const EARLIER: Normalisation = { tupleParens: 'kept' };

function collect(node: SyntaxNode, out: string[], options: Normalisation): void {
  switch (node.type) {
    case 'comment':
      out.push(`#${node.text.slice(1).trim()}`);
      return;
    case 'line_continuation':
      return;
    case 'string':
    case 'concatenated_string':
      out.push(stringToken(node, options));
      return;
    case 'integer':
    case 'float':
      out.push(node.text.toLowerCase());
      return;
    default:
      break;
  }
  const children = node.children.filter((child): child is SyntaxNode => child !== null);
  if (children.length === 0) {
    if (node.text.length > 0) {
      out.push(node.text);
    }
    return;
  }
  const inSlot = node.parent !== null && PAREN_SLOTS.has(node.parent.type);
  const redundantParens =
    (inSlot && (node.type === 'parenthesized_expression' || (options.tupleParens === 'dropped' && node.type === 'tuple' && node.namedChildCount > 0))) ||
    (options.tupleParens === 'dropped' && isWrappedConditional(node));
  children.forEach((child, i) => {
    if (redundantParens && (i === 0 || i === children.length - 1) && (child.type === '(' || child.type === ')')) {
      return;
    }
    // `from m import (a, b)` and `from m import a, b` are the same statement.
    // Likewise `with (a, b):` and `with a, b:`.
    if ((node.type === 'import_from_statement' || node.type === 'with_clause') && (child.type === '(' || child.type === ')')) {
      return;
    }
    const next = children[i + 1];
    if (child.type === ',' && next !== undefined && CLOSERS.has(next.type) && !isOneElementTuple(node)) {
      return;
    }
    collect(child, out, options);
  });
}

/**
 * `return a, (b if c else d)`: black parenthesises a conditional expression among other elements or arguments
 * when it splits the line; the parentheses change nothing there.
 */
function isWrappedConditional(node: SyntaxNode): boolean {
  return (
    node.type === 'parenthesized_expression' &&
    node.namedChildCount === 1 &&
    node.namedChildren[0]?.type === 'conditional_expression' &&
    node.parent !== null &&
    WRAPPED_CONDITIONAL_PARENTS.has(node.parent.type)
  );
}

function isOneElementTuple(node: SyntaxNode): boolean {
  return node.type === 'tuple' && node.namedChildCount === 1;
}

/** One token for a string, or for implicitly concatenated strings: prefix and content, quotes normalised. */
function stringToken(node: SyntaxNode, options: Normalisation): string {
  const parts = node.type === 'concatenated_string' ? node.namedChildren.filter((c): c is SyntaxNode => c?.type === 'string') : [node];
  const prefixes = new Set<string>();
  let content = '';
  for (const part of parts) {
    for (const child of part.children) {
      if (child === null) continue;
      if (child.type === 'string_start') {
        prefixes.add(child.text.replace(/['"]+$/, '').toLowerCase());
      } else if (child.type === 'interpolation') {
        // Formatters may space the expression inside {...}; its tokens are what count.
        content += `{${normalisedTokens(child, options).slice(1, -1).join(' ')}}`;
      } else if (child.type !== 'string_end') {
        content += child.text;
      }
    }
  }
  // A formatter that changes the quote character unescapes or escapes the other one.
  content = content.replace(/\\(['"])/g, '$1');
  if (isDocstring(node)) {
    content = content
      .split('\n')
      .map((line) => line.trim())
      .join('\n')
      .trim();
  }
  return `str:${[...prefixes].sort().join('|')}:${content}`;
}

function isDocstring(node: SyntaxNode): boolean {
  return node.parent?.type === 'expression_statement' && node.parent.namedChildCount === 1;
}
