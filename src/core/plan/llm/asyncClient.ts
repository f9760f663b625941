/**
 * "Use the async client": a sync SDK client called inside `async def` blocks the event loop for the whole
 * completion (no other request is served, and streamed tokens would all arrive at once). The fix swaps the
 * class where the client is made for its async counterpart (`OpenAI` -> `AsyncOpenAI`) and awaits every
 * LLM call made on that client; synchronous route handlers among them become `async def` (FastAPI runs
 * both), and a stream read by `for chunk in client...create(stream=True)` is read by `async for`. It is
 * refused (python/llm/asyncClientSafety.ts says why) when that would break code it cannot see through: a client received from a
 * dependency, the SDK's module-level client, a client used as a sync context manager, or a call in a
 * synchronous function that is not a route (its callers would have to await it), a client made in another
 * module, a stream read other than by a `for` over the call.
 */
import type { ModuleAnalysis } from '../../python/analysis';
import type { ImportRequest } from '../../python/importEdit';
import type { LlmCall } from '../../python/llm/detect';
import type { SyntaxNode } from '../../python/parser';
import type { TextEdit } from '../../workspace/textEdit';
import { asyncClientRefusal, streamLoop } from '../../python/llm/asyncClientSafety';
import { asyncDefEdit, awaitEdits } from './callEdits';

export type AsyncClientPlan =
  | { readonly ok: true; readonly edits: readonly TextEdit[]; readonly imports: readonly ImportRequest[]; readonly calls: readonly LlmCall[] }
  | { readonly ok: false; readonly reason: string };

export function planAsyncClient(call: LlmCall, allCalls: readonly LlmCall[], analysis: ModuleAnalysis, shared?: ReadonlySet<string>): AsyncClientPlan {
  const refusal = asyncClientRefusal(call, allCalls, shared);
  if (refusal !== undefined) {
    return { ok: false, reason: refusal };
  }
  const construction = call.client.construction!;
  const sharing = allCalls.filter((c) => c.client.construction?.id === construction.id);
  const edits: TextEdit[] = [];
  const handlersMadeAsync = new Set<number>();
  for (const other of sharing) {
    if (!other.inAsyncFunction && !handlersMadeAsync.has(other.function!.id)) {
      // A route handler (asyncClientRefusal let no other sync function through): FastAPI runs it as async def too.
      handlersMadeAsync.add(other.function!.id);
      const edit = asyncDefEdit(other.function!);
      if (edit) {
        edits.push(edit);
      }
    }
    edits.push(...awaitEdits(other));
    // `for chunk in client...create(stream=True):` reads the async client's stream as `async for`.
    const loop = streamLoop(other);
    if (loop) {
      edits.push({ start: loop.startIndex, end: loop.startIndex, newText: 'async ' });
    }
  }
  const swap = swapClass(call.client.classReference!, call.client.cls.counterpart, analysis);
  return { ok: true, edits: [...edits, ...swap.edits], imports: swap.imports, calls: sharing };
}

/** Makes `reference` (a class name, alias or `module.Class`) name `counterpart` instead. */
function swapClass(reference: SyntaxNode, counterpart: string, analysis: ModuleAnalysis): { edits: TextEdit[]; imports: ImportRequest[] } {
  if (reference.type === 'attribute') {
    const attribute = reference.childForFieldName('attribute')!;
    return { edits: [{ start: attribute.startIndex, end: attribute.endIndex, newText: counterpart }], imports: [] };
  }
  const local = reference.text;
  const qualified = analysis.bindings.get(local) ?? '';
  const module = qualified.slice(0, qualified.lastIndexOf('.'));
  const statement = analysis.imports.find((s) => s.kind === 'from' && s.names.some((n) => n.local === local));
  const imported = statement?.names.find((n) => n.local === local);
  const counterpartLocal = [...analysis.bindings].find(([, q]) => q === `${module}.${counterpart}`)?.[0];
  if (counterpartLocal !== undefined) {
    return { edits: [{ start: reference.startIndex, end: reference.endIndex, newText: counterpartLocal }], imports: [] };
  }
  if (imported && countReferences(analysis, local) === 1) {
    // The only use: rename the import itself (keeping an alias), so no unused import is left behind.
    const nameEnd = imported.span.start + imported.name.length;
    const edits: TextEdit[] = [{ start: imported.span.start, end: nameEnd, newText: counterpart }];
    if (imported.alias === undefined) {
      edits.push({ start: reference.startIndex, end: reference.endIndex, newText: counterpart });
    }
    return { edits, imports: [] };
  }
  return {
    edits: [{ start: reference.startIndex, end: reference.endIndex, newText: counterpart }],
    imports: [{ module, names: [counterpart] }],
  };
}

/** Uses of a name outside import statements. */
function countReferences(analysis: ModuleAnalysis, name: string): number {
  let count = 0;
  for (const identifier of analysis.root.descendantsOfType('identifier')) {
    if (identifier?.text === name && !hasAncestor(identifier, ['import_from_statement', 'import_statement'])) {
      count++;
    }
  }
  return count;
}

function hasAncestor(node: SyntaxNode, types: readonly string[]): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (types.includes(n.type)) {
      return true;
    }
  }
  return false;
}
