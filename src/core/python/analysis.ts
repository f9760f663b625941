/**
 * What a Python module contains that matters for streaming endpoints, read from a tree-sitter syntax tree.
 *
 * API (pure, no `vscode`):
 *   analyzePythonModule(source): Promise<ModuleAnalysis>
 *     .apps        FastAPI apps: `app = FastAPI()`, `app: FastAPI = ...`, aliases (`import fastapi`,
 *                  `from fastapi import FastAPI as F`), factories (`def create_app() -> FastAPI`) and
 *                  variables made by a local factory (`app = create_app()`)
 *     .routers     APIRouter variables with their `prefix`
 *     .inclusions  `X.include_router(R, prefix=...)` calls (module level and inside factories)
 *     .routes      route handlers: methods, path as written and with the router's prefix, decorator and
 *                  handler nodes, handler name/params/return annotation, and `streamsSse`
 *     .functions   top-level functions (async? generator?) ; .classes ; .topLevelNames
 *     .imports     every module-scope import statement (see imports.ts) ; .bindings local -> qualified name
 *     .mainBlock   the `if __name__ == "__main__":` block, and where code meant to run before it goes
 *     .syntaxErrors, .lineEnding ('\n' | '\r\n'), .indentUnit ('    ', '\t', ...)
 *   analysis.dispose() frees the syntax tree (web-tree-sitter trees live in wasm memory and are not
 *   garbage-collected); every Span stays valid after it, nodes do not.
 *
 * Positions: every Span has 0-based rows/columns and start/end offsets in UTF-16 code units (JavaScript
 * string indices), which VS Code's positionAt/offsetAt use too.
 */
import { readFunction, type FunctionInfo } from './functions';
import { readImports, importBindings, type ImportStatement } from './imports';
import { collectSyntaxErrors, detectIndentUnit, detectLineEnding, isMainGuard, leadingCommentsStart } from './layout';
import { parsePython, type SyntaxNode, type Tree } from './parser';
import { RouteResolver, routeMethods, routePathNode, type RouteOwner } from './routes';
import {
  children,
  dottedText,
  keywordArgument,
  methodCallsNamed,
  positionalArguments,
  resolveQualifiedName,
  spanOf,
  stringValue,
  type Bindings,
  type Span,
} from './syntax';

export type { ImportStatement, ImportedName } from './imports';
export type { Bindings, Point, Span } from './syntax';
export type { FunctionInfo, Parameter } from './functions';
export { detectLineEnding } from './layout';

export interface FastApiApp {
  /** How targets and routes refer to it: the variable name, or the factory function's name. */
  readonly id: string;
  /**
   * instance: a module-level variable (`app = FastAPI()`, or `app = create_app()` with a local factory);
   * factory: a function returning a FastAPI app; routes are added to its local variable.
   */
  readonly kind: 'instance' | 'factory';
  /** The name route decorators use: the module variable, or the factory's local variable (if it has one). */
  readonly variable?: string;
  /** For `app = create_app()`: the factory that makes it. */
  readonly createdBy?: string;
  /** The assignment statement, or the factory's function_definition. */
  readonly node: SyntaxNode;
  readonly span: Span;
  /** Factories only: the `return <variable>` statement new routes go above. */
  readonly returnStatement?: { readonly node: SyntaxNode; readonly span: Span };
}

export interface ApiRouter {
  readonly id: string;
  /** The `prefix=` given to APIRouter(...), '' when none (or not a literal). */
  readonly prefix: string;
  /** A `prefix=` that is not a string literal (a constant, `settings.API_V1_STR`): resolved by the workspace. */
  readonly prefixExpression?: SyntaxNode;
  readonly node: SyntaxNode;
  readonly span: Span;
}

