/**
 * LLM findings across a workspace: the calls a route reaches through other functions, wherever they are.
 *
 * From every route handler, calls are followed to the functions and methods they run: functions of the
 * same module, of other modules (imports resolved through the package layout), methods on `self`, methods
 * of an object whose class is known (a parameter annotated with it, `Depends(provider)` and the class the
 * provider returns, `x = Service(...)`, `x = get_service()`), and the `Depends(...)` providers themselves.
 * A function runs on the event loop when an `async def` route (or an `async def` provider) calls it
 * directly; `def` routes and providers run in FastAPI's thread pool. Calls in the arguments of `run_in_executor`,
 * `to_thread`, `run_in_threadpool` run in a worker thread and are not followed. The search is breadth-first over (function, on the
 * event loop?) states, each visited once, to MAX_CALL_DEPTH calls from a route: linear, and cycles end.
 *
 * Clients are resolved across modules too (`from app.llm import client`, factories, dicts of clients,
 * `app.state.llm` set in another module): see ImportedClients in detect.ts.
 */
import type { ModuleAnalysis } from '../analysis';
import type { SyntaxNode } from '../parser';
import { scopeBindings } from '../scopeBindings';
import type { PythonWorkspace } from '../workspace';
import { dottedText, isAsyncFunction, keywordArgument } from '../syntax';
import {
  dependencyProvider,
  enclosingFunction,
  findLlmCalls,
  moduleClients,
  runsInWorkerThread,
  type ClientUse,
  type ImportedClients,
  type LlmCall,
  type ModuleClients,
  MAX_RESOLUTION_DEPTH,
} from './detect';
import { frameworkCallFindings, llmCallFindings, reachedCallFindings, sseFindings, type Finding, type ProjectFacts } from './findings';
import { findFrameworkCalls } from './frameworks';
import type { ClientClass } from './sdks';

/** Calls followed from a route before giving up (a handler -> service -> helper chain is 3). */
export const MAX_CALL_DEPTH = 8;

interface FunctionRef {
  readonly file: string;
  readonly node: SyntaxNode;
}

interface ClassRef {
  readonly file: string;
  readonly node: SyntaxNode;
}

type Symbol = { readonly kind: 'function' | 'class'; readonly file: string; readonly node: SyntaxNode };

interface ModuleState {
  readonly analysis: ModuleAnalysis;
  readonly symbols: ReadonlyMap<string, SyntaxNode>;
  clients?: ModuleClients | null;
  bindings?: ReturnType<typeof scopeBindings>;
}

export class WorkspaceDetection {
  private readonly modules = new Map<string, ModuleState>();
  private readonly reaches = new Map<string, { route?: string; eventLoopRoute?: string }>();
  private graphBuilt = false;
  private readonly stateCache = new Map<string, ClientClass | null>();
  private readonly argumentCache = new Map<string, ClientClass | null>();
  private importedNamesIndex: Map<string, Set<string>> | undefined;
  private readonly stateClassCache = new Map<string, ClassRef | null>();

  constructor(
    private readonly workspace: PythonWorkspace,
    private readonly facts: ProjectFacts = {},
  ) {}

  /** Every finding of one file: where calls are written, where routes reach them, and the SSE setup. */
  async findings(file: string): Promise<Finding[]> {
    await this.buildGraph();
    const module = await this.module(file);
    if (!module) {
      return [];
    }
    const calls = this.callsOf(file, module);
    // Which names other modules import matters only for a sync client in async code (why it has no quick fix).
    const shared = calls.some((c) => c.inAsyncFunction && !c.client.cls.async) ? this.namesImportedFrom(file) : undefined;
    const found = [...llmCallFindings(calls, shared), ...sseFindings(module.analysis, this.facts)];
    for (const call of calls) {
      const reach = call.function ? this.reaches.get(key(file, call.function)) : undefined;
      if (reach) {
        found.push(...reachedCallFindings(call, reach, calls));
      }
    }
    for (const call of findFrameworkCalls(module.analysis)) {
      found.push(...frameworkCallFindings(call, call.function ? this.reaches.get(key(file, call.function)) : undefined));
    }
    return found.sort((a, b) => a.node.startIndex - b.node.startIndex);
  }

