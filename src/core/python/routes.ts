/**
 * What a FastAPI route is, defined once. Every consumer asks here: the module analysis (add-endpoint's
 * route index, the Preview CodeLens, `check`), the LLM diagnostics on every keystroke, and the LLM fixes.
 * Two readers that "mostly agreed" used to live in analysis.ts and llm/routes.ts and had drifted (one
 * knew `app = create_app()` and `path=` keywords, the other apps bound inside `if`/`try` blocks, routers
 * made inside functions, and non-literal paths); test/unit/routes.test.ts pins the cases they disagreed on.
 *
 * A route handler is a function decorated with `@<owner>.<method>(path, ...)`, where `<method>` is an HTTP
 * method, `api_route`/`route` or `websocket`, and `<owner>` is bound, in the scope the decorator runs in or
 * an enclosing one, to:
 *   - `FastAPI(...)` / `APIRouter(...)` (as a call, or by annotation), however fastapi is imported; or
 *   - a call of a module-level app factory (`app = create_app()`; see `appFactoryOf`).
 * Owners are read once per scope and cached, so asking for every function of a large module stays linear;
 * nothing here parses: the caller passes the tree it has.
 */
import { importBindings, readImports } from './imports';
import type { SyntaxNode } from './parser';
import { scopeBindings } from './scopeBindings';
import { children, containsYield, keywordArgument, positionalArguments, resolveQualifiedName, stringValue, type Bindings } from './syntax';

export const FASTAPI_CLASS = 'fastapi.FastAPI';
export const API_ROUTER_CLASS = 'fastapi.APIRouter';
/** FastAPI's own SSE response class (FastAPI >= 0.135): a route with it and a generator handler streams SSE. */
export const NATIVE_SSE_RESPONSE = 'fastapi.sse.EventSourceResponse';

const HTTP_METHODS = new Set(['get', 'post', 'put', 'delete', 'patch', 'options', 'head', 'trace']);

/** An app or router variable that routes are registered on. */
export interface RouteOwner {
  /** The variable's name in its scope. */
  readonly variable: string;
  /** How the module analysis names the owner: the variable, or for an app made inside a factory, the factory's name. */
  readonly id: string;
  readonly kind: 'app' | 'router';
  /** A router's `prefix=` as a literal, '' otherwise. */
  readonly prefix: string;
  /** A router's `prefix=` when it is not a string literal (a constant, a settings attribute). */
  readonly prefixExpression?: SyntaxNode;
  /** The assignment (or annotated name) binding the variable. */
  readonly binding: SyntaxNode;
  /** The module-level factory that made it (`app = create_app()`). */
  readonly createdBy?: string;
  /** `default_response_class=EventSourceResponse` (FastAPI's native SSE) on the owner. */
  readonly nativeSseDefault: boolean;
}

/** One route decorator on one handler. */
export interface RouteHandler {
  /** The function_definition. */
  readonly handler: SyntaxNode;
  /** The route decorator (`@app.post("/chat")`). */
  readonly decorator: SyntaxNode;
  /** The owner's variable name (`app`, `router`). */
  readonly owner: string;
  readonly ownerInfo: RouteOwner;
  /** Lower-case decorator method: get, post, ..., api_route, route, websocket. */
  readonly method: string;
  /** Upper-case HTTP methods; ['WEBSOCKET'] for websocket routes. */
  readonly methods: readonly string[];
  /** The path's value when it is a string literal (positional or `path=`); undefined otherwise. */
  readonly path: string | undefined;
  /** The path literal as written, quotes included; null when the path is not a string literal. */
  readonly pathLiteral: string | null;
  /** FastAPI's native SSE: `response_class=EventSourceResponse` (here or on the owner) and a handler that yields. */
  readonly nativeSse: boolean;
}

/** Upper-case methods a route registration serves, from the decorator/method name and its `methods=`. */
export function routeMethods(method: string, call: SyntaxNode): string[] | undefined {
  if (HTTP_METHODS.has(method)) {
    return [method.toUpperCase()];
  }
  if (method === 'websocket' || method === 'websocket_route') {
    return ['WEBSOCKET'];
  }
  if (method === 'api_route' || method === 'route' || method === 'add_api_route') {
    const listed = keywordArgument(call, 'methods');
    // A literal list, tuple or set of strings; anything else (a name, a call) is unread: GET, as when not given.
    const literal = listed && ['list', 'tuple', 'set'].includes(listed.type) ? listed : undefined;
    const values = children(literal).map((item) => stringValue(item)?.toUpperCase());
    return literal && values.every((v): v is string => v !== undefined) ? values : ['GET'];
  }
  return undefined;
}

