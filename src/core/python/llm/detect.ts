/**
 * Finds LLM calls ("LLM nodes") in a Python module: Anthropic, OpenAI and Groq SDK calls that produce a
 * completion, each with the client followed to where it is made, whether it already streams, and the
 * function (and FastAPI route) it sits in. Pure: tree in, facts out.
 */
import type { SyntaxNode, Tree } from '../parser';
import { RouteResolver, type RouteHandler } from '../routes';
import { scopeBindings, type Binding } from '../scopeBindings';
import { isAsyncFunction, methodCallsNamed } from '../syntax';
import { readSdkImports, resolveClassReference, type SdkImports } from './sdkImports';
import { COMPLETION_METHODS, clientClass, type ClientClass, type CompletionMethod, type LlmApi, type LlmProvider } from './sdks';

export type ClientSite =
  /** `client = AsyncOpenAI()` at module level. */
  | 'module'
  /** Made, or annotated, in the enclosing function (or an enclosing one). */
  | 'function'
  /** A parameter annotated with the client class, e.g. a FastAPI dependency. */
  | 'parameter'
  /** `self.client`, set in a method (usually `__init__`) or declared in the class body. */
  | 'self'
  /** `AsyncOpenAI().chat.completions.create(...)`. */
  | 'inline'
  /** The SDK's module-level default client: `openai.chat.completions.create(...)`. */
  | 'sdk-module';

export interface LlmClient {
  readonly cls: ClientClass;
  readonly site: ClientSite;
  /** The receiver as written before the method path: `client`, `self.llm`, `openai`. */
  readonly receiver: SyntaxNode;
  /** The constructor call (`AsyncOpenAI(...)`) when the client is made in this module. */
  readonly construction: SyntaxNode | null;
  /** The expression naming the class at the construction or annotation (`AsyncOpenAI`, `openai.OpenAI`, `Claude`). */
  readonly classReference: SyntaxNode | null;
}

export interface LlmCall {
  readonly provider: LlmProvider;
  readonly api: LlmApi;
  /** e.g. "chat.completions.create". */
  readonly method: string;
  readonly methodSpec: CompletionMethod;
  /** The whole `call` node. */
  readonly node: SyntaxNode;
  /** The `create`/`stream` identifier: where a diagnostic points. */
  readonly methodName: SyntaxNode;
  /** true: `stream=True` or `.messages.stream(...)`; false: no `stream=` or `stream=False`; "unknown": `stream=<expr>`. */
  readonly streams: boolean | 'unknown';
  /** The `stream=` keyword argument when present. */
  readonly streamArgument: SyntaxNode | null;
  /** Whether the arguments include a `**spread` (which might carry `stream` at run time). */
  readonly kwargsSpread: boolean;
  readonly client: LlmClient;
  /** Whether the call is the operand of `await`. */
  readonly awaited: boolean;
  /** The innermost function the call is in; null at module level. */
  readonly function: SyntaxNode | null;
  readonly inAsyncFunction: boolean;
  /** The FastAPI route whose handler is that innermost function, or null. */
  readonly route: RouteHandler | null;
}

/** The method names the completion methods end with (`create`, `stream`). */
const METHOD_NAMES = [...new Set(COMPLETION_METHODS.map((m) => m.path[m.path.length - 1]!))];

export interface FindLlmCallsOptions {
  /**
   * Tells whether a function is a route handler (../routes.ts, the one route detector). Callers holding a
   * module analysis pass its resolver so the owners it already read are reused; made here otherwise.
   */
  readonly routes?: RouteResolver;
}

/** All LLM calls in the module, in source order. Calls whose client cannot be resolved to an SDK class are left out. */
export function findLlmCalls(tree: Tree, options: FindLlmCallsOptions = {}): LlmCall[] {
  const root = tree.rootNode;
  const imports = readSdkImports(root);
  if (imports.classes.size === 0 && imports.modules.size === 0) {
    return [];
  }
  const routes = options.routes ?? new RouteResolver(root);
  const context = new ResolutionContext(root, imports, (fn) => routes.routeOf(fn));
  const calls: LlmCall[] = [];
  for (const { call: node, methodName } of methodCallsNamed(tree.rootNode, METHOD_NAMES)) {
    const call = describeCall(node, methodName, context);
    if (call) {
      calls.push(call);
    }
  }
  return calls;
}

/**
 * The innermost LLM call whose text touches [start, end] (a cursor or a selection), resolving only the calls
 * around it: what a code action request needs, without the cost of describing every call in the module.
 */
