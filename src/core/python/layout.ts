/**
 * How a Python file is laid out, for fitting new code into it: line endings, the indentation unit, the
 * `if __name__ == "__main__":` block, and the comment lines that belong to the statement below them.
 * Read from a tree-sitter tree; pure, no `vscode`.
 */
import type { SyntaxNode } from './parser';
import { children, requiredField, stringValue } from './syntax';

/** The first line break's style decides: files are normally consistent, and a mix is rare enough to ignore. */
export function detectLineEnding(source: string): '\n' | '\r\n' {
  // No line break (-1) or one at the start looks before the string: undefined, so '\n'.
  return source[source.indexOf('\n') - 1] === '\r' ? '\r\n' : '\n';
}

/** The indentation of the first indented block, relative to its parent statement; four spaces when none. */
export function detectIndentUnit(root: SyntaxNode, source: string): string {
  // Depth-first, stopping at the first block that tells: collecting every block of a large module first
  // (descendantsOfType) costs more than the whole rest of a code-action request.
  const find = (node: SyntaxNode): string | undefined => {
    for (const child of children(node)) {
      const unit = child.type === 'block' ? indentOf(child, source) : undefined;
      const found = unit ?? find(child);
      if (found !== undefined) {
        return found;
      }
    }
    return undefined;
  };
  return find(root) ?? '    ';
}

/** A block's indentation relative to its parent statement, when it starts on a line of its own. */
function indentOf(block: SyntaxNode, source: string): string | undefined {
  const first = block.firstNamedChild;
  const parent = block.parent;
  if (!first || !parent || first.startPosition.row === parent.startPosition.row) {
    return undefined;
  }
  const lineStart = first.startIndex - first.startPosition.column;
  const indent = source.slice(lineStart, first.startIndex);
  const parentLineStart = parent.startIndex - parent.startPosition.column;
  const parentIndent = source.slice(parentLineStart, parentLineStart + parent.startPosition.column);
  return /^[ \t]+$/.test(indent) && indent.startsWith(parentIndent) && indent.length > parentIndent.length ? indent.slice(parentIndent.length) : undefined;
}

/** `if __name__ == "__main__":` (either operand order, any quotes). */
export function isMainGuard(statement: SyntaxNode): boolean {
  if (statement.type !== 'if_statement') {
    return false;
  }
  const condition = requiredField(statement, 'condition');
  if (condition.type !== 'comparison_operator' || !condition.children.some((c) => c!.type === '==')) {
    return false;
  }
  const operands = children(condition);
  return operands.length === 2 && operands.some((o) => o.type === 'identifier' && o.text === '__name__') && operands.some((o) => stringValue(o) === '__main__');
}

/**
 * The offset of the first of the comment lines directly above a statement (no blank line between, starting
 * in column 0): they belong to it, so code inserted "above the statement" goes above them. The statement's
 * own start when there are none.
 */
export function leadingCommentsStart(statement: SyntaxNode): number {
  let start = statement;
  let previous = statement.previousSibling;
  while (previous?.type === 'comment' && previous.endPosition.row === start.startPosition.row - 1 && previous.startPosition.column === 0) {
    start = previous;
    previous = previous.previousSibling;
  }
  return start.startIndex;
}

/** The syntax errors (ERROR and MISSING nodes), outermost first. */
export function collectSyntaxErrors(root: SyntaxNode): SyntaxNode[] {
  if (!root.hasError) {
    return [];
  }
  const errors: SyntaxNode[] = [];
  const visit = (node: SyntaxNode): void => {
    if (node.isError || node.isMissing) {
      errors.push(node);
      return;
    }
    if (node.hasError) {
      // Every child, anonymous ones too: a MISSING `)` is an anonymous node.
      for (const child of node.children) {
        visit(child!);
      }
    }
  };
  visit(root);
  return errors;
}