export interface RouterInclusion {
  /** The app or router id the router is included into. */
  readonly owner: string;
  /** The included expression as written, e.g. `router`, `items.router`. */
  readonly router: string;
  /**
   * The same resolved through imports when its head is imported (e.g. `.routers.items.router`), the imports
   * of the enclosing function included (`def create_app(): from . import chat; app.include_router(chat.router)`).
   */
  readonly routerQualifiedName?: string;
  /** The `prefix=` literal; '' when there is none or it is not a literal (then see prefixExpression). */
  readonly prefix: string;
  /** A `prefix=` that is not a string literal (a constant, `settings.API_V1_STR`): resolved by the workspace. */
  readonly prefixExpression?: SyntaxNode;
  /** The statement making the call. */
  readonly statement: SyntaxNode;
  readonly span: Span;
}

/** `X.mount(path, app)`: everything under `path` goes to the mounted app, whatever the method. */
export interface RouteMount {
  /** The app or router id the mount is on. */
  readonly owner: string;
  /** The path literal; undefined when it is not one. */
  readonly path: string | undefined;
  /** The statement making the call. */
  readonly statement: SyntaxNode;
  readonly span: Span;
}

export interface Route {
  /** The app or router id the route is registered on. */
  readonly owner: string;
  readonly ownerKind: 'app' | 'router';
  /** Upper-case HTTP methods; ['WEBSOCKET'] for websocket routes. */
  readonly methods: readonly string[];
  /** The path as written in the decorator. */
  readonly path: string;
  /** With the router's own prefix (not prefixes added where it is included; see workspace analysis). */
  readonly fullPath: string;
  /** The decorator node (`@app.get("/x")`), or the `add_api_route(...)` call. */
  readonly decorator: SyntaxNode;
  /** The handler, when it is defined in this module. */
  readonly handler?: FunctionInfo;
  /** The handler returns a StreamingResponse / streaming_response / EventStreamResponse of text/event-stream. */
  readonly streamsSse: boolean;
  /** The whole decorated definition (or the add_api_route statement). */
  readonly span: Span;
}

export interface MainBlock {
  readonly node: SyntaxNode;
  readonly span: Span;
  /** Offset of the line new module-level code goes on: the `if` itself, or the comments right above it. */
  readonly insertionOffset: number;
}

export interface ModuleAnalysis {
  readonly source: string;
  readonly tree: Tree;
  readonly root: SyntaxNode;
  readonly syntaxErrors: readonly Span[];
  readonly imports: readonly ImportStatement[];
  readonly bindings: Bindings;
  readonly apps: readonly FastApiApp[];
  readonly routers: readonly ApiRouter[];
  readonly inclusions: readonly RouterInclusion[];
  /** `X.mount(...)` calls (module level and inside factories). */
  readonly mounts: readonly RouteMount[];
  readonly routes: readonly Route[];
  readonly functions: readonly FunctionInfo[];
  readonly classes: ReadonlyMap<string, Span>;
  /** Every name bound at module level: imports, defs, classes, assignment targets. */
  readonly topLevelNames: ReadonlySet<string>;
  readonly mainBlock: MainBlock | undefined;
  readonly lineEnding: '\n' | '\r\n';
  /** One level of indentation as the file writes it; four spaces when the file has no indented block. */
  readonly indentUnit: string;
  /** The route detector the analysis used; reuse it to ask about other functions of the same tree. */
  readonly routeResolver: RouteResolver;
  dispose(): void;
}

export interface AnalyzeOptions {
  /**
   * A tree already parsed from exactly `source` (the editor's syntax-tree cache): analysis reads it instead
   * of parsing again, and `dispose()` leaves it alone (its owner deletes it).
   */
  readonly tree?: Tree;
}

/**
 * Reads the module from `source`, or from the tree the caller already has (`options.tree`). Only imports
 * are read up front; everything else is read on first use and kept, so a caller asking one question of a
 * large module (the code-action path asks for imports and top-level names) pays for that question only.
 */
export async function analyzePythonModule(source: string, options: AnalyzeOptions = {}): Promise<ModuleAnalysis> {
  const tree = options.tree ?? (await parsePython(source));
  return new LazyModuleAnalysis(source, tree, options.tree === undefined);
}