  /**
   * The top-level names of `file` that other modules of the workspace import: `from app.llm import client`,
   * and `llm.client` after `from app import llm` / `import app.llm as llm`. What a fix in `file` alone cannot
   * change safely (the async client fix: callers elsewhere would have to await).
   */
  async importedNames(file: string): Promise<ReadonlySet<string>> {
    await this.loadAll();
    return this.namesImportedFrom(file);
  }

  private namesImportedFrom(file: string): ReadonlySet<string> {
    this.importedNamesIndex ??= this.indexImportedNames();
    return this.importedNamesIndex.get(file) ?? new Set();
  }

  /** For every module, the names other modules import from it: one pass over every module's imports. */
  private indexImportedNames(): Map<string, Set<string>> {
    const index = new Map<string, Set<string>>();
    const add = (file: string, name: string) => {
      const names = index.get(file) ?? new Set<string>();
      names.add(name);
      index.set(file, names);
    };
    for (const [other, module] of this.modules) {
      let attributes: SyntaxNode[] | undefined;
      for (const [local, qualified] of module.analysis.bindings) {
        const absolute = this.workspace.absoluteName(other, qualified);
        const asModule = absolute === undefined ? undefined : this.workspace.fileOf(absolute);
        const owner = absolute === undefined ? undefined : this.workspace.fileOf(absolute.slice(0, absolute.lastIndexOf('.')));
        if (asModule !== undefined && asModule !== other) {
          // The module itself (`from app import llm`): the names read as attributes of it.
          attributes ??= module.analysis.root.descendantsOfType('attribute').filter((a): a is SyntaxNode => a !== null);
          for (const attribute of attributes) {
            const name = attribute.childForFieldName('attribute')?.text;
            if (attribute.childForFieldName('object')?.text === local && name !== undefined) {
              add(asModule, name);
            }
          }
        } else if (owner !== undefined && owner !== other) {
          add(owner, absolute!.slice(absolute!.lastIndexOf('.') + 1));
        }
      }
    }
    return index;
  }

  private callsOf(file: string, module: ModuleState): LlmCall[] {
    return findLlmCalls(module.analysis.tree, { routes: module.analysis.routeResolver, external: this.importedClients(file) });
  }

  private async module(file: string): Promise<ModuleState | undefined> {
    let state = this.modules.get(file);
    if (!state) {
      const analysis = await this.workspace.module(file);
      if (!analysis) {
        return undefined;
      }
      state = { analysis, symbols: topLevelSymbols(analysis.root) };
      this.modules.set(file, state);
    }
    return state;
  }

  /** All modules analysed up front: the graph and the client lookups are then synchronous. */
  private async loadAll(): Promise<void> {
    for (const file of [...this.workspace.files.keys()].filter((f) => f.endsWith('.py')).sort()) {
      await this.module(file);
    }
  }

  // ---- clients across modules ----

  private importedClients(file: string): ImportedClients {
    return {
      resolve: (dotted, use, depth) => this.resolveImportedClient(file, dotted, use, depth),
      state: (attribute, depth) => this.stateClient(file, attribute, depth),
      argument: (fn, name, depth) => this.argumentClient(file, fn, name, depth),
    };
  }

  private clientsOf(file: string): ModuleClients | undefined {
    const module = this.modules.get(file);
    if (!module) {
      return undefined;
    }
    if (module.clients === undefined) {
      module.clients = moduleClients(module.analysis.tree, { routes: module.analysis.routeResolver, external: this.importedClients(file) }) ?? null;
    }
    return module.clients ?? undefined;
  }

