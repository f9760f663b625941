/** Small text edits on one LLM call: make it stream, await it. Offsets are against the module's source. */
import type { SyntaxNode } from '../../python/parser';
import { isAsyncFunction } from '../../python/syntax';
import type { LlmCall } from '../../python/llm/detect';
import type { TextEdit } from '../../workspace/textEdit';

/** Offset of the start of the line `offset` is on. */
export function lineStart(source: string, offset: number): number {
  return source.lastIndexOf('\n', offset - 1) + 1;
}

/** The whitespace before the first character of the line holding `node`. */
export function indentationOf(source: string, node: SyntaxNode): string {
  const start = lineStart(source, node.startIndex);
  const line = source.slice(start, node.startIndex);
  return line.slice(0, line.length - line.trimStart().length);
}

/**
 * Makes the call stream: `stream=False` becomes `stream=True`, or `stream=True` is added after the last
 * argument in the call's own layout (one argument per line with a trailing comma stays that way).
 * None for calls that always stream (`messages.stream(...)`) or already pass `stream=True`.
 */
export function streamArgumentEdit(call: LlmCall, source: string, eol: string): TextEdit | undefined {
  if (call.methodSpec.alwaysStreams || call.streams === true) {
    return undefined;
  }
  const value = call.streamArgument?.childForFieldName('value');
  if (value) {
    return { start: value.startIndex, end: value.endIndex, newText: 'True' };
  }
  const args = call.node.childForFieldName('arguments')!;
  const named = args.namedChildren.filter((c) => c !== null && c.type !== 'comment');
  const last = named[named.length - 1];
  const closing = args.endIndex - 1;
  if (!last) {
    return { start: closing, end: closing, newText: 'stream=True' };
  }
  const trailingComma = args.children.find((c) => c?.type === ',' && c.startIndex >= last.endIndex);
  if (!trailingComma) {
    return { start: last.endIndex, end: last.endIndex, newText: ', stream=True' };
  }
  const indent = indentationOf(source, last);
  const lastStartsItsLine = source.slice(lineStart(source, last.startIndex), last.startIndex).trim() === '';
  return lastStartsItsLine
    ? { start: trailingComma.endIndex, end: trailingComma.endIndex, newText: `${eol}${indent}stream=True,` }
    : { start: trailingComma.endIndex, end: trailingComma.endIndex, newText: ' stream=True,' };
}

/** Parent types in which `await <call>` must be parenthesised: `(await c.create(...)).choices`. */
const BINDS_TIGHTER = new Set(['attribute', 'subscript', 'call', 'binary_operator', 'unary_operator', 'await']);

/** `await ` before the call (parenthesised where precedence needs it); none when it is already awaited. */
export function awaitEdits(call: LlmCall): TextEdit[] {
  if (call.awaited) {
    return [];
  }
  const parent = call.node.parent;
  if (parent && BINDS_TIGHTER.has(parent.type)) {
    return [
      { start: call.node.startIndex, end: call.node.startIndex, newText: '(await ' },
      { start: call.node.endIndex, end: call.node.endIndex, newText: ')' },
    ];
  }
  return [{ start: call.node.startIndex, end: call.node.startIndex, newText: 'await ' }];
}

/** `async ` before `def` of a synchronous function; none when it is already async. */
export function asyncDefEdit(fn: SyntaxNode): TextEdit | undefined {
  if (isAsyncFunction(fn)) {
    return undefined;
  }
  const def = fn.children.find((c) => c?.type === 'def');
  return def ? { start: def.startIndex, end: def.startIndex, newText: 'async ' } : undefined;
}