/** A value computed on first read and kept. */
function once<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

class LazyModuleAnalysis implements ModuleAnalysis {
  readonly root: SyntaxNode;
  readonly imports: readonly ImportStatement[];
  readonly bindings: Bindings;
  readonly routeResolver: RouteResolver;
  readonly lineEnding: '\n' | '\r\n';

  constructor(
    readonly source: string,
    readonly tree: Tree,
    private readonly ownsTree: boolean,
  ) {
    this.root = tree.rootNode;
    this.imports = readImports(this.root);
    this.bindings = importBindings(this.imports);
    this.routeResolver = new RouteResolver(this.root, this.bindings);
    this.lineEnding = detectLineEnding(source);
  }

  get syntaxErrors(): readonly Span[] {
    return this.read.syntaxErrors();
  }
  get apps(): readonly FastApiApp[] {
    return this.read.owners().apps;
  }
  get routers(): readonly ApiRouter[] {
    return this.read.owners().routers;
  }
  get inclusions(): readonly RouterInclusion[] {
    return this.read.routes().inclusions;
  }
  get mounts(): readonly RouteMount[] {
    return this.read.routes().mounts;
  }
  get routes(): readonly Route[] {
    return this.read.routes().routes;
  }
  get functions(): readonly FunctionInfo[] {
    return this.read.functions();
  }
  get classes(): ReadonlyMap<string, Span> {
    return this.read.topLevel().classes;
  }
  get topLevelNames(): ReadonlySet<string> {
    return this.read.topLevel().names;
  }
  get mainBlock(): MainBlock | undefined {
    return this.read.mainBlock();
  }
  get indentUnit(): string {
    return this.read.indentUnit();
  }

  dispose(): void {
    if (this.ownsTree) {
      this.tree.delete();
    }
  }

  private readonly read = {
    syntaxErrors: once(() => collectSyntaxErrors(this.root).map(spanOf)),
    indentUnit: once(() => detectIndentUnit(this.root, this.source)),
    mainBlock: once((): MainBlock | undefined => {
      const statement = children(this.root).find(isMainGuard);
      return statement && { node: statement, span: spanOf(statement), insertionOffset: leadingCommentsStart(statement) };
    }),
    /** Names and classes only: no function is read whole. */
    topLevel: once(() => {
      const classes = new Map<string, Span>();
      const names = new Set<string>(this.bindings.keys());
      for (const statement of children(this.root)) {
        const definition = unwrapDecorated(statement);
        const name = definition.childForFieldName('name')?.text;
        if (definition.type === 'function_definition' && name) {
          names.add(name);
        } else if (definition.type === 'class_definition' && name) {
          classes.set(name, spanOf(statement));
          names.add(name);
        } else {
          for (const assigned of assignedNames(statement)) {
            names.add(assigned);
          }
        }
      }
      return { classes, names };
    }),
    functions: once(() =>
      children(this.root)
        .map(unwrapDecorated)
        .filter((definition) => definition.type === 'function_definition')
        .map(readFunction),
    ),
    owners: once(() => {
      const resolver = this.routeResolver;
      const apps: FastApiApp[] = [];
      for (const fn of this.functions) {
        const factory = resolver.moduleFactories().get(fn.name) === fn.node ? resolver.appFactoryOf(fn.node) : null;
        if (factory) {
          const { variable, returnStatement } = factory;
          apps.push({
            id: fn.name,
            kind: 'factory',
            ...(variable !== undefined ? { variable } : {}),
            node: fn.node,
            span: fn.span,
            ...(returnStatement ? { returnStatement: { node: returnStatement, span: spanOf(returnStatement) } } : {}),
          });
        }
      }
      const routers: ApiRouter[] = [];
      for (const owner of resolver.ownersIn(this.root).values()) {
        const common = { node: owner.binding, span: spanOf(owner.binding) };
        if (owner.kind === 'app') {
          apps.push({
            id: owner.id,
            kind: 'instance',
            variable: owner.variable,
            ...(owner.createdBy !== undefined ? { createdBy: owner.createdBy } : {}),
            ...common,
          });
        } else {
          routers.push({ id: owner.id, prefix: owner.prefix, ...(owner.prefixExpression ? { prefixExpression: owner.prefixExpression } : {}), ...common });
        }
      }
      return { apps, routers };
    }),
    routes: once(() => readRoutes(this.root, this.routeResolver, this.functions, this.bindings)),
  };
}