  private resolveImportedClient(file: string, dotted: string, use: ClientUse, depth: number): ClientClass | undefined {
    const target = this.importTarget(file, dotted);
    if (target) {
      return this.clientsOf(target.file)?.moduleName(target.name, use, depth);
    }
    // `Assistant.client`: an attribute of a class imported from the workspace.
    const [head = '', attribute, ...rest] = dotted.split('.');
    const cls = attribute !== undefined && rest.length === 0 && use.kind === 'value' ? this.symbol(file, head) : undefined;
    return cls?.kind === 'class' ? this.clientsOf(cls.file)?.moduleName(`${cls.node.childForFieldName('name')?.text}.${attribute}`, use, depth) : undefined;
  }

  /**
   * The client callers pass for parameter `name` of `fn` (in `file`): every call in the workspace that resolves
   * to `fn` (a constructor call for `__init__`), the first whose argument holds a client, in file order. Only
   * calls spelling the function's (or class's) name are resolved; cycles end as "none" while one is worked out.
   */
  private argumentClient(file: string, fn: SyntaxNode, name: string, depth: number): ClientClass | undefined {
    const cacheKey = `${key(file, fn)}|${name}`;
    const cached = this.argumentCache.get(cacheKey);
    if (cached !== undefined || depth > MAX_RESOLUTION_DEPTH) {
      return cached ?? undefined;
    }
    this.argumentCache.set(cacheKey, null);
    const cls = enclosingClassOf(fn);
    const own = fn.childForFieldName('name')?.text;
    const spelled = own === '__init__' && cls ? cls.childForFieldName('name')?.text : own;
    const parameters = parameterNodes(fn);
    const index = parameters.findIndex((p) => parameterName(p) === name);
    // A method's first parameter (self, cls) is bound by the call, not passed; a staticmethod has none.
    const bound = cls && !hasDecorator(fn, 'staticmethod') ? 1 : 0;
    let found: ClientClass | undefined;
    for (const [callerFile, module] of spelled === undefined || index < bound ? [] : this.modules) {
      if (!module.analysis.source.includes(spelled!)) {
        continue;
      }
      for (const call of module.analysis.root.descendantsOfType('call')) {
        const callee = call?.childForFieldName('function');
        const last = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
        if (!call || last !== spelled) {
          continue;
        }
        const scope = enclosingFunction(call);
        const target = guarded(() => this.resolveCallee(callerFile, scope, call), undefined);
        const argument = target && target.file === file && target.node.startIndex === fn.startIndex ? argumentFor(call, name, index - bound) : undefined;
        found = argument && this.clientsOf(callerFile)?.expressionClient(argument, scope, depth + 1);
        if (found) {
          break;
        }
      }
      if (found) {
        break;
      }
    }
    this.argumentCache.set(cacheKey, found ?? null);
    return found;
  }

  /** `<x>.state.<attribute>` set to a client in another module (modules mentioning `.state.` only). */
  private stateClient(file: string, attribute: string, depth: number): ClientClass | undefined {
    const cached = this.stateCache.get(attribute);
    if (cached !== undefined) {
      return cached ?? undefined;
    }
    this.stateCache.set(attribute, null);
    let found: ClientClass | undefined;
    for (const [other, module] of this.modules) {
      if (other !== file && module.analysis.source.includes(`.${attribute}`) && module.analysis.source.includes('.state')) {
        found = this.clientsOf(other)?.stateAttribute(attribute, depth)?.cls;
        if (found) {
          break;
        }
      }
    }
    this.stateCache.set(attribute, found ?? null);
    return found;
  }

  /**
   * A dotted name as used in `file` (`client`, `llm.get_client`), through its imports, to the workspace module
   * that defines it and the name there; undefined for names not imported from the workspace.
   */
  private importTarget(file: string, dotted: string): { file: string; name: string } | undefined {
    const module = this.modules.get(file);
    const [head = '', ...rest] = dotted.split('.');
    const bound = module?.analysis.bindings.get(head);
    if (bound === undefined) {
      return undefined;
    }
    const absolute = this.workspace.absoluteName(file, [bound, ...rest].join('.'));
    const parts = absolute?.split('.') ?? [];
    const name = parts.pop();
    const target = name === undefined ? undefined : this.workspace.fileOf(parts.join('.'));
    return target !== undefined && target !== file && name !== undefined ? { file: target, name } : undefined;
  }

