/**
 * What a route handler does with an LLM call's answer, read before the call is made to stream: the statements
 * after the call that use the answer's text (append it to a history, save a transcript, log it) and the final
 * `return` of that text. The stream fix keeps those statements and runs them once the stream has assembled the
 * whole text (streamCall.ts). Where they need more than the text, or need it before the response starts, the
 * fix is refused with the reason, so that nothing the handler did is lost:
 *   - the response object used for more than its text (`message.usage`, `message.id`, the object itself);
 *   - a branch on the answer or an early `return`/`raise` after the call (the status has already been sent);
 *   - a final `return` that carries more than the text (`{"reply": text, "sources": docs}`, `transform(text)`);
 *   - another LLM call in the handler, or the answer used inside a larger expression at the call.
 * Pure, on the syntax tree: the editor's diagnostics say why the fix is not offered as the user types.
 * The text of each API's answer is `message.content[0].text` (Anthropic Messages),
 * `completion.choices[0].message.content` (Chat Completions) and `response.output_text` (Responses).
 */
import type { SyntaxNode } from '../parser';
import { scopeBindings } from '../scopeBindings';
import { keywordArgument } from '../syntax';
import type { LlmCall } from './detect';
import type { LlmApi } from './sdks';

export interface AnswerUse {
  /** The statements after the call that run once the answer is complete, in order (the final return excluded). */
  readonly after: readonly SyntaxNode[];
  /** The name the after-statements and the return know the text by, when the handler binds one. */
  readonly textName: string | undefined;
  /** A statement `reply = message.content[0].text` that only names the text: its name is bound by the fix. */
  readonly namingStatement: SyntaxNode | undefined;
  /** Spellings of the text (`message.content[0].text`) inside `after`, to be replaced by the text's name. */
  readonly textExpressions: readonly SyntaxNode[];
}

export type AnswerUsePlan = ({ readonly ok: true } & AnswerUse) | { readonly ok: false; readonly reason: string };

export interface HandlerAnswer extends AnswerUse {
  readonly body: SyntaxNode;
  /** The statement of the handler's body that holds the call. */
  readonly statement: SyntaxNode;
  /** `response_model=...` on the route decorator, if any: the fix removes it (the response becomes SSE). */
  readonly responseModel: SyntaxNode | undefined;
}

/** The attribute path from the response object to its text, per API. */
const TEXT_PATH: Readonly<Record<LlmApi, readonly (string | number)[]>> = {
  'anthropic-messages': ['content', 0, 'text'],
  'chat-completions': ['choices', 0, 'message', 'content'],
  'openai-responses': ['output_text'],
};

/** Statements that choose what runs from what the answer says; `with` and `for` only use it. */
const BRANCHES = new Set(['if_statement', 'while_statement', 'try_statement', 'match_statement']);

/** At most this much of an expression is quoted in a reason. */
const QUOTED_LENGTH = 60;

/** What the route handler holding `call` does with its answer, or why the stream fix cannot keep it. */
export function readHandlerAnswer(
  call: LlmCall,
  calls: readonly LlmCall[],
): ({ readonly ok: true } & HandlerAnswer) | { readonly ok: false; readonly reason: string } {
  const handler = call.function;
  const body = handler?.childForFieldName('body');
  if (!handler || !body || !call.route) {
    return refuse('the call is not in a route handler');
  }
  const statement = statementIn(body, call.node);
  if (!statement || !['expression_statement', 'return_statement'].includes(statement.type)) {
    const compound = statement?.type.replace(/_statement$/, '') ?? 'compound';
    return refuse(
      compound === 'try'
        ? 'the call is inside a try statement of the handler: its error handling (a fallback answer) cannot run once the stream has started'
        : `the call is inside a compound statement (${compound}) of the handler`,
    );
  }
  const responseModel = keywordArgument(call.route.decorator.namedChildren[0]!, 'response_model');
  const returnType = handler.childForFieldName('return_type');
  const wrappers = new Set([responseModel?.text, returnType?.text].filter((t): t is string => t !== undefined));
  const use = readAnswerUse(call, calls, body, statement, wrappers);
  return use.ok ? { ...use, body, statement, responseModel } : use;
}