export function findLlmCallAt(tree: Tree, start: number, end: number, options: FindLlmCallsOptions = {}): LlmCall | undefined {
  const root = tree.rootNode;
  const imports = readSdkImports(root);
  if (imports.classes.size === 0 && imports.modules.size === 0) {
    return undefined;
  }
  const routes = options.routes ?? new RouteResolver(root);
  const context = new ResolutionContext(root, imports, (fn) => routes.routeOf(fn));
  for (let node: SyntaxNode | null = root.descendantForIndex(start, end); node; node = node.parent) {
    if (node.type !== 'call') {
      continue;
    }
    const methodName = node.childForFieldName('function')?.childForFieldName('attribute');
    if (methodName && METHOD_NAMES.includes(methodName.text)) {
      const call = describeCall(node, methodName, context);
      if (call) {
        return call;
      }
    }
  }
  return undefined;
}

function describeCall(node: SyntaxNode, methodName: SyntaxNode, context: ResolutionContext): LlmCall | undefined {
  const matched = matchMethod(node.childForFieldName('function'));
  if (!matched) {
    return undefined;
  }
  const { methodSpec, receiver } = matched;
  const fn = enclosingFunction(node);
  const client = context.resolveClient(receiver, fn, methodSpec);
  if (!client || !methodSpec.providers.includes(client.cls.provider)) {
    return undefined;
  }
  const args = node.childForFieldName('arguments');
  const streamArgument = args?.namedChildren.find((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'stream') ?? null;
  const streamValue = streamArgument?.childForFieldName('value');
  const streams = methodSpec.alwaysStreams
    ? true
    : streamValue === undefined || streamValue?.type === 'false'
      ? false
      : streamValue?.type === 'true'
        ? true
        : 'unknown';
  return {
    provider: client.cls.provider,
    api: methodSpec.api,
    method: methodSpec.path.join('.'),
    methodSpec,
    node,
    methodName,
    streams,
    streamArgument,
    kwargsSpread: args?.namedChildren.some((a) => a?.type === 'dictionary_splat') ?? false,
    client,
    awaited: node.parent?.type === 'await',
    function: fn,
    inAsyncFunction: fn !== null && isAsyncFunction(fn),
    route: fn ? context.routeOf(fn) : null,
  };
}

/** The completion method a callee spells (`<receiver>.chat.completions.create`), and the receiver before it. */
function matchMethod(callee: SyntaxNode | null): { methodSpec: CompletionMethod; receiver: SyntaxNode } | undefined {
  for (const methodSpec of COMPLETION_METHODS) {
    let node = callee;
    for (let i = methodSpec.path.length - 1; i >= 0 && node; i--) {
      node = node.type === 'attribute' && node.childForFieldName('attribute')?.text === methodSpec.path[i] ? node.childForFieldName('object') : null;
    }
    if (node) {
      return { methodSpec, receiver: node };
    }
  }
  return undefined;
}

export function enclosingFunction(node: SyntaxNode): SyntaxNode | null {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition') {
      return n;
    }
  }
  return null;
}

/** Resolves receivers to clients, caching what a whole scope knows. */
class ResolutionContext {
  private moduleBindings: Binding[] | undefined;
  private readonly classAttributes = new Map<number, Binding[]>();

  constructor(
    readonly root: SyntaxNode,
    private readonly imports: SdkImports,
    readonly routeOf: (fn: SyntaxNode) => RouteHandler | null,
  ) {}

  resolveClient(receiver: SyntaxNode, fn: SyntaxNode | null, method: CompletionMethod): LlmClient | undefined {
    if (receiver.type === 'call') {
      const made = this.construction(receiver);
      return made && { ...made, site: 'inline', receiver };
    }
    if (receiver.type === 'identifier') {
      return this.resolveName(receiver, fn, method);
    }
    if (receiver.type === 'attribute') {
      return this.resolveSelfAttribute(receiver, fn);
    }
    return undefined;
  }

  private resolveName(receiver: SyntaxNode, fn: SyntaxNode | null, method: CompletionMethod): LlmClient | undefined {
    const name = receiver.text;
    for (let scope = fn; scope; scope = enclosingFunction(scope)) {
      const parameter = parameterNamed(scope, name);
      if (parameter) {
        const annotated = resolveClassReference(parameter.childForFieldName('type') ?? null, this.imports);
        return annotated && { cls: annotated.cls, site: 'parameter', receiver, construction: null, classReference: annotated.reference };
      }
      const body = scope.childForFieldName('body');
      const binding = body && lastBindingBefore(scopeBindings(body), name, receiver.startIndex);
      if (binding) {
        return this.fromBinding(binding, 'function', receiver);
      }
    }
    this.moduleBindings ??= scopeBindings(this.root);
    const binding = lastBindingBefore(this.moduleBindings, name, Number.POSITIVE_INFINITY);
    if (binding) {
      return this.fromBinding(binding, 'module', receiver);
    }
    // `import openai` then `openai.chat.completions.create(...)`: the SDK's default (sync) client.
    const module = this.imports.modules.get(name);
    if (module === 'openai' && method.api !== 'anthropic-messages') {
      const cls = clientClass('openai', 'OpenAI')!;
      return { cls, site: 'sdk-module', receiver, construction: null, classReference: null };
    }
    return undefined;
  }