  // ---- symbols and types ----

  /** A function or class a dotted name refers to in `file`: defined there, or imported from the workspace (re-exports followed). */
  private symbol(file: string, dotted: string, depth = 0): Symbol | undefined {
    const module = this.modules.get(file);
    if (!module || depth > MAX_CALL_DEPTH) {
      return undefined;
    }
    if (!dotted.includes('.')) {
      const node = module.symbols.get(dotted);
      if (node) {
        return { kind: node.type === 'class_definition' ? 'class' : 'function', file, node };
      }
    }
    const target = this.importTarget(file, dotted);
    return target ? this.symbol(target.file, target.name, depth + 1) : undefined;
  }

  private classNamed(file: string, annotation: SyntaxNode | null | undefined): ClassRef | undefined {
    const dotted = dottedText(unwrapAnnotation(annotation));
    const symbol = dotted === undefined ? undefined : this.symbol(file, dotted);
    return symbol?.kind === 'class' ? symbol : undefined;
  }

  /** The class a function returns: `-> Service` (or `-> AsyncIterator[Service]`), else `return Service(...)`. */
  private returnedClass(fn: FunctionRef): ClassRef | undefined {
    const annotated = this.classNamed(fn.file, fn.node.childForFieldName('return_type'));
    if (annotated) {
      return annotated;
    }
    for (const node of fn.node.childForFieldName('body')?.descendantsOfType(['return_statement', 'yield']) ?? []) {
      const value = node?.namedChildren[0];
      if (value?.type === 'call' && enclosingFunction(node!)?.id === fn.node.id) {
        const made = this.callResult(fn.file, value, fn.node);
        if (made) {
          return made;
        }
      }
    }
    return undefined;
  }

  /** The class of what a call makes: `Service(...)`, or `get_service()` returning one. */
  private callResult(file: string, call: SyntaxNode, scope: SyntaxNode | null): ClassRef | undefined {
    const callee = call.childForFieldName('function');
    const dotted = dottedText(callee);
    const symbol = dotted === undefined || (scope && localNames(scope).has(dotted)) ? undefined : this.symbol(file, dotted);
    if (symbol?.kind === 'class') {
      return symbol;
    }
    return symbol?.kind === 'function' ? this.returnedClass(symbol) : undefined;
  }

  /**
   * The class of a name in a function (null: at module level): a parameter's annotation or `Depends` provider,
   * a local `x = Service()`, a module-level instance here or imported from another module (`from app.services
   * import llm_service`).
   */
  private classOfName(file: string, name: string, fn: SyntaxNode | null, depth = 0): ClassRef | undefined {
    if (depth > MAX_CALL_DEPTH) {
      return undefined;
    }
    const parameter = fn ? parameterNodes(fn).find((p) => parameterName(p) === name) : undefined;
    if (parameter) {
      const annotated = this.classNamed(file, parameter.childForFieldName('type'));
      if (annotated) {
        return annotated;
      }
      const provider = providerOf(parameter);
      const symbol = provider && dottedText(provider) !== undefined ? this.symbol(file, dottedText(provider)!) : undefined;
      return symbol?.kind === 'function' ? this.returnedClass(symbol) : symbol?.kind === 'class' ? symbol : undefined;
    }
    const body = fn?.childForFieldName('body');
    for (const assignment of body?.descendantsOfType('assignment') ?? []) {
      const left = assignment?.childForFieldName('left');
      const right = assignment?.childForFieldName('right');
      if (left?.type === 'identifier' && left.text === name && right && enclosingFunction(assignment!)?.id === fn!.id) {
        const annotated = this.classNamed(file, assignment!.childForFieldName('type'));
        const value = right.type === 'await' ? right.namedChildren[0] : right;
        const made = annotated ?? (value?.type === 'call' ? this.callResult(file, value, fn) : undefined);
        if (made) {
          return made;
        }
      }
    }
    // A module-level instance: `researcher = Researcher()`.
    const module = this.modules.get(file);
    if (module) {
      module.bindings ??= scopeBindings(module.analysis.root);
    }
    const binding = module?.bindings?.filter((b) => b.target.type === 'identifier' && b.target.text === name).pop();
    if (!binding) {
      const target = this.importTarget(file, name);
      return target ? this.classOfName(target.file, target.name, null, depth + 1) : undefined;
    }
    const value = binding.value?.type === 'await' ? binding.value.namedChildren[0] : binding.value;
    return this.classNamed(file, binding.annotation) ?? (value ? this.classOfExpression(file, value, null, depth + 1) : undefined);
  }

