/**
 * Finds LLM calls ("LLM nodes") in a Python module: Anthropic, OpenAI and Groq SDK calls that produce a
 * completion, each with the client followed to where it is made, whether it already streams, and the
 * function (and FastAPI route) it sits in. Pure: tree in, facts out.
 */
import type { SyntaxNode, Tree } from '../parser';
import { RouteResolver, type RouteHandler } from '../routes';
import { scopeBindings, type Binding } from '../scopeBindings';
import { dottedText, isAsyncFunction, keywordArgument, methodCallsNamed, positionalArguments, stringValue } from '../syntax';
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
  | 'sdk-module'
  /** Returned by a factory function: `get_client().chat...`, `client = get_client()`, `Depends(get_client)`. */
  | 'factory'
  /** `app.state.llm` / `request.app.state.llm`, set to a client (here or in another module). */
  | 'state'
  /** An entry of a dict of clients: `clients["llm"]`. */
  | 'entry'
  /** A module-level client of another module of the workspace: `from app.llm import client`. */
  | 'imported';

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
  /**
   * The call runs in a worker thread, off the event loop: it is inside the arguments of
   * `loop.run_in_executor(...)`, `asyncio.to_thread(...)`, `run_in_threadpool(...)` or `anyio.to_thread.run_sync(...)`
   * (e.g. `lambda: client.chat.completions.create(...)`).
   */
  readonly offloaded: boolean;
}

/** The method names the completion methods end with (`create`, `stream`). */
const METHOD_NAMES = [...new Set(COMPLETION_METHODS.map((m) => m.path[m.path.length - 1]!))];

export interface FindLlmCallsOptions {
  /**
   * Tells whether a function is a route handler (../routes.ts, the one route detector). Callers holding a
   * module analysis pass its resolver so the owners it already read are reused; made here otherwise.
   */
  readonly routes?: RouteResolver;
  /** What the workspace knows about names this module imports (clients made in other modules). */
  readonly external?: ImportedClients;
}