/** Routes (decorated handlers and `add_api_route` calls) and `include_router` calls, anywhere in the module. */
function readRoutes(
  root: SyntaxNode,
  resolver: RouteResolver,
  functions: readonly FunctionInfo[],
  bindings: Bindings,
): { routes: Route[]; inclusions: RouterInclusion[]; mounts: RouteMount[] } {
  const routes: Route[] = [];
  for (const decorated of root.descendantsOfType('decorated_definition')) {
    const definition = decorated?.childForFieldName('definition');
    if (!decorated || definition?.type !== 'function_definition') {
      continue;
    }
    let handler: FunctionInfo | undefined;
    for (const route of resolver.routesOf(definition)) {
      if (route.path === undefined) {
        // A route whose path is not a literal cannot be placed in the route index; the LLM fixes still see it.
        continue;
      }
      handler ??= functions.find((fn) => fn.node.id === definition.id) ?? readFunction(definition);
      routes.push({
        owner: route.ownerInfo.id,
        ownerKind: route.ownerInfo.kind,
        methods: route.methods,
        path: route.path,
        fullPath: route.ownerInfo.prefix + route.path,
        decorator: route.decorator,
        handler,
        streamsSse: route.nativeSse || returnsEventStream(definition, bindings),
        span: spanOf(decorated),
      });
    }
  }
  const inclusions: RouterInclusion[] = [];
  const mounts: RouteMount[] = [];
  for (const { call } of methodCallsNamed(root, ['add_api_route', 'include_router', 'mount'])) {
    // Registrations are statements of their own (`app.include_router(...)`), not parts of other expressions.
    const statement = call.parent;
    if (statement?.type !== 'expression_statement') {
      continue;
    }
    const target = resolver.ownerCall(call, statement);
    if (!target) {
      continue;
    }
    if (target.method === 'add_api_route') {
      const route = readAddApiRoute(statement, call, target.owner, functions);
      if (route) {
        routes.push(route);
      }
    } else if (target.method === 'include_router') {
      const inclusion = readInclusion(statement, call, target.owner, withLocalImports(statement, bindings));
      if (inclusion) {
        inclusions.push(inclusion);
      }
    } else if (target.method === 'mount') {
      mounts.push({ owner: target.owner.id, path: stringValue(routePathNode(call)), statement, span: spanOf(statement) });
    }
  }
  routes.sort((a, b) => a.span.start - b.span.start);
  return { routes, inclusions, mounts };
}

function unwrapDecorated(node: SyntaxNode): SyntaxNode {
  return node.type === 'decorated_definition' ? (node.childForFieldName('definition') ?? node) : node;
}

function assignedNames(statement: SyntaxNode): string[] {
  if (statement.type !== 'expression_statement') {
    return [];
  }
  const names: string[] = [];
  let assignment = statement.firstNamedChild;
  // a = b = value nests assignments on the right.
  while (assignment?.type === 'assignment') {
    const left = assignment.childForFieldName('left');
    if (left?.type === 'identifier') {
      names.push(left.text);
    } else if (left?.type === 'pattern_list' || left?.type === 'tuple_pattern') {
      names.push(
        ...children(left)
          .filter((n) => n.type === 'identifier')
          .map((n) => n.text),
      );
    }
    assignment = assignment.childForFieldName('right');
  }
  return names;
}