  /**
   * The workspace class of an object a method is called on: a name (classOfName), `Service()` or
   * `get_service()`, `self.service` set in a method of the class, `request.app.state.chat` set anywhere to an
   * instance, `services.chat` (a module-level instance reached through its module).
   */
  private classOfExpression(file: string, expression: SyntaxNode, scope: SyntaxNode | null, depth = 0): ClassRef | undefined {
    if (depth > MAX_CALL_DEPTH) {
      return undefined;
    }
    switch (expression.type) {
      case 'identifier':
        return this.classOfName(file, expression.text, scope, depth + 1);
      case 'call':
        return this.callResult(file, expression, scope);
      case 'await':
        return expression.namedChildren[0] ? this.classOfExpression(file, expression.namedChildren[0], scope, depth + 1) : undefined;
      case 'attribute':
        return this.classOfAttribute(file, expression, scope, depth + 1);
      default:
        return undefined;
    }
  }

  /** The class of the instance `<x>.state.<attribute>` is set to anywhere in the workspace (a lifespan's service), once per attribute. */
  private stateClass(attribute: string, depth: number): ClassRef | undefined {
    const cached = this.stateClassCache.get(attribute);
    if (cached !== undefined) {
      return cached ?? undefined;
    }
    // A cycle (a state attribute set from itself) ends as "no class" while this one is worked out.
    this.stateClassCache.set(attribute, null);
    let found: ClassRef | undefined;
    for (const [other, module] of this.modules) {
      if (found || !module.analysis.source.includes(`.${attribute}`)) {
        continue;
      }
      for (const assignment of module.analysis.root.descendantsOfType('assignment')) {
        const left = assignment?.childForFieldName('left');
        const right = assignment?.childForFieldName('right');
        const stateObject = left?.type === 'attribute' && left.childForFieldName('attribute')?.text === attribute ? left.childForFieldName('object') : null;
        if (right && stateObject?.type === 'attribute' && stateObject.childForFieldName('attribute')?.text === 'state') {
          found = this.classOfExpression(other, right, enclosingFunction(assignment!), depth + 1);
          if (found) {
            break;
          }
        }
      }
    }
    this.stateClassCache.set(attribute, found ?? null);
    return found;
  }

  private classOfAttribute(file: string, expression: SyntaxNode, scope: SyntaxNode | null, depth: number): ClassRef | undefined {
    const object = expression.childForFieldName('object');
    const attribute = expression.childForFieldName('attribute')?.text;
    if (!object || attribute === undefined) {
      return undefined;
    }
    const cls = selfClass(scope, object);
    if (cls) {
      for (const method of classMethods(cls)) {
        const self = parameterName(parameterNodes(method)[0]);
        for (const binding of scopeBindings(method.childForFieldName('body')!)) {
          const target = binding.target;
          if (target.type === 'attribute' && target.childForFieldName('object')?.text === self && target.childForFieldName('attribute')?.text === attribute) {
            const made = binding.value ? this.classOfExpression(file, binding.value, method, depth + 1) : this.classNamed(file, binding.annotation);
            if (made) {
              return made;
            }
          }
        }
      }
      return undefined;
    }
    if (object.type === 'attribute' && object.childForFieldName('attribute')?.text === 'state') {
      return this.stateClass(attribute, depth);
    }
    const dotted = dottedText(expression);
    const head = dotted?.split('.')[0];
    if (dotted === undefined || head === undefined || (scope && localNames(scope).has(head))) {
      return undefined;
    }
    const target = this.importTarget(file, dotted);
    return target ? this.classOfName(target.file, target.name, null, depth + 1) : undefined;
  }

