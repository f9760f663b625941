/** The last check before anything is written: the edited module still holds the new route, and routes its URL to it. */
import type { Span } from '../../python/analysis';
import { findNamespacePackages } from '../../python/namespacePackages';
import { PythonWorkspace } from '../../python/workspace';
import { originalOffset, positionAt, type TextEdit } from '../../workspace/textEdit';
import { capturedBy, capturedMessage } from './routePlacement';
import type { EndpointPlanning, ResolvedTarget } from './planning';
import { Refusal } from './refusal';

/**
 * The new text must parse, hold the new route as an SSE route, and route its URL to it: a last check
 * before anything is written (the imported app's answer, when given, decides instead; see `served`).
 * Returns the 0-based line the new route starts on, to reveal it, and with `deferReachability` why the
 * source shows it unreachable.
 */
export async function verifyEdit(
  { workspace, request, route, method }: EndpointPlanning,
  target: ResolvedTarget,
  after: string,
  edits: readonly TextEdit[],
  functionName: string,
): Promise<{ readonly line: number; readonly unreachable?: string }> {
  const files = new Map(workspace.files);
  files.set(target.file, after);
  const check = new PythonWorkspace(files, { namespacePackages: await findNamespacePackages(files) });
  try {
    const analysis = await check.module(target.file)!;
    const added = analysis.routes.find((r) => r.handler?.name === functionName && r.path === route);
    if (analysis.syntaxErrors.length > 0 || !added?.streamsSse) {
      throw new Error(`internal error: the planned edit of ${target.file} does not parse back into the new route ${functionName}`);
    }
    // Matched the way Starlette matches, through the app that serves it: the new route must answer its URL.
    const captured = request.served ? undefined : await capturedBy(check, target, route, method, functionName);
    if (captured) {
      // Lines as the user's file has them now: the checked text has the new imports above.
      const lineOf = (file: string, span: Span) =>
        file === target.file ? positionAt(target.analysis.source, originalOffset(edits, span.start)).line + 1 : span.startPoint.row + 1;
      const message = capturedMessage(captured, target, method, lineOf);
      if (request.deferReachability) {
        return { line: added.span.startPoint.row, unreachable: message };
      }
      throw new Refusal('route-unreachable', message);
    }
    return { line: added.span.startPoint.row };
  } finally {
    check.dispose();
  }
}
