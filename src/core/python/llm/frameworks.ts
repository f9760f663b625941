/**
 * LLM calls through frameworks rather than an SDK client: LiteLLM (`litellm.acompletion(...)`,
 * `litellm.completion(...)`, a `litellm.Router`'s methods) and LangChain chat models (`ChatOpenAI(...)`,
 * `ChatAnthropic(...)`, `init_chat_model(...)`, ...: `ainvoke`/`invoke` answer at once, `astream`/`stream`
 * stream). Findings only: there is no quick fix for them (the generated module has no adapter for their
 * streams yet). Names are resolved through the module's imports; a chat model is followed to where it is
 * made in the same function, the module, or `self.<name>` set in a method of the class.
 */
import type { ModuleAnalysis } from '../analysis';
import type { SyntaxNode } from '../parser';
import { scopeBindings, type Binding } from '../scopeBindings';
import { isAsyncFunction, keywordArgument, resolveQualifiedName, type Bindings } from '../syntax';
import { enclosingFunction, runsInWorkerThread } from './detect';

export type FrameworkProvider = 'litellm' | 'langchain';

export interface FrameworkCall {
  readonly provider: FrameworkProvider;
  /** As messages name it: `litellm.acompletion()`, `ChatOpenAI.ainvoke()`. */
  readonly label: string;
  readonly node: SyntaxNode;
  /** Where a diagnostic's underline ends: the callee. */
  readonly highlightEnd: number;
  readonly streams: boolean | 'unknown';
  /** A sync call (`completion`, `invoke`) and the async one to use instead. */
  readonly syncAlternative?: string;
  readonly function: SyntaxNode | null;
  readonly inAsyncFunction: boolean;
  readonly offloaded: boolean;
  /** The innermost function is a route handler. */
  readonly inRoute: boolean;
}

const LITELLM_FUNCTIONS: Readonly<Record<string, string | undefined>> = { acompletion: undefined, completion: 'acompletion' };
const LANGCHAIN_METHODS: Readonly<Record<string, { streams: boolean; syncAlternative?: string }>> = {
  ainvoke: { streams: false },
  invoke: { streams: false, syncAlternative: 'astream' },
  astream: { streams: true },
  astream_events: { streams: true },
  stream: { streams: true, syncAlternative: 'astream' },
};

/** The framework calls of a module, in source order (modules importing neither framework cost one text search). */
export function findFrameworkCalls(analysis: ModuleAnalysis): FrameworkCall[] {
  if (!analysis.source.includes('litellm') && !analysis.source.includes('langchain')) {
    return [];
  }
  const bindings = analysis.bindings;
  const found: FrameworkCall[] = [];
  for (const call of analysis.root.descendantsOfType('call')) {
    const callee = call?.childForFieldName('function');
    if (!call || !callee) {
      continue;
    }
    const qualified = resolveQualifiedName(callee, bindings);
    const last = callee.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee.text;
    if (last === undefined) {
      continue;
    }
    // litellm.acompletion(...), `from litellm import completion`, and a litellm.Router's methods.
    const routerCall = callee.type === 'attribute' && madeBy(callee.childForFieldName('object'), call, bindings, isLitellmRouter);
    if ((qualified === `litellm.${last}` || qualified === `litellm.main.${last}` || routerCall) && last in LITELLM_FUNCTIONS) {
      found.push(describe(analysis, call, callee, 'litellm', `litellm.${last}()`, streamArgument(call), LITELLM_FUNCTIONS[last]));
      continue;
    }
    const method = LANGCHAIN_METHODS[last];
    if (method && callee.type === 'attribute') {
      const model = madeBy(callee.childForFieldName('object'), call, bindings, isChatModel);
      if (model) {
        found.push(describe(analysis, call, callee, 'langchain', `LangChain ${model}.${last}()`, method.streams, method.syncAlternative));
      }
    }
  }
  return found;
}

function describe(
  analysis: ModuleAnalysis,
  call: SyntaxNode,
  callee: SyntaxNode,
  provider: FrameworkProvider,
  label: string,
  streams: boolean | 'unknown',
  syncAlternative: string | undefined,
): FrameworkCall {
  const fn = enclosingFunction(call);
  return {
    provider,
    label,
    node: call,
    highlightEnd: callee.endIndex,
    streams,
    ...(syncAlternative !== undefined ? { syncAlternative } : {}),
    function: fn,
    inAsyncFunction: fn !== null && isAsyncFunction(fn),
    offloaded: runsInWorkerThread(call),
    inRoute: fn !== null && analysis.routeResolver.routeOf(fn) !== null,
  };
}