  private methodOf(cls: ClassRef, name: string, depth = 0): FunctionRef | undefined {
    const body = cls.node.childForFieldName('body');
    for (const child of body?.namedChildren ?? []) {
      const definition = child?.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
      if (definition?.type === 'function_definition' && definition.childForFieldName('name')?.text === name) {
        return { file: cls.file, node: definition };
      }
    }
    // Inherited: the bases the workspace defines, a few levels up.
    for (const base of depth < 4 ? (cls.node.childForFieldName('superclasses')?.namedChildren ?? []) : []) {
      const dotted = dottedText(base);
      const symbol = dotted === undefined ? undefined : this.symbol(cls.file, dotted);
      const found = symbol?.kind === 'class' ? this.methodOf(symbol, name, depth + 1) : undefined;
      if (found) {
        return found;
      }
    }
    return undefined;
  }

  // ---- the call graph ----

  /** What `fn` calls directly on its own thread, and the providers it depends on (offloaded: FastAPI's thread pool runs a `def` provider). */
  private callees(fn: FunctionRef): Array<{ callee: FunctionRef; offloaded: boolean }> {
    const found: Array<{ callee: FunctionRef; offloaded: boolean }> = [];
    const body = fn.node.childForFieldName('body');
    for (const call of body?.descendantsOfType('call') ?? []) {
      // What runs in a worker thread (`run_in_executor(None, lambda: ...)`) is not followed, as the LLM calls
      // written there are not reported (llmCallFindings): the user already moved it off the event loop.
      if (!call || enclosingFunction(call)?.id !== fn.node.id || runsInWorkerThread(call)) {
        continue;
      }
      const callee = this.resolveCallee(fn.file, fn.node, call);
      if (callee) {
        found.push({ callee, offloaded: false });
      }
    }
    // Dependencies run before the function, each provider on the loop only if it is `async def`.
    for (const parameter of parameterNodes(fn.node)) {
      const provider = providerOf(parameter);
      const dotted = provider ? dottedText(provider) : undefined;
      const symbol = dotted === undefined ? undefined : this.symbol(fn.file, dotted);
      const providerFn = symbol?.kind === 'function' ? symbol : symbol?.kind === 'class' ? this.methodOf(symbol, '__init__') : undefined;
      if (providerFn) {
        found.push({ callee: providerFn, offloaded: !isAsyncFunction(providerFn.node) });
      }
    }
    return found;
  }

  /** The workspace function a call in `scope` (a function of `file`, or null at module level) runs. */
  private resolveCallee(file: string, scope: SyntaxNode | null, call: SyntaxNode): FunctionRef | undefined {
    const callee = call.childForFieldName('function');
    if (callee?.type === 'identifier') {
      if (scope && localNames(scope).has(callee.text)) {
        return undefined;
      }
      // A function defined in the caller (or a function around it): `def call_model(): ...` then `call_model()`.
      const nested = nestedFunction(scope, callee.text);
      if (nested) {
        return { file, node: nested };
      }
      const symbol = this.symbol(file, callee.text);
      return symbol?.kind === 'function' ? symbol : symbol?.kind === 'class' ? this.methodOf(symbol, '__init__') : undefined;
    }
    if (callee?.type !== 'attribute') {
      return undefined;
    }
    const object = callee.childForFieldName('object');
    const method = callee.childForFieldName('attribute')?.text;
    if (!object || method === undefined) {
      return undefined;
    }
    // self.method(...)
    const cls = selfClass(scope, object);
    if (cls) {
      return this.methodOf({ file, node: cls }, method);
    }
    // module.function(...), Class.method(...)
    const dotted = dottedText(callee);
    const head = dotted?.split('.')[0];
    if (dotted !== undefined && head !== undefined && !(scope && localNames(scope).has(head))) {
      const symbol = this.symbol(file, dotted);
      if (symbol?.kind === 'function') {
        return symbol;
      }
      const owner = dottedText(object);
      const ownerSymbol = owner === undefined ? undefined : this.symbol(file, owner);
      if (ownerSymbol?.kind === 'class') {
        return this.methodOf(ownerSymbol, method);
      }
    }
    // service.method(...), Service().method(...), get_service().method(...), self.service.method(...),
    // request.app.state.service.method(...), services.chat.method(...)
    const objectClass = this.classOfExpression(file, object, scope);
    return objectClass ? this.methodOf(objectClass, method) : undefined;
  }