/** The path argument of a route registration: the first positional argument or `path=`. */
export function routePathNode(call: SyntaxNode): SyntaxNode | undefined {
  return positionalArguments(call)[0] ?? keywordArgument(call, 'path');
}

/** A function is an app factory when it is annotated to return FastAPI, or returns a local `x = FastAPI()`. */
export interface AppFactory {
  /** The local variable holding the app, when there is one. */
  readonly variable?: string;
  /** The `return <variable>` statement (a direct statement of the body): new routes go above it. */
  readonly returnStatement?: SyntaxNode;
}

export class RouteResolver {
  readonly bindings: Bindings;
  private readonly ownersByScope = new Map<number, ReadonlyMap<string, RouteOwner>>();
  private factories: ReadonlyMap<string, SyntaxNode> | undefined;

  /** `bindings`: the module's import bindings, when the caller has them already. */
  constructor(
    readonly root: SyntaxNode,
    bindings?: Bindings,
  ) {
    this.bindings = bindings ?? importBindings(readImports(root));
  }

  /**
   * The first HTTP route `fn` handles; null when it handles none. Websocket handlers are routes (routesOf)
   * but not HTTP ones: an LLM call in one is not a candidate for an SSE endpoint.
   */
  routeOf(fn: SyntaxNode): RouteHandler | null {
    return this.routesOf(fn).find((route) => !route.methods.includes('WEBSOCKET')) ?? null;
  }

  /** Every route `fn` handles (one per route decorator), in decorator order. */
  routesOf(fn: SyntaxNode): RouteHandler[] {
    const decorated = fn.parent;
    if (fn.type !== 'function_definition' || decorated?.type !== 'decorated_definition') {
      return [];
    }
    const routes: RouteHandler[] = [];
    for (const decorator of children(decorated)) {
      const call = decorator.type === 'decorator' ? decorator.firstNamedChild : null;
      const target = call?.type === 'call' ? this.ownerCall(call, decorated) : undefined;
      const methods = target && routeMethods(target.method, call!);
      if (!target || !methods || target.method === 'add_api_route') {
        continue;
      }
      const pathNode = routePathNode(call!);
      const responseClass = keywordArgument(call!, 'response_class');
      const sseClass = responseClass ? this.isClass(responseClass, NATIVE_SSE_RESPONSE) : target.owner.nativeSseDefault;
      const body = fn.childForFieldName('body');
      routes.push({
        handler: fn,
        decorator,
        owner: target.owner.variable,
        ownerInfo: target.owner,
        method: target.method,
        methods,
        path: stringValue(pathNode),
        pathLiteral: pathNode?.type === 'string' ? pathNode.text : null,
        nativeSse: sseClass && body !== null && containsYield(body),
      });
    }
    return routes;
  }

  /** `(owner, method)` of a call like `app.get(...)` when `app` is an owner in scope at `at`. */
  ownerCall(call: SyntaxNode, at: SyntaxNode): { owner: RouteOwner; method: string } | undefined {
    const callee = call.childForFieldName('function');
    if (callee?.type !== 'attribute') {
      return undefined;
    }
    const object = callee.childForFieldName('object');
    const method = callee.childForFieldName('attribute')?.text;
    const owner = object?.type === 'identifier' ? this.ownerOf(object.text, at) : undefined;
    return owner && method ? { owner, method } : undefined;
  }

  /** The app or router `name` refers to at `at`: the innermost enclosing scope binding it wins. */
  ownerOf(name: string, at: SyntaxNode): RouteOwner | undefined {
    for (let scope: SyntaxNode | null = at.parent; scope; scope = scope.parent) {
      if (scope.type === 'function_definition' || scope.type === 'module') {
        const owner = this.ownersIn(scope).get(name);
        if (owner) {
          return owner;
        }
      }
    }
    return undefined;
  }

  /** The owners bound directly in a scope (the module, or a function): apps first, in source order. */
  ownersIn(scope: SyntaxNode): ReadonlyMap<string, RouteOwner> {
    let owners = this.ownersByScope.get(scope.id);
    if (!owners) {
      owners = this.readOwners(scope);
      this.ownersByScope.set(scope.id, owners);
    }
    return owners;
  }

