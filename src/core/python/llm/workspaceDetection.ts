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
import { dottedText, isAsyncFunction } from '../syntax';
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
    const found = [...llmCallFindings(calls), ...sseFindings(module.analysis, this.facts)];
    for (const call of calls) {
      const reach = call.function ? this.reaches.get(key(file, call.function)) : undefined;
      if (reach) {
        found.push(...reachedCallFindings(call, reach));
      }
    }
    for (const call of findFrameworkCalls(module.analysis)) {
      found.push(...frameworkCallFindings(call, call.function ? this.reaches.get(key(file, call.function)) : undefined));
    }
    return found.sort((a, b) => a.node.startIndex - b.node.startIndex);
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
    return target ? this.clientsOf(target.file)?.moduleName(target.name, use, depth) : undefined;
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

  /** The class of a name in a function: a parameter's annotation or `Depends` provider, or a local `x = Service()`. */
  private classOfName(file: string, name: string, fn: SyntaxNode): ClassRef | undefined {
    const parameter = parameterNodes(fn).find((p) => parameterName(p) === name);
    if (parameter) {
      const annotated = this.classNamed(file, parameter.childForFieldName('type'));
      if (annotated) {
        return annotated;
      }
      const provider = providerOf(parameter);
      const symbol = provider && dottedText(provider) !== undefined ? this.symbol(file, dottedText(provider)!) : undefined;
      return symbol?.kind === 'function' ? this.returnedClass(symbol) : symbol?.kind === 'class' ? symbol : undefined;
    }
    const body = fn.childForFieldName('body');
    for (const assignment of body?.descendantsOfType('assignment') ?? []) {
      const left = assignment?.childForFieldName('left');
      const right = assignment?.childForFieldName('right');
      if (left?.type === 'identifier' && left.text === name && right && enclosingFunction(assignment!)?.id === fn.id) {
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
    const value = binding?.value?.type === 'await' ? binding.value.namedChildren[0] : binding?.value;
    return this.classNamed(file, binding?.annotation) ?? (value?.type === 'call' ? this.callResult(file, value, null) : undefined);
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
      const callee = this.resolveCallee(fn, call);
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

  private resolveCallee(fn: FunctionRef, call: SyntaxNode): FunctionRef | undefined {
    const callee = call.childForFieldName('function');
    if (callee?.type === 'identifier') {
      if (localNames(fn.node).has(callee.text)) {
        return undefined;
      }
      const symbol = this.symbol(fn.file, callee.text);
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
    const cls = enclosingClassOf(fn.node);
    if (cls && object.type === 'identifier' && object.text === parameterName(parameterNodes(fn.node)[0])) {
      return this.methodOf({ file: fn.file, node: cls }, method);
    }
    // module.function(...)
    const dotted = dottedText(callee);
    const head = dotted?.split('.')[0];
    if (dotted !== undefined && head !== undefined && !localNames(fn.node).has(head)) {
      const symbol = this.symbol(fn.file, dotted);
      if (symbol?.kind === 'function') {
        return symbol;
      }
    }
    // service.method(...), Service().method(...), get_service().method(...)
    const objectClass =
      object.type === 'identifier'
        ? this.classOfName(fn.file, object.text, fn.node)
        : object.type === 'call'
          ? this.callResult(fn.file, object, fn.node)
          : undefined;
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

function enclosingClassOf(fn: SyntaxNode): SyntaxNode | null {
  let n = fn.parent;
  if (n?.type === 'decorated_definition') {
    n = n.parent;
  }
  return n?.type === 'block' && n.parent?.type === 'class_definition' ? n.parent : null;
}