function streamArgument(call: SyntaxNode): boolean | 'unknown' {
  const value = keywordArgument(call, 'stream');
  return value === undefined || value.type === 'false' ? false : value.type === 'true' ? true : 'unknown';
}

function isLitellmRouter(qualified: string): string | undefined {
  return qualified === 'litellm.Router' || qualified === 'litellm.router.Router' ? 'Router' : undefined;
}

/** A LangChain chat model class or factory: its display name. */
function isChatModel(qualified: string): string | undefined {
  if (!qualified.startsWith('langchain')) {
    return undefined;
  }
  const last = qualified.split('.').pop() ?? '';
  return last.includes('Chat') ? last : last === 'init_chat_model' ? 'chat model' : undefined;
}

/**
 * What made the object a method is called on, when `test` accepts the qualified name of the class (or
 * factory) that made it: `llm.ainvoke` with `llm = ChatOpenAI(...)` in the function, an enclosing one or the
 * module; `ChatOpenAI(...).ainvoke`; `self.llm` set in a method of the class; a parameter annotated with it.
 */
function madeBy(object: SyntaxNode | null, at: SyntaxNode, bindings: Bindings, test: (qualified: string) => string | undefined): string | undefined {
  if (!object) {
    return undefined;
  }
  if (object.type === 'call') {
    const qualified = resolveQualifiedName(object.childForFieldName('function'), bindings);
    return qualified === undefined ? undefined : test(qualified);
  }
  const fromBinding = (binding: Binding | undefined): string | undefined => {
    const annotated = binding?.annotation ? resolveQualifiedName(binding.annotation.namedChildren[0] ?? binding.annotation, bindings) : undefined;
    if (annotated !== undefined && test(annotated)) {
      return test(annotated);
    }
    return binding?.value ? madeBy(binding.value.type === 'call' ? binding.value : null, at, bindings, test) : undefined;
  };
  const fn = enclosingFunction(at);
  if (object.type === 'identifier') {
    for (let scope = fn; scope; scope = enclosingFunction(scope)) {
      for (const parameter of scope.childForFieldName('parameters')?.namedChildren ?? []) {
        const name = parameter?.type === 'identifier' ? parameter.text : (parameter?.childForFieldName('name')?.text ?? parameter?.namedChildren[0]?.text);
        if (name === object.text) {
          const type = parameter?.childForFieldName('type');
          const qualified = type ? resolveQualifiedName(type.namedChildren[0] ?? type, bindings) : undefined;
          return qualified === undefined ? undefined : test(qualified);
        }
      }
      const body = scope.childForFieldName('body');
      const binding = body ? lastBinding(scopeBindings(body), (t) => t.type === 'identifier' && t.text === object.text) : undefined;
      if (binding) {
        return fromBinding(binding);
      }
    }
    let root: SyntaxNode = at;
    while (root.parent) {
      root = root.parent;
    }
    return fromBinding(lastBinding(scopeBindings(root), (t) => t.type === 'identifier' && t.text === object.text));
  }
  // self.llm, set in any method of the class (or declared in its body).
  const self = object.childForFieldName('object');
  const attribute = object.childForFieldName('attribute')?.text;
  let cls = fn?.parent;
  if (cls?.type === 'decorated_definition') {
    cls = cls.parent;
  }
  cls = cls?.type === 'block' ? cls.parent : null;
  if (object.type !== 'attribute' || self?.type !== 'identifier' || attribute === undefined || cls?.type !== 'class_definition') {
    return undefined;
  }
  const body = cls.childForFieldName('body');
  for (const method of body?.descendantsOfType('function_definition') ?? []) {
    const methodBody = method?.childForFieldName('body');
    const binding = methodBody
      ? lastBinding(
          scopeBindings(methodBody),
          (t) => t.type === 'attribute' && t.childForFieldName('object')?.text === self.text && t.childForFieldName('attribute')?.text === attribute,
        )
      : undefined;
    const made = fromBinding(binding);
    if (made) {
      return made;
    }
  }
  return body ? fromBinding(lastBinding(scopeBindings(body), (t) => t.type === 'identifier' && t.text === attribute)) : undefined;
}

function lastBinding(bindings: readonly Binding[], matches: (target: SyntaxNode) => boolean): Binding | undefined {
  return bindings.filter((b) => matches(b.target)).pop();
}