function readAddApiRoute(statement: SyntaxNode, call: SyntaxNode, owner: RouteOwner, functions: readonly FunctionInfo[]): Route | undefined {
  const path = stringValue(routePathNode(call));
  const methods = routeMethods('add_api_route', call);
  if (path === undefined || !methods) {
    return undefined;
  }
  const endpoint = positionalArguments(call)[1] ?? keywordArgument(call, 'endpoint');
  const handler = functions.find((fn) => endpoint?.type === 'identifier' && fn.name === endpoint.text);
  return {
    owner: owner.id,
    ownerKind: owner.kind,
    methods,
    path,
    fullPath: owner.prefix + path,
    decorator: call,
    ...(handler ? { handler } : {}),
    streamsSse: false,
    span: spanOf(statement),
  };
}

/**
 * The module's bindings with the imports of the functions enclosing `statement` (a factory importing its
 * routers inside itself, to keep `import app.main` light), the innermost last so that it wins.
 */
function withLocalImports(statement: SyntaxNode, bindings: Bindings): Bindings {
  const enclosing: SyntaxNode[] = [];
  for (let scope = statement.parent; scope; scope = scope.parent) {
    if (scope.type === 'function_definition') {
      enclosing.unshift(scope);
    }
  }
  if (enclosing.length === 0) {
    return bindings;
  }
  const merged = new Map(bindings);
  for (const fn of enclosing) {
    const body = fn.childForFieldName('body');
    const local = body ? readImports(body).filter((i) => i.span.start < statement.startIndex) : [];
    for (const [name, qualified] of importBindings(local)) {
      merged.set(name, qualified);
    }
  }
  return merged;
}

function readInclusion(statement: SyntaxNode, call: SyntaxNode, owner: RouteOwner, bindings: Bindings): RouterInclusion | undefined {
  const included = positionalArguments(call)[0] ?? keywordArgument(call, 'router');
  const router = dottedText(included);
  if (router === undefined) {
    return undefined;
  }
  const qualified = resolveQualifiedName(included, bindings);
  const prefixNode = keywordArgument(call, 'prefix');
  const prefix = stringValue(prefixNode);
  return {
    owner: owner.id,
    router,
    ...(qualified !== undefined ? { routerQualifiedName: qualified } : {}),
    prefix: prefix ?? '',
    ...(prefixNode && prefix === undefined ? { prefixExpression: prefixNode } : {}),
    statement,
    span: spanOf(statement),
  };
}

const EVENT_STREAM = 'text/event-stream';

/**
 * Whether a handler builds a Server-Sent Events response: our generated `streaming_response(...)` /
 * `EventStreamResponse(...)` (event-stream unless told otherwise), an `EventSourceResponse(...)` (sse-starlette's
 * or FastAPI's), or a `StreamingResponse(..., media_type="text/event-stream")`. FastAPI's native SSE, where
 * the handler yields and the decorator names the response class, is read by routes.ts.
 */
function returnsEventStream(definition: SyntaxNode, bindings: Bindings): boolean {
  const body = definition.childForFieldName('body');
  if (!body) {
    return false;
  }
  return body.descendantsOfType('call').some((call) => {
    if (!call) {
      return false;
    }
    const callee = call.childForFieldName('function');
    const name = resolveQualifiedName(callee, bindings) ?? dottedText(callee) ?? '';
    const last = name.split('.').pop();
    const mediaTypeNode = keywordArgument(call, 'media_type');
    const mediaType = mediaTypeNode ? stringValue(mediaTypeNode) : undefined;
    if (last === 'resumable_response' || last === 'ResumableStreamResponse') {
      return true;
    }
    if (last === 'streaming_response' || last === 'EventStreamResponse') {
      return mediaTypeNode === undefined || mediaType === EVENT_STREAM;
    }
    if (last === 'EventSourceResponse' || last === 'ui_message_stream_response' || last === 'openai_chat_completion_response') {
      // The last two: the generated module's AI SDK UI message stream and OpenAI Chat Completions routes.
      return true;
    }
    if (last === 'StreamingResponse') {
      return (mediaType ?? stringValue(positionalArguments(call)[3])) === EVENT_STREAM;
    }
    return false;
  });
}
