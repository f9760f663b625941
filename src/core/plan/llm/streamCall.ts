/**
 * "Stream this LLM call as an SSE endpoint", for a call directly in a FastAPI route handler.
 *
 * rewrite: the handler keeps its statements up to the call; the call streams (`stream=True`), and the
 *   statements that consumed the whole completion are replaced by
 *       stream = client.chat.completions.create(..., stream=True)   # awaited by the adapter
 *       return streaming_response(stream_tokens(openai_text_stream(stream)))
 *   and the handler returns `EventStreamResponse` (a `response_model=` on the route goes: the response is SSE).
 *   When the handler did something with the answer before returning it (answerUse.ts: append it to a history,
 *   save a transcript, log it), those statements move, in order, into a small async generator in the handler
 *   that passes the tokens on and runs them with the assembled text once the answer is complete:
 *       async def answer_tokens() -> AsyncIterator[str]:
 *           parts: list[str] = []
 *           async for token in openai_text_stream(stream):
 *               parts.append(token)
 *               yield token
 *           reply = "".join(parts)
 *           history.append({"role": "assistant", "content": reply})
 *       return streaming_response(stream_tokens(answer_tokens()))
 *   A client that leaves first closes the generator at its `yield`: the statements do not run (they were written
 *   for a complete answer: a half answer saved as the assistant's turn would be wrong), and the adapter, dropped
 *   with the generator, is closed by the event loop's async-generator finalizer, which closes the provider stream.
 *   Where the handler's use of the answer cannot run at the end of a stream, the fix is refused with the reason.
 * sibling: the handler is left as it is and a route beside it (same owner and method, path + "/stream",
 *   name + "_stream", same parameters and the whole body, streamed as above) streams instead.
 *
 * A sync client is switched to its async counterpart as part of the fix (see asyncClient.ts); where that
 * is refused, so is this fix.
 */
import type { ModuleAnalysis } from '../../python/analysis';
import type { ImportRequest } from '../../python/importEdit';
import type { LlmCall } from '../../python/llm/detect';
import { ADAPTER_FOR_API } from '../../python/llm/sdks';
import { streamingSiblingPath } from '../../python/llm/findings';
import { structuredAnswer } from '../../python/llm/structuredAnswer';
import type { SyntaxNode } from '../../python/parser';
import { applyTextEdits, type TextEdit } from '../../workspace/textEdit';
import { planAsyncClient } from './asyncClient';
import { bracketedLayout } from '../../codegen/python/formatterLayout';
import { readHandlerAnswer, statementIn, type AnswerUse } from '../../python/llm/answerUse';
import { asyncDefEdit, awaitEdits, indentationOf, lineStart, streamArgumentEdit } from './callEdits';

export type FixStyle = 'rewrite' | 'sibling';

/** The function a fix adds for a call outside any route: its name is in the fix's title. */
export const VARIANT_SUFFIX = '_stream';