/** The statement of `body` that contains `node`. */
export function statementIn(body: SyntaxNode, node: SyntaxNode): SyntaxNode | undefined {
  for (let n: SyntaxNode | null = node; n; n = n.parent) {
    if (n.parent?.id === body.id) {
      return n;
    }
  }
  return undefined;
}

/**
 * Reads the handler around `statement` (the top-level statement of `body` holding the call). `wrappers` are the
 * names a final `return Wrapper(text)` may construct: the handler's return annotation and `response_model`.
 */
function readAnswerUse(call: LlmCall, calls: readonly LlmCall[], body: SyntaxNode, statement: SyntaxNode, wrappers: ReadonlySet<string>): AnswerUsePlan {
  const other = calls.find((c) => c !== call && c.function?.id === call.function?.id);
  if (other) {
    return refuse(`the handler makes another LLM call (line ${other.node.startPosition.row + 1}), which one stream cannot carry`);
  }
  const path = TEXT_PATH[call.api];
  const answer = awaitedCall(call);

  if (statement.type === 'return_statement') {
    const value = statement.namedChildren[0];
    return value && isTextish(value, (n) => isTextOf(n, answer, path), new Set())
      ? { ok: true, after: [], textName: undefined, namingStatement: undefined, textExpressions: [] }
      : refuse(`the handler returns ${quote(value ?? statement)}, which holds more than the answer's text`);
  }
  const assignment = statement.namedChildren[0];
  const target = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
  const value = assignment?.childForFieldName('right');
  if (!assignment || target?.type !== 'identifier' || !value || assignment.childForFieldName('type')) {
    return refuse(`the answer is not assigned to a name (${quote(statement)})`);
  }
  let responseName: string | undefined;
  let textName: string | undefined;
  if (value.id === answer.id) {
    responseName = target.text;
  } else if (isTextOf(value, answer, path)) {
    textName = target.text;
  } else {
    return refuse(`the answer is used inside ${quote(value)} at the call`);
  }

  const rest = body.namedChildren.filter((s): s is SyntaxNode => s !== null && s.startIndex > statement.startIndex && s.type !== 'comment');
  const finalReturn = rest.at(-1);
  if (finalReturn?.type !== 'return_statement') {
    return refuse('the handler does not end by returning the answer');
  }
  let after = rest.slice(0, -1);
  // `reply = message.content[0].text` right after the call only names the text: the fix binds that name itself.
  let namingStatement: SyntaxNode | undefined;
  const first = after[0]?.namedChildren[0];
  if (responseName && first?.type === 'assignment' && first.childForFieldName('left')?.type === 'identifier' && !first.childForFieldName('type')) {
    const right = first.childForFieldName('right');
    if (right && isTextOf(right, responseName, path)) {
      namingStatement = after[0];
      textName = first.childForFieldName('left')!.text;
      after = after.slice(1);
    }
  }

  const textExpressions: SyntaxNode[] = [];
  const names = new Set([textName, responseName].filter((n): n is string => n !== undefined));
  const handlerLocals = localsBefore(call.function!, body, statement);
  for (const s of after) {
    const line = s.startPosition.row + 1;
    const uses = usesOf(s, names);
    for (const use of uses) {
      if (use.text !== responseName) {
        continue;
      }
      const text = textExpressionAt(use, path);
      if (!text) {
        const whole = use.parent?.type === 'attribute' && use.parent.childForFieldName('object')?.id === use.id ? use.parent : use;
        const usage = whole.type === 'attribute' && whole.childForFieldName('attribute')?.text === 'usage';
        return refuse(
          usage
            ? `the handler uses ${quote(whole)} (line ${line}), the token usage, which the text stream does not report`
            : `the handler uses ${quote(whole)} (line ${line}), more of the response than its text`,
        );
      }
      textExpressions.push(text);
    }
    if (BRANCHES.has(s.type) && uses.length > 0) {
      return refuse(`the handler branches on the answer at line ${line}, which needs the whole text before the response starts`);
    }
    const exit = [...s.descendantsOfType(['return_statement', 'raise_statement'])].find((n) => n !== null && !inNestedScope(n, s));
    if (exit) {
      return refuse(
        `the handler can ${exit.type === 'return_statement' ? 'return' : 'raise'} at line ${exit.startPosition.row + 1}, after the response has started`,
      );
    }
    const rebound = boundNames(s).find((n) => handlerLocals.has(n) || names.has(n));
    if (rebound !== undefined) {
      return refuse(`the handler rebinds ${rebound} (line ${line}) after the call, which the code run at the end of the stream cannot do`);
    }
    const multiline = s.descendantsOfType('string').find((n) => n !== null && n.startPosition.row !== n.endPosition.row);
    if (multiline) {
      return refuse(`a multi-line string at line ${multiline.startPosition.row + 1} would change if re-indented`);
    }
    // What a statement computes from the answer (`title = reply.strip()`) is the answer too, for a later branch.
    if (uses.length > 0) {
      boundNames(s).forEach((n) => names.add(n));
    }
  }

  const returned = finalReturn.namedChildren[0];
  const isText = (n: SyntaxNode) =>
    (textName !== undefined && n.type === 'identifier' && n.text === textName) || (responseName !== undefined && isTextOf(n, responseName, path));
  if (!returned || !isTextish(returned, isText, wrappers)) {
    return refuse(`the handler returns ${quote(returned ?? finalReturn)}, which holds more than the answer's text`);
  }
  return { ok: true, after, textName, namingStatement, textExpressions };
}