  private async buildGraph(): Promise<void> {
    if (this.graphBuilt) {
      return;
    }
    this.graphBuilt = true;
    await this.loadAll();
    type State = { fn: FunctionRef; onLoop: boolean; route: string; depth: number };
    let queue: State[] = [];
    const visited = new Set<string>();
    for (const [file, module] of [...this.modules].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      for (const route of guarded(() => module.analysis.routes, [])) {
        if (!route.handler || route.methods.includes('WEBSOCKET')) {
          continue;
        }
        const description = `${route.methods.join(',')} ${route.fullPath} (${route.handler.name} in ${file})`;
        queue.push({ fn: { file, node: route.handler.node }, onLoop: route.handler.isAsync, route: description, depth: 0 });
      }
    }
    while (queue.length > 0) {
      const next: State[] = [];
      for (const state of queue) {
        const id = `${key(state.fn.file, state.fn.node)}|${state.onLoop}`;
        if (visited.has(id)) {
          continue;
        }
        visited.add(id);
        const reach = this.reaches.get(key(state.fn.file, state.fn.node)) ?? {};
        if (state.depth > 0) {
          reach.route ??= state.route;
        }
        if (state.onLoop && state.depth > 0) {
          reach.eventLoopRoute ??= state.route;
        }
        this.reaches.set(key(state.fn.file, state.fn.node), reach);
        if (state.depth >= MAX_CALL_DEPTH) {
          continue;
        }
        for (const { callee, offloaded } of guarded(() => this.callees(state.fn), [])) {
          next.push({ fn: callee, onLoop: state.onLoop && !offloaded, route: state.route, depth: state.depth + 1 });
        }
      }
      queue = next;
    }
  }
}

/**
 * A module nested too deeply for the analysis (RangeError) adds nothing to the graph; its own findings then
 * fail the same way, and the caller skips that file with the reason.
 */
function guarded<T>(step: () => T, fallback: T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof RangeError) {
      return fallback;
    }
    throw error;
  }
}

function key(file: string, node: SyntaxNode): string {
  return `${file}#${node.startIndex}`;
}

function topLevelSymbols(root: SyntaxNode): Map<string, SyntaxNode> {
  const symbols = new Map<string, SyntaxNode>();
  for (const statement of root.namedChildren) {
    const definition = statement?.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    const name = definition?.childForFieldName('name')?.text;
    if (name !== undefined && (definition!.type === 'function_definition' || definition!.type === 'class_definition')) {
      symbols.set(name, definition!);
    }
  }
  return symbols;
}

function parameterNodes(fn: SyntaxNode): SyntaxNode[] {
  return (fn.childForFieldName('parameters')?.namedChildren ?? []).filter((p): p is SyntaxNode => p !== null);
}

function parameterName(parameter: SyntaxNode | undefined): string | undefined {
  if (!parameter) {
    return undefined;
  }
  if (parameter.type === 'identifier') {
    return parameter.text;
  }
  return (parameter.childForFieldName('name') ?? parameter.namedChildren.find((c) => c?.type === 'identifier'))?.text;
}

/** Names bound in a function as parameters (they shadow module-level functions of the same name). */
function localNames(fn: SyntaxNode): Set<string> {
  return new Set(
    parameterNodes(fn)
      .map(parameterName)
      .filter((n): n is string => n !== undefined),
  );
}