export type StreamCallPlan =
  | {
      readonly ok: true;
      readonly edits: readonly TextEdit[];
      /** Imports other than the streaming module's (an async client class added by the client swap). */
      readonly imports: readonly ImportRequest[];
      /** Names the file must import from the streaming module. */
      readonly streamingNames: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

export function planStreamCall(call: LlmCall, allCalls: readonly LlmCall[], analysis: ModuleAnalysis, style: FixStyle): StreamCallPlan {
  if (call.streams !== false) {
    return { ok: false, reason: 'the call already streams' };
  }
  const structured = structuredAnswer(call);
  if (structured !== undefined) {
    return { ok: false, reason: `${structured}: there is no text to stream` };
  }
  const route = call.route;
  if (!call.function) {
    return { ok: false, reason: 'the call is at module level' };
  }
  const handler = call.function;
  const answer = route ? readHandlerAnswer(call, allCalls) : undefined;
  if (answer && !answer.ok) {
    return { ok: false, reason: answer.reason };
  }
  const body = handler.childForFieldName('body');
  const statement = body ? statementIn(body, call.node) : undefined;
  if (!body || !statement || !['expression_statement', 'return_statement'].includes(statement.type)) {
    return { ok: false, reason: 'the call is inside a compound statement (if, for, try, with) of the function' };
  }
  const { source, lineEnding: eol } = analysis;

  // A sync client becomes async first; its edits inside the call are folded into the new call text.
  let clientEdits: readonly TextEdit[] = [];
  let imports: readonly ImportRequest[] = [];
  if (!call.client.cls.async) {
    const plan = planAsyncClient(call, allCalls, analysis);
    if (!plan.ok) {
      return { ok: false, reason: `the client is synchronous and ${plan.reason}` };
    }
    clientEdits = plan.edits;
    imports = plan.imports;
  }
  const ownAwaits = new Set(awaitEdits(call).map(editKey));
  const isOwnAwait = (e: TextEdit) => ownAwaits.has(editKey(e));
  const inside = (e: TextEdit) => !isOwnAwait(e) && e.start >= call.node.startIndex && e.end <= call.node.endIndex;
  const streamEdit = streamArgumentEdit(call, source, eol);
  const callEdits = [...clientEdits.filter(inside), ...(streamEdit ? [streamEdit] : [])];
  const callText = applyTextEdits(
    source.slice(call.node.startIndex, call.node.endIndex),
    callEdits.map((e) => ({ ...e, start: e.start - call.node.startIndex, end: e.end - call.node.startIndex })),
  );

  const indent = indentationOf(source, statement);
  const variable = freeName(handler, 'stream');
  const adapter = ADAPTER_FOR_API[call.api];

  if (!route) {
    return planVariant(call, handler, statement, body, source, eol, indent, callText, clientEdits, imports);
  }

  const definition = handler.parent?.type === 'decorated_definition' ? handler.parent : handler;
  const defIndent = indentationOf(source, definition);
  const use = answer?.ok ? answer : undefined;
  const responseModel = use?.responseModel;
  const streamingNames = ['EventStreamResponse', adapter, 'stream_tokens', 'streaming_response'];
  // Not awaited: the adapter awaits the call on the first read, so an HTTP error opening the stream (after the
  // SDK's retries) becomes an `error` event instead of a 500 before the response starts.
  let streamingStatements = `${variable} = ${callText}${eol}${indent}return streaming_response(stream_tokens(${adapter}(${variable})))`;
  if (use && use.after.length > 0) {
    const tokens = afterStatementsGenerator(handler, use, { source, eol, indent, unit: indent.slice(defIndent.length), adapter, variable, clientEdits });
    streamingStatements = `${variable} = ${callText}${eol}${eol}${tokens.definition}${eol}${indent}return streaming_response(stream_tokens(${tokens.name}()))`;
    imports = [...imports, { module: 'collections.abc', names: ['AsyncIterator'] }];
  }

  if (style === 'rewrite') {
    // The statements from the call to the end of the handler are replaced, and with them any client-swap
    // edit there; the handler's own `async` is added once, below.
    const tailEnd = codeEnd(body, source);
    const replaced = (e: TextEdit) => e.start >= statement.startIndex && e.end <= tailEnd;
    const edits: TextEdit[] = [
      ...clientEdits.filter((e) => !replaced(e) && !isAsyncDefOf(e, handler)),
      { start: statement.startIndex, end: tailEnd, newText: streamingStatements },
      ...streamingSignatureEdits(handler, source, eol),
      ...(responseModel ? [keywordArgumentRemoval(responseModel.parent!)] : []),
    ];
    return { ok: true, edits, imports, streamingNames };
  }

  // sibling
  if (route.pathLiteral === null) {
    return { ok: false, reason: 'the route path is not a string literal' };
  }
  const path = siblingPath(route.pathLiteral);
  const taken = analysis.routes.some((r) => r.path === unquote(path) && r.owner === route.ownerInfo.id);
  if (taken) {
    return { ok: false, reason: `the route ${unquote(path)} already exists` };
  }
  const name = freeTopLevelName(analysis, `${handler.childForFieldName('name')?.text ?? 'handler'}_stream`);
  // The copied statements get the client swap too (a client made in the handler becomes async in both).
  const leading = copiedLeadingStatements(body, statement, source, clientEdits);
  const decoratorArguments = route.method === 'api_route' ? `${path}${methodsArgument(route.decorator)}` : path;
  const docstring = `${indent}"""Stream the answer of ${handler.childForFieldName('name')?.text ?? 'the handler'} as Server-Sent Events."""${eol}`;
  const sibling =
    `${definitionSeparator(defIndent, eol)}${defIndent}@${route.owner}.${route.method}(${decoratorArguments})${eol}` +
    `${functionHeader(`async def ${name}`, handler, ' -> EventStreamResponse:', defIndent, eol)}${eol}` +
    docstring +
    leading +
    `${indent}${streamingStatements}`;
  // The client swap's edits stay, in the original handler too (it now awaits the async client).
  return {
    ok: true,
    edits: [...clientEdits, { start: codeEnd(definition, source), end: codeEnd(definition, source), newText: sibling }],
    imports,
    streamingNames,
  };
}

/**
 * For a call outside any route (a helper the routes call): a sibling coroutine `<name>_stream` with the same
 * parameters and leading statements that returns the answer's text tokens as they arrive, for a route to
 * serve with `streaming_response(stream_tokens(await <name>_stream(...)))`. The helper itself is left alone
 * (its callers expect the whole text), so this fix only adds code.
 */
function planVariant(
  call: LlmCall,
  fn: SyntaxNode,
  statement: SyntaxNode,
  body: SyntaxNode,
  source: string,
  eol: string,
  indent: string,
  callText: string,
  clientEdits: readonly TextEdit[],
  imports: readonly ImportRequest[],
): StreamCallPlan {
  const name = `${fn.childForFieldName('name')?.text ?? 'helper'}${VARIANT_SUFFIX}`;
  const scope = fn.parent?.type === 'decorated_definition' ? fn.parent : fn;
  const siblings = scope.parent?.namedChildren ?? [];
  if (siblings.some((s) => (s?.type === 'decorated_definition' ? s.childForFieldName('definition') : s)?.childForFieldName('name')?.text === name)) {
    return { ok: false, reason: `${name} already exists` };
  }
  const adapter = ADAPTER_FOR_API[call.api];
  const variable = freeName(fn, 'stream');
  const leading = copiedLeadingStatements(body, statement, source, clientEdits);
  const original = fn.childForFieldName('name')?.text ?? 'the function';
  const defIndent = indentationOf(source, scope);
  // Decorators such as @staticmethod stay meaningful for the variant; others (caches, routes) would not.
  const keptDecorators =
    scope.type === 'decorated_definition'
      ? scope.namedChildren
          .filter((d) => d?.type === 'decorator' && /^@(staticmethod|classmethod)\s*$/.test(d.text))
          .map((d) => `${defIndent}${d!.text}${eol}`)
          .join('')
      : '';
  // As in a route, the call is left for the adapter to await on the first read.
  const text =
    `${definitionSeparator(defIndent, eol)}${keptDecorators}${functionHeader(`async def ${name}`, fn, ' -> AsyncIterator[str]:', defIndent, eol)}${eol}` +
    `${indent}"""Like ${original}, but returns the answer's text tokens as they arrive.${eol}${eol}` +
    `${indent}Serve them from a route with 'streaming_response(stream_tokens(await ${name}(...)))'.${eol}` +
    `${indent}"""${eol}` +
    leading +
    `${indent}${variable} = ${callText}${eol}` +
    `${indent}return ${adapter}(${variable})`;
  return {
    ok: true,
    edits: [...clientEdits, { start: codeEnd(scope, source), end: codeEnd(scope, source), newText: text }],
    imports: [...imports, { module: 'collections.abc', names: ['AsyncIterator'] }],
    streamingNames: [adapter],
  };
}

/** Where a node's code ends: a block can extend over trailing blank lines and the file's final newline. */
function codeEnd(node: SyntaxNode, source: string): number {
  let end = node.endIndex;
  while (end > node.startIndex && /\s/.test(source[end - 1]!)) {
    end--;
  }
  return end;
}

function editKey(edit: TextEdit): string {
  return `${edit.start}:${edit.end}:${edit.newText}`;
}

function isAsyncDefOf(edit: TextEdit, fn: SyntaxNode): boolean {
  return edit.newText === 'async ' && edit.start >= fn.startIndex && edit.start < (fn.childForFieldName('name')?.startIndex ?? fn.endIndex);
}

/**
 * The handler becomes `async def ...(...) -> EventStreamResponse`. A signature on one line is written anew and
 * laid out as the formatters would when it no longer fits in 88 columns (the annotation and `async` make it
 * longer); one the user already spread over several lines keeps its layout, and only `async` and the annotation
 * change (`-> X` becomes `-> EventStreamResponse`; a handler without one gets it).
 */
function streamingSignatureEdits(handler: SyntaxNode, source: string, eol: string): TextEdit[] {
  const parameters = handler.childForFieldName('parameters')!;
  const returnType = handler.childForFieldName('return_type');
  const headerEnd = returnType ?? parameters;
  if (handler.startPosition.row === headerEnd.endPosition.row) {
    const name = handler.childForFieldName('name')!.text;
    const header = functionHeader(`async def ${name}`, handler, ' -> EventStreamResponse', indentationOf(source, handler), eol);
    return [{ start: lineStart(source, handler.startIndex), end: headerEnd.endIndex, newText: header }];
  }
  const annotation: TextEdit = returnType
    ? { start: returnType.startIndex, end: returnType.endIndex, newText: 'EventStreamResponse' }
    : { start: parameters.endIndex, end: parameters.endIndex, newText: ' -> EventStreamResponse' };
  const asyncDef = asyncDefEdit(handler);
  return asyncDef ? [asyncDef, annotation] : [annotation];
}

/**
 * What goes between the end of a definition and a new one after it: PEP 8's two blank lines at the top level,
 * one inside a class or function (ruff format and black insert the same).
 */
function definitionSeparator(defIndent: string, eol: string): string {
  return defIndent === '' ? eol.repeat(3) : eol.repeat(2);
}

/**
 * `head(<fn's parameters>)tail` at `indent`: laid out as the formatters would when the parameters are on one line,
 * else with the parameters as the user wrote them.
 */
function functionHeader(head: string, fn: SyntaxNode, tail: string, indent: string, eol: string): string {
  const parameters = fn.childForFieldName('parameters');
  if (!parameters) {
    return `${indent}${head}()${tail}`;
  }
  if (parameters.startPosition.row !== parameters.endPosition.row) {
    return `${indent}${head}${parameters.text}${tail}`;
  }
  const args = parameters.namedChildren.filter((p): p is SyntaxNode => p !== null).map((p) => p.text);
  return bracketedLayout(head, args, tail, indent).replaceAll('\n', eol);
}

/** Where the handler's statements before `statement` are, from the start of their first line, docstring excepted. */
function leadingStatements(body: SyntaxNode, statement: SyntaxNode, source: string): [number, number] {
  const statements = body.namedChildren.filter((s): s is SyntaxNode => s !== null && s.startIndex < statement.startIndex);
  const first = statements[0];
  const isDocstring = first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string';
  const kept = isDocstring ? statements.slice(1) : statements;
  const end = lineStart(source, statement.startIndex);
  return kept.length === 0 ? [end, end] : [lineStart(source, kept[0]!.startIndex), end];
}

/** The text of the statements before `statement` (docstring excluded), with the client edits that fall inside them applied. */
function copiedLeadingStatements(body: SyntaxNode, statement: SyntaxNode, source: string, clientEdits: readonly TextEdit[]): string {
  const [start, end] = leadingStatements(body, statement, source);
  return applyTextEdits(
    source.slice(start, end),
    clientEdits.filter((e) => e.start >= start && e.end <= end).map((e) => ({ ...e, start: e.start - start, end: e.end - start })),
  );
}

/** A name not used in the function (parameters, assignments, reads) nor in `taken`, starting from `base`. */
function freeName(fn: SyntaxNode, base: string, taken: ReadonlySet<string> = new Set()): string {
  const used = new Set([...fn.descendantsOfType('identifier').map((n) => n?.text), ...taken]);
  if (!used.has(base)) {
    return base;
  }
  for (let i = 2; ; i++) {
    if (!used.has(`${base}_${i}`)) {
      return `${base}_${i}`;
    }
  }
}

function freeTopLevelName(analysis: ModuleAnalysis, base: string): string {
  if (!analysis.topLevelNames.has(base)) {
    return base;
  }
  for (let i = 2; ; i++) {
    if (!analysis.topLevelNames.has(`${base}_${i}`)) {
      return `${base}_${i}`;
    }
  }
}

/** `"/chat"` -> `"/chat/stream"`, `"/"` -> `"/stream"`, keeping the quotes and any prefix. */
function siblingPath(literal: string): string {
  const quote = literal.endsWith('"""') || literal.endsWith("'''") ? literal.slice(-3) : literal.slice(-1);
  return `${streamingSiblingPath(literal.slice(0, -quote.length))}${quote}`;
}

function unquote(literal: string): string {
  return literal.replace(/^[rRbBuU]*("""|'''|"|')/, '').replace(/("""|'''|"|')$/, '');
}

/** `, methods=[...]` copied from an `api_route` decorator, or ''. */
function methodsArgument(decorator: SyntaxNode): string {
  const args = decorator.namedChildren[0]?.childForFieldName('arguments');
  const methods = args?.namedChildren.find((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'methods');
  return methods ? `, ${methods.text}` : '';
}

/**
 * The async generator a rewritten handler streams through: it passes the adapter's tokens on, collecting them,
 * then runs the handler's statements that used the answer, with the assembled text bound to the name they use.
 */
function afterStatementsGenerator(
  handler: SyntaxNode,
  use: AnswerUse,
  context: {
    readonly source: string;
    readonly eol: string;
    readonly indent: string;
    readonly unit: string;
    readonly adapter: string;
    readonly variable: string;
    readonly clientEdits: readonly TextEdit[];
  },
): { name: string; definition: string } {
  const { source, eol, indent, unit, adapter, variable } = context;
  const taken = new Set([variable]);
  const fresh = (base: string) => {
    const name = freeName(handler, base, taken);
    taken.add(name);
    return name;
  };
  const name = fresh('answer_tokens');
  const parts = fresh('parts');
  const token = fresh('token');
  const text = use.textName ?? fresh('text');
  // Comments between the statements, and those just before or after them, move with them.
  let first = use.after[0]!;
  const ownLine = (n: SyntaxNode) => source.slice(lineStart(source, n.startIndex), n.startIndex).trim() === '';
  while (first.previousNamedSibling?.type === 'comment' && ownLine(first.previousNamedSibling)) {
    first = first.previousNamedSibling;
  }
  let last = use.after.at(-1)!;
  while (last.nextNamedSibling?.type === 'comment') {
    last = last.nextNamedSibling;
  }
  const start = lineStart(source, first.startIndex);
  const end = codeEnd(last, source);
  const replacements: TextEdit[] = [
    ...use.textExpressions.map((e) => ({ start: e.startIndex - start, end: e.endIndex - start, newText: text })),
    ...context.clientEdits.filter((e) => e.start >= start && e.end <= end).map((e) => ({ ...e, start: e.start - start, end: e.end - start })),
  ];
  const statements = applyTextEdits(source.slice(start, end), replacements)
    .split(eol)
    .map((line) => (line.trim() === '' ? '' : `${unit}${line}`))
    .join(eol);
  const inner = `${indent}${unit}`;
  const definition =
    `${indent}async def ${name}() -> AsyncIterator[str]:${eol}` +
    `${inner}"""Yield the answer's tokens, then do what the handler did with the answer.${eol}${eol}` +
    `${inner}The statements after the loop run once the whole answer has arrived; if the${eol}` +
    `${inner}client leaves first, this generator is closed at its yield and they do not run.${eol}` +
    `${inner}"""${eol}` +
    `${inner}${parts}: list[str] = []${eol}` +
    `${inner}async for ${token} in ${adapter}(${variable}):${eol}` +
    `${inner}${unit}${parts}.append(${token})${eol}` +
    `${inner}${unit}yield ${token}${eol}` +
    `${inner}${text} = "".join(${parts})${eol}` +
    `${statements}${eol}`;
  return { name, definition };
}

/** Removes a keyword argument (`response_model=Answer`) and the comma that joins it to its neighbours. */
function keywordArgumentRemoval(argument: SyntaxNode): TextEdit {
  const previous = argument.previousNamedSibling;
  if (previous) {
    return { start: previous.endIndex, end: argument.endIndex, newText: '' };
  }
  const next = argument.nextNamedSibling;
  return { start: argument.startIndex, end: next ? next.startIndex : argument.endIndex, newText: '' };
}
