/**
 * Where the new code goes in the target module, as text edits: the route and its module-level code at the
 * end (above `if __name__ == "__main__":`, the router's own inclusion, and a route or mount that would answer
 * the path first), or inside a factory above its `return`.
 */
import type { ModuleAnalysis, Span } from '../../python/analysis';
import { leadingCommentsStart } from '../../python/layout';
import type { TextEdit } from '../../workspace/textEdit';
import { insertBlocks, lineStartOf, reindent } from '../pythonLayout';
import type { ResolvedTarget } from './planning';
import { Refusal } from './refusal';

/**
 * The inserted code: at module level, the helpers and the body model followed by the route (at the end,
 * above `if __name__ == "__main__":`); for a factory, the route inside it above its `return` and the
 * rest at module level above the factory. `before`: a statement the route must precede to be matched
 * first (see routePlacement.ts).
 */
export function codeEdits(target: ResolvedTarget, routeTexts: readonly string[], moduleLevelTexts: readonly string[], before?: Span): TextEdit[] {
  const { analysis } = target;
  const eol = analysis.lineEnding;
  const moduleLevel = moduleLevelTexts.map((text) => reindent(text, analysis.indentUnit));
  if (target.kind !== 'factory') {
    return [
      insertBlocks(analysis.source, moduleInsertionOffset(target, before), [...moduleLevel, ...routeTexts.map((text) => reindent(text, analysis.indentUnit))], {
        eol,
        blankLines: 2,
      }),
    ];
  }
  const returnStatement = target.app?.returnStatement;
  if (!returnStatement) {
    throw new Refusal(
      'unsupported-layout',
      `${target.id}() in ${target.file} does not end with "return ${target.variable}"; add the route to the app it returns by hand, or choose another target.`,
    );
  }
  // Above the return, or above the statement of the factory's body the route must precede.
  const anchor = before && before.start >= target.app!.span.start && before.end <= returnStatement.span.start ? before : returnStatement.span;
  const anchorLine = lineStartOf(analysis.source, anchor.start);
  const bodyIndent = analysis.source.slice(anchorLine, anchor.start);
  const edits = [
    insertBlocks(
      analysis.source,
      anchorLine,
      routeTexts.map((text) => reindent(text, analysis.indentUnit, bodyIndent)),
      { eol, blankLines: 1 },
    ),
  ];
  if (moduleLevel.length > 0) {
    edits.push(insertBlocks(analysis.source, commentsAboveStatementAt(analysis, target.app!.span.start), moduleLevel, { eol, blankLines: 2 }));
  }
  return edits;
}

/**
 * Module-level code goes at the end, above `if __name__ == "__main__":`, above the router's own inclusion
 * (or the module-level call of the local factory that includes it), and above the route or mount that would otherwise answer the new path first (`before`).
 */
function moduleInsertionOffset(target: ResolvedTarget, before?: Span): number {
  const { analysis } = target;
  const candidates = [analysis.source.length];
  // Only a top-level statement can be preceded from module level (not a route inside a factory the app is made by).
  if (before && analysis.root.namedChildren.some((statement) => statement?.startIndex === before.start)) {
    candidates.push(commentsAboveStatementAt(analysis, before.start));
  }
  if (analysis.mainBlock) {
    candidates.push(analysis.mainBlock.insertionOffset);
  }
  const definitionEnd = (target.app ?? analysis.routers.find((r) => r.id === target.id))?.span.end ?? 0;
  for (const inclusion of analysis.inclusions) {
    // A route added to a router after it is included would not be served: include_router copies routes.
    if (inclusion.router !== target.id) {
      continue;
    }
    if (inclusion.statement.parent?.type === 'module') {
      candidates.push(commentsAboveStatementAt(analysis, inclusion.span.start));
    }
    // Included inside a local factory: the copy happens where module level calls it (`app = create_app()`).
    for (const app of analysis.apps) {
      if (app.createdBy === inclusion.owner && app.node.parent?.type === 'module') {
        candidates.push(commentsAboveStatementAt(analysis, app.span.start));
      }
    }
  }
  return Math.min(...candidates.filter((offset) => offset >= definitionEnd));
}

/** The start of the comment lines directly above the top-level statement at `offset` (they belong to it). */
function commentsAboveStatementAt(analysis: ModuleAnalysis, offset: number): number {
  const statement = analysis.root.namedChildren.find((node) => node?.startIndex === offset);
  return lineStartOf(analysis.source, statement ? leadingCommentsStart(statement) : offset);
}