/** `x = Depends(p)` or `x: Annotated[T, Depends(p)]`: p. */
function providerOf(parameter: SyntaxNode): SyntaxNode | undefined {
  const byDefault = dependencyProvider(parameter.childForFieldName('value'));
  if (byDefault) {
    return byDefault;
  }
  const annotation = parameter.childForFieldName('type');
  for (const call of annotation?.descendantsOfType('call') ?? []) {
    const provider = dependencyProvider(call);
    if (provider) {
      return provider;
    }
  }
  return undefined;
}

const TYPE_WRAPPERS = new Set(['Annotated', 'Optional', 'Union', 'AsyncIterator', 'AsyncGenerator', 'Iterator', 'Generator']);

/** `Annotated[Service, Depends(...)]`, `Service | None`, `Optional[Service]` -> `Service`. */
function unwrapAnnotation(node: SyntaxNode | null | undefined): SyntaxNode | null {
  if (!node) {
    return null;
  }
  if (node.type === 'type') {
    return unwrapAnnotation(node.namedChildren[0]);
  }
  if (node.type === 'binary_operator') {
    return unwrapAnnotation(node.childForFieldName('left'));
  }
  if (node.type === 'generic_type' || node.type === 'subscript') {
    const generic = node.namedChildren[0];
    const name = generic?.type === 'attribute' ? generic.childForFieldName('attribute')?.text : generic?.text;
    if (name === undefined || !TYPE_WRAPPERS.has(name)) {
      return null;
    }
    const args =
      node.type === 'subscript' ? node.childrenForFieldName('subscript') : (node.namedChildren.find((c) => c?.type === 'type_parameter')?.namedChildren ?? []);
    return unwrapAnnotation(args[0]);
  }
  return node;
}

/** A `def name` directly in `scope`'s body or in that of a function around it, innermost first. */
function nestedFunction(scope: SyntaxNode | null, name: string): SyntaxNode | undefined {
  for (let fn = scope; fn; fn = enclosingFunction(fn)) {
    for (const definition of fn.childForFieldName('body')?.descendantsOfType('function_definition') ?? []) {
      if (definition && definition.childForFieldName('name')?.text === name && enclosingFunction(definition)?.id === fn.id) {
        return definition;
      }
    }
  }
  return undefined;
}

/** The argument a call passes for a parameter: by keyword, else at its position (none past a `*spread`). */
function argumentFor(call: SyntaxNode, name: string, position: number): SyntaxNode | undefined {
  const byKeyword = keywordArgument(call, name);
  if (byKeyword) {
    return byKeyword;
  }
  const args = call.childForFieldName('arguments')?.namedChildren.filter((a): a is SyntaxNode => a !== null && a.type !== 'comment') ?? [];
  const positional = args.filter((a) => a.type !== 'keyword_argument' && a.type !== 'dictionary_splat');
  const spread = positional.findIndex((a) => a.type === 'list_splat');
  return position >= 0 && (spread < 0 || position < spread) ? positional[position] : undefined;
}

function hasDecorator(fn: SyntaxNode, name: string): boolean {
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : null;
  return decorated?.namedChildren.some((d) => d?.type === 'decorator' && d.namedChildren[0]?.text === name) ?? false;
}

/** The class of the method `scope` when `object` is its first parameter (`self`, `cls`); null otherwise. */
function selfClass(scope: SyntaxNode | null, object: SyntaxNode): SyntaxNode | null {
  const cls = scope ? enclosingClassOf(scope) : null;
  return cls && object.type === 'identifier' && object.text === parameterName(parameterNodes(scope!)[0]) ? cls : null;
}

function classMethods(cls: SyntaxNode): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  for (const child of cls.childForFieldName('body')?.namedChildren ?? []) {
    const definition = child?.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
    if (definition?.type === 'function_definition') {
      found.push(definition);
    }
  }
  return found;
}

function enclosingClassOf(fn: SyntaxNode): SyntaxNode | null {
  let n = fn.parent;
  if (n?.type === 'decorated_definition') {
    n = n.parent;
  }
  return n?.type === 'block' && n.parent?.type === 'class_definition' ? n.parent : null;
}
