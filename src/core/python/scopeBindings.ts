/**
 * Where a name is bound in a scope, without descending into nested functions or classes: assignments
 * (`x = ...`, `x: T = ...`, `x: T`, `self.x = ...`) and `with ... as x` targets, in statement order.
 */
import type { SyntaxNode } from './parser';
import { children, requiredField } from './syntax';

export interface Binding {
  /** `identifier` or `attribute` (self.x) on the left. */
  readonly target: SyntaxNode;
  /** The assigned value (the `with` item's expression for `as` targets); null for a bare annotation. */
  readonly value: SyntaxNode | null;
  /** The annotation's `type` node, if any. */
  readonly annotation: SyntaxNode | null;
}

/** Statement containers to walk into: everything that runs in the same scope. */
const SAME_SCOPE = new Set([
  'module',
  'block',
  'if_statement',
  'elif_clause',
  'else_clause',
  'for_statement',
  'while_statement',
  'try_statement',
  'except_clause',
  'finally_clause',
  'with_statement',
  'match_statement',
  'case_clause',
]);

/** Bindings of a module (the root) or a function/class body (its `block`), in source order. */
export function scopeBindings(scope: SyntaxNode): Binding[] {
  const found: Binding[] = [];
  const visit = (node: SyntaxNode): void => {
    for (const child of children(node)) {
      if (child.type === 'expression_statement') {
        for (const expression of children(child)) {
          if (expression.type === 'assignment') {
            addAssignment(expression, found);
          }
        }
      } else if (child.type === 'with_clause') {
        // Its with_items, and any comment between them in a parenthesized clause.
        for (const item of children(child).filter((named) => named.type === 'with_item')) {
          const pattern = requiredField(item, 'value');
          if (pattern.type === 'as_pattern') {
            // `expression as target`: the alias (an as_pattern_target) holds the target expression.
            const target = requiredField(pattern, 'alias').firstNamedChild!;
            found.push({ target, value: pattern.firstNamedChild!, annotation: null });
          }
        }
      } else if (SAME_SCOPE.has(child.type)) {
        visit(child);
      }
    }
  };
  visit(scope);
  return found;
}

function addAssignment(assignment: SyntaxNode, found: Binding[]): void {
  const left = requiredField(assignment, 'left');
  const right = assignment.childForFieldName('right');
  if (right?.type === 'assignment') {
    // a = b = AsyncOpenAI(): both names bind the innermost value.
    addAssignment(right, found);
    const inner = innermostValue(right);
    found.push({ target: left, value: inner, annotation: assignment.childForFieldName('type') });
    return;
  }
  found.push({ target: left, value: right, annotation: assignment.childForFieldName('type') });
}

function innermostValue(assignment: SyntaxNode): SyntaxNode | null {
  const right = assignment.childForFieldName('right');
  return right?.type === 'assignment' ? innermostValue(right) : right;
}