  /** The module-level app factories by name. */
  moduleFactories(): ReadonlyMap<string, SyntaxNode> {
    if (!this.factories) {
      const found = new Map<string, SyntaxNode>();
      for (const statement of children(this.root)) {
        const definition = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
        const name = definition?.type === 'function_definition' ? definition.childForFieldName('name')?.text : undefined;
        if (definition && name && this.appFactoryOf(definition)) {
          found.set(name, definition);
        }
      }
      this.factories = found;
    }
    return this.factories;
  }

  /** Whether `fn` makes FastAPI apps (see AppFactory); null when it does not. */
  appFactoryOf(fn: SyntaxNode): AppFactory | null {
    const body = children(fn.childForFieldName('body'));
    const annotated = this.isClass(fn.childForFieldName('return_type')?.firstNamedChild, FASTAPI_CLASS);
    let variable: string | undefined;
    for (const statement of body) {
      const assignment = statement.type === 'expression_statement' ? statement.firstNamedChild : null;
      const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
      if (left?.type === 'identifier' && this.constructs(assignment!, FASTAPI_CLASS)) {
        variable = left.text;
      }
    }
    const returned = body.find((statement) => statement.type === 'return_statement' && variable !== undefined && statement.firstNamedChild?.text === variable);
    if (!annotated && !returned) {
      return null;
    }
    return { ...(variable !== undefined ? { variable } : {}), ...(returned ? { returnStatement: returned } : {}) };
  }

  /** Whether an expression names `qualified` (`fastapi.FastAPI`) through the module's imports. */
  isClass(node: SyntaxNode | null | undefined, qualified: string): boolean {
    const name = resolveQualifiedName(node, this.bindings);
    return name === qualified || (qualified === NATIVE_SSE_RESPONSE && name === 'fastapi.responses.EventSourceResponse');
  }

  /** An assignment whose value calls `qualified`, or whose annotation names it. */
  private constructs(assignment: SyntaxNode, qualified: string): boolean {
    const value = assignment.childForFieldName('right');
    const callee = value?.type === 'call' ? value.childForFieldName('function') : null;
    return this.isClass(callee, qualified) || this.isClass(assignment.childForFieldName('type')?.firstNamedChild, qualified);
  }

  private readOwners(scope: SyntaxNode): Map<string, RouteOwner> {
    const body = scope.type === 'function_definition' ? scope.childForFieldName('body') : scope;
    const owners = new Map<string, RouteOwner>();
    if (!body) {
      return owners;
    }
    const factoryName = scope.type === 'function_definition' && this.isModuleFactory(scope) ? scope.childForFieldName('name')!.text : undefined;
    for (const binding of scopeBindings(body)) {
      if (binding.target.type !== 'identifier' || owners.has(binding.target.text)) {
        continue;
      }
      const variable = binding.target.text;
      const value = binding.value?.type === 'call' ? binding.value : null;
      const callee = value?.childForFieldName('function');
      const annotation = binding.annotation?.firstNamedChild;
      const statement = binding.target.parent?.parent ?? binding.target;
      const nativeSseDefault = value !== null && this.isClass(keywordArgument(value, 'default_response_class'), NATIVE_SSE_RESPONSE);
      if (this.isClass(callee, FASTAPI_CLASS) || this.isClass(annotation, FASTAPI_CLASS)) {
        owners.set(variable, { variable, id: factoryName ?? variable, kind: 'app', prefix: '', binding: statement, nativeSseDefault });
      } else if (callee?.type === 'identifier' && this.moduleFactories().has(callee.text)) {
        owners.set(variable, { variable, id: variable, kind: 'app', prefix: '', binding: statement, createdBy: callee.text, nativeSseDefault: false });
      } else if (this.isClass(callee, API_ROUTER_CLASS) || this.isClass(annotation, API_ROUTER_CLASS)) {
        const prefixNode = value ? keywordArgument(value, 'prefix') : undefined;
        const prefix = stringValue(prefixNode);
        owners.set(variable, {
          variable,
          id: variable,
          kind: 'router',
          prefix: prefix ?? '',
          ...(prefixNode && prefix === undefined ? { prefixExpression: prefixNode } : {}),
          binding: statement,
          nativeSseDefault,
        });
      }
    }
    return owners;
  }

  private isModuleFactory(fn: SyntaxNode): boolean {
    const name = fn.childForFieldName('name')?.text;
    return name !== undefined && this.moduleFactories().get(name)?.id === fn.id;
  }
}