function refuse(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

function quote(node: SyntaxNode): string {
  const text = node.text.replace(/\s+/g, ' ');
  return `\`${text.length > QUOTED_LENGTH ? `${text.slice(0, QUOTED_LENGTH - 1)}…` : text}\``;
}

/** The call, or the `await` around it. */
function awaitedCall(call: LlmCall): SyntaxNode {
  return call.node.parent?.type === 'await' ? call.node.parent : call.node;
}

/** Parentheses around an expression do not change it. */
function unparenthesised(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.type === 'parenthesized_expression' && n.namedChildren.length === 1) {
    n = n.namedChildren[0]!;
  }
  return n;
}

/**
 * Whether `node` spells the text of `base` (a name, or the awaited call node itself) along `path`:
 * `base.content[0].text`.
 */
function isTextOf(node: SyntaxNode, base: string | SyntaxNode, path: readonly (string | number)[]): boolean {
  let n = unparenthesised(node);
  for (let i = path.length - 1; i >= 0; i--) {
    const step = path[i]!;
    if (typeof step === 'number') {
      const index = n.childForFieldName('subscript');
      if (n.type !== 'subscript' || index?.type !== 'integer' || Number(index.text) !== step) {
        return false;
      }
      n = unparenthesised(n.childForFieldName('value')!);
    } else {
      if (n.type !== 'attribute' || n.childForFieldName('attribute')?.text !== step) {
        return false;
      }
      n = unparenthesised(n.childForFieldName('object')!);
    }
  }
  return typeof base === 'string' ? n.type === 'identifier' && n.text === base : n.id === base.id;
}

/**
 * The text itself, `text or ""`, `{"key": text}` (one entry) or `Wrapper(text)` / `Wrapper(field=text)` for a
 * wrapper the route already declares (its return annotation or response model): what a text stream replaces.
 */
