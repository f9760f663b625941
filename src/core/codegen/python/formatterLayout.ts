/**
 * Laying out the Python we write the way `ruff format` and black would, so that a user's formatter finds nothing
 * to change in it (and a pre-commit hook never rewrites our edits).
 */

/** The line length of `ruff format` and black. */
export const LINE_LENGTH = 88;

/**
 * `head(arguments)tail` at `indent`, as the formatters lay it out: on one line when it fits, else the arguments
 * on one indented line of their own, else one argument per line with a trailing comma. `head` and `tail` are
 * written as given (e.g. `async def name` and ` -> Response:`); only the first line carries `indent`.
 */
export function bracketedLayout(head: string, args: readonly string[], tail: string, indent = ''): string {
  const oneLine = `${indent}${head}(${args.join(', ')})${tail}`;
  if (oneLine.length <= LINE_LENGTH || args.length === 0) {
    return oneLine;
  }
  const inner = `${indent}    `;
  const hugged = `${inner}${args.join(', ')}`;
  if (hugged.length <= LINE_LENGTH) {
    return `${indent}${head}(\n${hugged}\n${indent})${tail}`;
  }
  return `${indent}${head}(\n${args.map((arg) => `${inner}${arg},`).join('\n')}\n${indent})${tail}`;
}