/** All LLM calls in the module, in source order. Calls whose client cannot be resolved to an SDK class are left out. */
export function findLlmCalls(tree: Tree, options: FindLlmCallsOptions = {}): LlmCall[] {
  const context = moduleClients(tree, options);
  if (!context) {
    return [];
  }
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
  const context = moduleClients(tree, options);
  if (!context) {
    return undefined;
  }
  for (let node: SyntaxNode | null = tree.rootNode.descendantForIndex(start, end); node; node = node.parent) {
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

/**
 * The resolver of a module's clients; undefined when the module cannot hold any (it imports no SDK and the
 * workspace knows no clients it could import).
 */
export function moduleClients(tree: Tree, options: FindLlmCallsOptions = {}): ModuleClients | undefined {
  const root = tree.rootNode;
  const imports = readSdkImports(root);
  if (imports.classes.size === 0 && imports.modules.size === 0 && !options.external) {
    return undefined;
  }
  const routes = options.routes ?? new RouteResolver(root);
  return new ModuleClients(root, imports, (fn) => routes.routeOf(fn), options.external);
}

function describeCall(node: SyntaxNode, methodName: SyntaxNode, context: ModuleClients): LlmCall | undefined {
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
    offloaded: runsInWorkerThread(node),
  };
}

/** Calls whose arguments run in a worker thread, not on the event loop. */
const OFFLOADERS = new Set(['run_in_executor', 'to_thread', 'run_in_threadpool', 'run_sync']);

/** Whether `node` sits in the arguments of an offloading call (within its own function). */
export function runsInWorkerThread(node: SyntaxNode): boolean {
  for (let n = node.parent; n && n.type !== 'function_definition'; n = n.parent) {
    if (n.type === 'argument_list' && n.parent?.type === 'call') {
      const callee = n.parent.childForFieldName('function');
      const name = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
      if (name !== undefined && OFFLOADERS.has(name)) {
        return true;
      }
    }
  }
  return false;
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

/** How a name imported from another module is used, for the workspace to answer (see ImportedClients). */
export type ClientUse = { readonly kind: 'value' } | { readonly kind: 'call' } | { readonly kind: 'entry'; readonly key: string };

/**
 * What the rest of the workspace knows, for names this module does not bind itself: a client imported from
 * another module (`from app.llm import client`), a factory imported from one (`get_client()`), a dict of
 * clients (`clients["llm"]`), and `app.state.<name>` set in another module (`request.app.state.llm`).
 */
export interface ImportedClients {
  /** `dotted`: the name as written here (`client`, `llm.get_client`), resolved through this module's imports. */
  resolve(dotted: string, use: ClientUse, depth: number): ClientClass | undefined;
  state(attribute: string, depth: number): ClientClass | undefined;
  /**
   * The client the callers pass for parameter `name` of `fn` (a function of this module) when nothing here
   * tells its class: `generate_reply(client, prompt)` with `client` from `Depends(get_openai)` in the route.
   */
  argument(fn: SyntaxNode, name: string, depth: number): ClientClass | undefined;
}

/**
 * Nesting of the resolution, each step one hop (a name to its binding, a call to what the factory returns, a
 * parameter to the argument a caller passes, an import to the module that binds it): a client passed through
 * a provider, a route and two helpers is about 8 steps. Cycles end here too.
 */
export const MAX_RESOLUTION_DEPTH = 12;

type MadeClient = Omit<LlmClient, 'receiver'>;

/** Resolves receivers to clients, caching what a whole scope knows. Exported for the workspace, which asks a module about its names. */
export class ModuleClients {
  private moduleBindings: Binding[] | undefined;
  private readonly classAttributes = new Map<number, Binding[]>();
  private readonly returns = new Map<number, MadeClient | null>();
  private assignments: SyntaxNode[] | undefined;
  private topFunctions: Map<string, SyntaxNode> | undefined;

  constructor(
    readonly root: SyntaxNode,
    private readonly imports: SdkImports,
    readonly routeOf: (fn: SyntaxNode) => RouteHandler | null,
    private readonly external?: ImportedClients,
  ) {}

  resolveClient(receiver: SyntaxNode, fn: SyntaxNode | null, method: CompletionMethod): LlmClient | undefined {
    const made = this.classOf(receiver, fn, 0);
    if (made) {
      return { ...made, receiver };
    }
    // `import openai` then `openai.chat.completions.create(...)`: the SDK's default (sync) client.
    if (receiver.type === 'identifier' && this.imports.modules.get(receiver.text) === 'openai' && method.api !== 'anthropic-messages') {
      const cls = clientClass('openai', 'OpenAI')!;
      return { cls, site: 'sdk-module', receiver, construction: null, classReference: null };
    }
    return undefined;
  }

  /** The client a module-level name holds, as `use` uses it: what another module importing it sees. */
  moduleName(name: string, use: ClientUse, depth: number): ClientClass | undefined {
    if (depth > MAX_RESOLUTION_DEPTH) {
      return undefined;
    }
    if (use.kind === 'call') {
      const found = this.functionsByName().get(name);
      const fn = found?.type === 'function_definition' ? found : undefined;
      return fn ? this.functionReturns(fn, depth + 1)?.cls : this.external?.resolve(name, use, depth + 1);
    }
    if (use.kind === 'entry') {
      return this.entryClass(name, use.key, null, depth + 1)?.cls;
    }
    const [className, attribute, ...rest] = name.split('.');
    if (attribute !== undefined && rest.length === 0) {
      return this.classAttribute(className!, attribute, depth + 1)?.cls;
    }
    this.moduleBindings ??= scopeBindings(this.root);
    const binding = lastBindingBefore(this.moduleBindings, name, Number.POSITIVE_INFINITY);
    if (binding) {
      return this.fromBinding(binding, 'module', null, depth + 1)?.cls;
    }
    return this.external?.resolve(name, use, depth + 1);
  }

  /** The client an expression of this module holds, in `fn` (null: at module level). */
  expressionClient(expression: SyntaxNode, fn: SyntaxNode | null, depth: number): ClientClass | undefined {
    return this.classOf(expression, fn, depth)?.cls;
  }

  /** `<x>.state.<attribute> = <client>` anywhere in this module (usually in a lifespan or startup handler). */
  stateAttribute(attribute: string, depth: number): MadeClient | undefined {
    if (depth > MAX_RESOLUTION_DEPTH) {
      return undefined;
    }
    for (const assignment of this.allAssignments()) {
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right');
      if (left?.type === 'attribute' && right && left.childForFieldName('attribute')?.text === attribute && isStateObject(left.childForFieldName('object'))) {
        const made = this.classOf(right, enclosingFunction(assignment), depth + 1);
        if (made) {
          return { ...made, site: 'state' };
        }
      }
    }
    return undefined;
  }

  /** `Assistant.client`: a client the class body (or a method, on `self`) binds, read through the class of this module. */
  private classAttribute(className: string, attribute: string, depth: number): MadeClient | undefined {
    const definition = this.functionsByName().get(className);
    if (definition?.type !== 'class_definition' || depth > MAX_RESOLUTION_DEPTH) {
      return undefined;
    }
    const binding = [...this.attributesOf(definition)].reverse().find((b) => attributeName(b.target) === attribute);
    return binding ? this.fromBinding(binding, 'self', enclosingFunction(binding.target), depth + 1) : undefined;
  }

  private classOf(expression: SyntaxNode, fn: SyntaxNode | null, depth: number): MadeClient | undefined {
    if (depth > MAX_RESOLUTION_DEPTH) {
      return undefined;
    }
    switch (expression.type) {
      case 'call':
        return this.construction(expression) ?? this.factoryCall(expression, fn, depth);
      case 'await':
        return expression.namedChildren[0] ? this.classOf(expression.namedChildren[0], fn, depth + 1) : undefined;
      case 'identifier':
        return this.resolveName(expression, fn, depth);
      case 'attribute': {
        const self = this.resolveSelfAttribute(expression, fn, depth);
        if (self) {
          return self;
        }
        const attribute = expression.childForFieldName('attribute')?.text;
        const object = expression.childForFieldName('object');
        const ofClass = object?.type === 'identifier' && attribute !== undefined ? this.classAttribute(object.text, attribute, depth + 1) : undefined;
        if (ofClass) {
          return ofClass;
        }
        if (attribute !== undefined && isStateObject(object)) {
          return this.stateAttribute(attribute, depth + 1) ?? this.imported(() => this.external?.state(attribute, depth + 1), 'state');
        }
        const dotted = dottedText(expression);
        return dotted === undefined ? undefined : this.imported(() => this.external?.resolve(dotted, { kind: 'value' }, depth + 1), 'imported');
      }
      case 'subscript': {
        const value = expression.childForFieldName('value');
        const key = stringValue(expression.childForFieldName('subscript'));
        return value?.type === 'identifier' && key !== undefined ? this.entryClass(value.text, key, fn, depth + 1) : undefined;
      }
      default:
        return undefined;
    }
  }

  private imported(resolve: () => ClientClass | undefined, site: ClientSite): MadeClient | undefined {
    const cls = resolve();
    return cls && { cls, site, construction: null, classReference: null };
  }

  private resolveName(receiver: SyntaxNode, fn: SyntaxNode | null, depth: number): MadeClient | undefined {
    const name = receiver.text;
    for (let scope = fn; scope; scope = enclosingFunction(scope)) {
      const parameter = parameterNamed(scope, name);
      if (parameter) {
        return this.parameterClass(parameter, scope, depth);
      }
      const body = scope.childForFieldName('body');
      const binding = body && lastBindingBefore(scopeBindings(body), name, receiver.startIndex);
      if (binding) {
        return this.fromBinding(binding, 'function', scope, depth + 1);
      }
    }
    this.moduleBindings ??= scopeBindings(this.root);
    const binding = lastBindingBefore(this.moduleBindings, name, Number.POSITIVE_INFINITY);
    if (binding) {
      return this.fromBinding(binding, 'module', null, depth + 1);
    }
    return this.imported(() => this.external?.resolve(name, { kind: 'value' }, depth + 1), 'imported');
  }

  /** `client: AsyncOpenAI`, `client: Annotated[AsyncOpenAI, Depends(...)]`, or `client = Depends(get_client)`. */
  private parameterClass(parameter: SyntaxNode, fn: SyntaxNode, depth: number): MadeClient | undefined {
    const annotated = resolveClassReference(parameter.childForFieldName('type') ?? null, this.imports);
    if (annotated) {
      return { cls: annotated.cls, site: 'parameter', construction: null, classReference: annotated.reference };
    }
    const provider = dependencyProvider(parameter.childForFieldName('value'));
    const made = provider && this.factoryCallee(provider, fn, depth + 1);
    if (made) {
      return { ...made, site: 'parameter' };
    }
    // Nothing here says: what the callers pass (the workspace reads the call sites).
    const name = parameterOwnName(parameter);
    return name === undefined ? undefined : this.imported(() => this.external?.argument(fn, name, depth + 1), 'parameter');
  }

  private resolveSelfAttribute(receiver: SyntaxNode, fn: SyntaxNode | null, depth: number): MadeClient | undefined {
    const object = receiver.childForFieldName('object');
    const attribute = receiver.childForFieldName('attribute')?.text;
    const cls = fn ? enclosingClass(fn) : null;
    if (object?.type !== 'identifier' || attribute === undefined || !cls || object.text !== firstParameterName(fn!)) {
      return undefined;
    }
    const bindings = this.attributesOf(cls);
    const binding = [...bindings].reverse().find((b) => attributeName(b.target) === attribute);
    return binding ? this.fromBinding(binding, 'self', enclosingFunction(binding.target), depth + 1) : undefined;
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

  private fromBinding(binding: Binding, site: ClientSite, scope: SyntaxNode | null, depth: number): MadeClient | undefined {
    const annotated = resolveClassReference(binding.annotation, this.imports);
    const made = binding.value ? this.classOf(binding.value, scope, depth + 1) : undefined;
    if (annotated) {
      return { cls: annotated.cls, site, construction: made?.construction ?? null, classReference: made?.classReference ?? annotated.reference };
    }
    // A client made right here keeps the binding's site (the fixes edit the construction); one that comes from
    // elsewhere (a factory, app.state, another module) keeps where it came from.
    return made && { ...made, site: made.site === 'inline' ? site : made.site };
  }

  private construction(value: SyntaxNode): MadeClient | undefined {
    if (value.type !== 'call') {
      return undefined;
    }
    const resolved = resolveClassReference(value.childForFieldName('function'), this.imports);
    return resolved && { cls: resolved.cls, site: 'inline', construction: value, classReference: resolved.reference };
  }

  /** `get_client()`: a function of this module (or, through the workspace, another) that returns a client. */
  private factoryCall(call: SyntaxNode, fn: SyntaxNode | null, depth: number): MadeClient | undefined {
    const callee = call.childForFieldName('function');
    return callee ? this.factoryCallee(callee, fn, depth) : undefined;
  }

  private factoryCallee(callee: SyntaxNode, fn: SyntaxNode | null, depth: number): MadeClient | undefined {
    if (callee.type === 'identifier' && !(fn && parameterNamed(fn, callee.text))) {
      const local = this.functionsByName().get(callee.text);
      if (local?.type === 'function_definition') {
        const made = this.functionReturns(local, depth + 1);
        return made && { ...made, site: 'factory' };
      }
    }
    const dotted = dottedText(callee);
    return dotted === undefined ? undefined : this.imported(() => this.external?.resolve(dotted, { kind: 'call' }, depth + 1), 'factory');
  }

  /**
   * The client a function returns: by its return annotation (`-> AsyncOpenAI`, or for a yield dependency
   * `-> AsyncIterator[AsyncOpenAI]`), else by what it returns or yields.
   */
  private functionReturns(definition: SyntaxNode, depth: number): MadeClient | undefined {
    const cached = this.returns.get(definition.id);
    if (cached !== undefined || depth > MAX_RESOLUTION_DEPTH) {
      return cached ?? undefined;
    }
    // Cycles (a factory calling itself) end as "no client" while this one is being worked out.
    this.returns.set(definition.id, null);
    const annotation = definition.childForFieldName('return_type');
    const annotated = resolveClassReference(annotation, this.imports) ?? resolveClassReference(iteratedType(annotation), this.imports);
    let made: MadeClient | undefined = annotated && { cls: annotated.cls, site: 'factory', construction: null, classReference: annotated.reference };
    const body = definition.childForFieldName('body');
    for (const returned of made || !body ? [] : returnedValues(body)) {
      made = this.classOf(returned, definition, depth + 1);
      if (made) {
        break;
      }
    }
    this.returns.set(definition.id, made ?? null);
    return made;
  }

  /** `clients["llm"]`: a dict literal's entry, a `clients["llm"] = ...` assignment, or a `dict[str, AsyncOpenAI]` annotation. */
  private entryClass(name: string, key: string, fn: SyntaxNode | null, depth: number): MadeClient | undefined {
    if (depth > MAX_RESOLUTION_DEPTH) {
      return undefined;
    }
    this.moduleBindings ??= scopeBindings(this.root);
    const scopes: Array<{ bindings: Binding[]; scope: SyntaxNode | null }> = [];
    for (let scope = fn; scope; scope = enclosingFunction(scope)) {
      const body = scope.childForFieldName('body');
      scopes.push({ bindings: body ? scopeBindings(body) : [], scope });
    }
    scopes.push({ bindings: this.moduleBindings, scope: null });
    let bound = false;
    for (const { bindings, scope } of scopes) {
      const binding = lastBindingBefore(bindings, name, Number.POSITIVE_INFINITY);
      if (!binding) {
        continue;
      }
      bound = true;
      const valueType = mappingValueType(binding.annotation);
      const annotated = resolveClassReference(valueType, this.imports);
      if (annotated) {
        return { cls: annotated.cls, site: 'entry', construction: null, classReference: annotated.reference };
      }
      const entry = binding.value?.type === 'dictionary' ? dictionaryEntry(binding.value, key) : undefined;
      const made = entry && this.classOf(entry, scope, depth + 1);
      if (made) {
        return { ...made, site: 'entry' };
      }
      break;
    }
    for (const assignment of this.allAssignments()) {
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right');
      if (left?.type === 'subscript' && right && left.childForFieldName('value')?.text === name && stringValue(left.childForFieldName('subscript')) === key) {
        const made = this.classOf(right, enclosingFunction(assignment), depth + 1);
        if (made) {
          return { ...made, site: 'entry' };
        }
      }
    }
    return bound ? undefined : this.imported(() => this.external?.resolve(name, { kind: 'entry', key }, depth + 1), 'entry');
  }

  private allAssignments(): SyntaxNode[] {
    this.assignments ??= this.root.descendantsOfType('assignment').filter((a): a is SyntaxNode => a !== null);
    return this.assignments;
  }

  /** The module's top-level functions and classes by name. */
  private functionsByName(): Map<string, SyntaxNode> {
    if (!this.topFunctions) {
      this.topFunctions = new Map();
      for (const statement of this.root.namedChildren) {
        const definition = statement?.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
        const name =
          definition?.type === 'function_definition' || definition?.type === 'class_definition' ? definition.childForFieldName('name')?.text : undefined;
        if (name !== undefined) {
          this.topFunctions.set(name, definition!);
        }
      }
    }
    return this.topFunctions;
  }
}

/** `app.state`, `request.app.state`, `self.app.state`: an object whose last attribute is `state`. */
function isStateObject(node: SyntaxNode | null): boolean {
  return node?.type === 'attribute' && node.childForFieldName('attribute')?.text === 'state';
}

/** The provider of `Depends(get_client)` (or `fastapi.Depends(...)`), if `value` is one. */
export function dependencyProvider(value: SyntaxNode | null): SyntaxNode | undefined {
  if (value?.type !== 'call') {
    return undefined;
  }
  const callee = value.childForFieldName('function');
  const name = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
  return name === 'Depends' ? (positionalArguments(value)[0] ?? keywordArgument(value, 'dependency')) : undefined;
}

const ITERATORS = new Set(['AsyncIterator', 'AsyncGenerator', 'Iterator', 'Generator', 'AsyncIterable', 'Iterable']);

/** `AsyncIterator[X]` / `AsyncGenerator[X, None]` -> X (a yield dependency's value). */
function iteratedType(annotation: SyntaxNode | null): SyntaxNode | null {
  const node = annotation?.type === 'type' ? annotation.namedChildren[0] : annotation;
  if (node?.type !== 'generic_type' && node?.type !== 'subscript') {
    return null;
  }
  const generic = node.namedChildren[0];
  const name = generic?.type === 'attribute' ? generic.childForFieldName('attribute')?.text : generic?.text;
  if (name === undefined || !ITERATORS.has(name)) {
    return null;
  }
  const args =
    node.type === 'subscript' ? node.childrenForFieldName('subscript') : (node.namedChildren.find((c) => c?.type === 'type_parameter')?.namedChildren ?? []);
  return args[0] ?? null;
}

/** `dict[str, AsyncOpenAI]` / `Mapping[str, X]` -> X. */
function mappingValueType(annotation: SyntaxNode | null): SyntaxNode | null {
  const node = annotation?.type === 'type' ? annotation.namedChildren[0] : annotation;
  if (node?.type !== 'generic_type' && node?.type !== 'subscript') {
    return null;
  }
  const args =
    node.type === 'subscript' ? node.childrenForFieldName('subscript') : (node.namedChildren.find((c) => c?.type === 'type_parameter')?.namedChildren ?? []);
  return args.length === 2 ? (args[1] ?? null) : null;
}

function dictionaryEntry(dictionary: SyntaxNode, key: string): SyntaxNode | undefined {
  for (const pair of dictionary.namedChildren) {
    if (pair?.type === 'pair' && stringValue(pair.childForFieldName('key')) === key) {
      return pair.childForFieldName('value') ?? undefined;
    }
  }
  return undefined;
}

/** The values a function body returns or yields (not those of nested functions), in source order. */
function returnedValues(body: SyntaxNode): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  for (const node of body.descendantsOfType(['return_statement', 'yield'])) {
    if (!node || enclosingScope(node)?.id !== body.parent?.id) {
      continue;
    }
    const value = node.namedChildren[0];
    if (value && value.type !== 'expression_list') {
      found.push(value);
    }
  }
  return found.sort((a, b) => a.startIndex - b.startIndex);
}

function enclosingScope(node: SyntaxNode): SyntaxNode | null {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition') {
      return n;
    }
  }
  return null;
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

/** The attribute a class binding sets: `x` of `self.x = ...` or of `x = ...` / `x: T` in the class body. */
function attributeName(target: SyntaxNode): string | undefined {
  if (target.type === 'attribute') {
    return target.childForFieldName('object')?.type === 'identifier' ? target.childForFieldName('attribute')?.text : undefined;
  }
  return target.text;
}

function parameterOwnName(parameter: SyntaxNode): string | undefined {
  return parameter.type === 'identifier'
    ? parameter.text
    : (parameter.childForFieldName('name') ?? parameter.namedChildren.find((c) => c?.type === 'identifier'))?.text;
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