function isTextish(node: SyntaxNode, isText: (n: SyntaxNode) => boolean, wrappers: ReadonlySet<string>): boolean {
  const n = unparenthesised(node);
  if (isText(n)) {
    return true;
  }
  if (n.type === 'boolean_operator' && n.children.some((c) => c?.type === 'or')) {
    const right = n.childForFieldName('right');
    return isText(unparenthesised(n.childForFieldName('left')!)) && right?.type === 'string';
  }
  const only = (items: SyntaxNode[]) => (items.length === 1 ? items[0] : undefined);
  if (n.type === 'dictionary') {
    const pair = only(n.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment'));
    const value = pair?.type === 'pair' ? pair.childForFieldName('value') : null;
    return value !== null && value !== undefined && isTextish(value, isText, new Set());
  }
  if (n.type === 'call' && wrappers.has(n.childForFieldName('function')?.text ?? '')) {
    const argument = only((n.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is SyntaxNode => c !== null && c.type !== 'comment'));
    const value = argument?.type === 'keyword_argument' ? argument.childForFieldName('value') : argument;
    return value !== null && value !== undefined && isTextish(value, isText, new Set());
  }
  return false;
}

/** Identifier nodes in `node` that read one of `names` (not attribute names, keyword names or nested scopes' own). */
function usesOf(node: SyntaxNode, names: ReadonlySet<string>): SyntaxNode[] {
  return node.descendantsOfType('identifier').filter((n): n is SyntaxNode => {
    if (!n || !names.has(n.text)) {
      return false;
    }
    const parent = n.parent;
    if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === n.id) {
      return false;
    }
    return !(parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === n.id);
  });
}

/** The text expression (`message.content[0].text`) whose response name is `use`, if `use` starts one. */
function textExpressionAt(use: SyntaxNode, path: readonly (string | number)[]): SyntaxNode | undefined {
  let n: SyntaxNode = use;
  for (let i = 0; i < path.length; i++) {
    const parent = n.parent;
    if (!parent) {
      return undefined;
    }
    n = parent;
  }
  return isTextOf(n, use.text, path) ? n : undefined;
}

function inNestedScope(node: SyntaxNode, top: SyntaxNode): boolean {
  for (let n = node.parent; n && n.id !== top.id; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition') {
      return true;
    }
  }
  return false;
}

/** Names a statement binds in its scope: assignment, augmented assignment and `for` targets, `:=`, `with ... as`. */
function boundNames(statement: SyntaxNode): string[] {
  const names: string[] = [];
  const targets = [
    ...statement.descendantsOfType(['assignment', 'augmented_assignment', 'for_statement']).map((n) => n?.childForFieldName('left')),
    ...statement.descendantsOfType('named_expression').map((n) => n?.childForFieldName('name')),
    ...statement.descendantsOfType('as_pattern_target'),
  ];
  for (const target of targets) {
    if (!target || inNestedScope(target, statement)) {
      continue;
    }
    if (target.type === 'identifier') {
      names.push(target.text);
    } else {
      names.push(
        ...target
          .descendantsOfType('identifier')
          .filter((i) => i?.parent?.type !== 'attribute' && i?.parent?.type !== 'subscript')
          .map((i) => i!.text),
      );
    }
  }
  return names;
}

/** The handler's parameters and the names its body binds before `statement`. */
function localsBefore(handler: SyntaxNode, body: SyntaxNode, statement: SyntaxNode): Set<string> {
  const names = new Set<string>();
  for (const p of handler.childForFieldName('parameters')?.namedChildren ?? []) {
    const name = p?.type === 'identifier' ? p : (p?.childForFieldName('name') ?? p?.namedChildren.find((c) => c?.type === 'identifier'));
    if (name) {
      names.add(name.text);
    }
  }
  for (const binding of scopeBindings(body)) {
    if (binding.target.type === 'identifier' && binding.target.startIndex < statement.startIndex) {
      names.add(binding.target.text);
    }
  }
  return names;
}