  private resolveSelfAttribute(receiver: SyntaxNode, fn: SyntaxNode | null): LlmClient | undefined {
    const object = receiver.childForFieldName('object');
    const attribute = receiver.childForFieldName('attribute')?.text;
    const cls = fn ? enclosingClass(fn) : null;
    if (object?.type !== 'identifier' || attribute === undefined || !cls || object.text !== firstParameterName(fn!)) {
      return undefined;
    }
    const bindings = this.attributesOf(cls);
    const binding = [...bindings].reverse().find((b) => {
      const target = b.target;
      return target.type === 'attribute'
        ? target.childForFieldName('attribute')?.text === attribute && target.childForFieldName('object')?.type === 'identifier'
        : target.text === attribute;
    });
    return binding ? this.fromBinding(binding, 'self', receiver) : undefined;
  }

  /** `self.x = ...` in every method of the class, and `x: T` / `x = ...` in its body. */
  private attributesOf(cls: SyntaxNode): Binding[] {
    let bindings = this.classAttributes.get(cls.id);
    if (!bindings) {
      const body = cls.childForFieldName('body');
      bindings = body ? scopeBindings(body) : [];
      for (const method of body ? methods(body) : []) {
        const self = firstParameterName(method);
        const methodBody = method.childForFieldName('body');
        if (self && methodBody) {
          bindings.push(...scopeBindings(methodBody).filter((b) => b.target.type === 'attribute' && b.target.childForFieldName('object')?.text === self));
        }
      }
      this.classAttributes.set(cls.id, bindings);
    }
    return bindings;
  }

  private fromBinding(binding: Binding, site: ClientSite, receiver: SyntaxNode): LlmClient | undefined {
    const annotated = resolveClassReference(binding.annotation, this.imports);
    const made = binding.value ? this.construction(binding.value) : undefined;
    if (annotated) {
      return { cls: annotated.cls, site, receiver, construction: made?.construction ?? null, classReference: made?.classReference ?? annotated.reference };
    }
    return made && { ...made, site, receiver };
  }

  private construction(value: SyntaxNode): Omit<LlmClient, 'site' | 'receiver'> | undefined {
    if (value.type !== 'call') {
      return undefined;
    }
    const resolved = resolveClassReference(value.childForFieldName('function'), this.imports);
    return resolved && { cls: resolved.cls, construction: value, classReference: resolved.reference };
  }
}

function lastBindingBefore(bindings: readonly Binding[], name: string, before: number): Binding | undefined {
  let found: Binding | undefined;
  for (const binding of bindings) {
    if (binding.target.type === 'identifier' && binding.target.text === name) {
      // Prefer the last binding before the use; a function's later rebinding still tells the class.
      if (binding.target.startIndex < before || !found) {
        found = binding;
      }
    }
  }
  return found;
}

function parameterNamed(fn: SyntaxNode, name: string): SyntaxNode | undefined {
  const parameters = fn.childForFieldName('parameters');
  return (
    parameters?.namedChildren.find((p) => {
      if (!p) {
        return false;
      }
      if (p.type === 'identifier') {
        return p.text === name;
      }
      const own = p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier');
      return own?.text === name;
    }) ?? undefined
  );
}

function firstParameterName(fn: SyntaxNode): string | undefined {
  const first = fn.childForFieldName('parameters')?.namedChildren[0];
  if (!first) {
    return undefined;
  }
  return first.type === 'identifier' ? first.text : (first.childForFieldName('name') ?? first.namedChildren[0])?.text;
}

function enclosingClass(fn: SyntaxNode): SyntaxNode | null {
  // A method: function_definition (maybe decorated) directly in the class body block.
  let n = fn.parent;
  if (n?.type === 'decorated_definition') {
    n = n.parent;
  }
  return n?.type === 'block' && n.parent?.type === 'class_definition' ? n.parent : null;
}

function methods(classBody: SyntaxNode): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  for (const child of classBody.namedChildren) {
    const definition = child?.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
    if (definition?.type === 'function_definition') {
      found.push(definition);
    }
  }
  return found;
}
