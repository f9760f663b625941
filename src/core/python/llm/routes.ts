/**
 * "Is this function a FastAPI route handler?", answered from the decorators alone, on a tree the caller
 * already has (the editor re-parses incrementally and asks on every change, so this must not re-parse).
 *
 * A handler is a function decorated with `@<owner>.<method>(path, ...)` where `<method>` is an HTTP
 * method or `api_route`, and `<owner>` is bound in the module (or an enclosing factory) to `FastAPI(...)`
 * or `APIRouter(...)`, however those are imported. The full module analysis (apps, routers, prefixes,
 * inclusions) lives in ../analysis.ts; this is the one question the LLM diagnostics need per keystroke.
 */
import type { SyntaxNode } from '../parser';
import { scopeBindings } from './bindings';

export interface RouteHandler {
  /** The function_definition. */
  readonly handler: SyntaxNode;
  /** The route decorator (`@app.post("/chat")`). */
  readonly decorator: SyntaxNode;
  /** The owner's variable name (`app`, `router`). */
  readonly owner: string;
  /** Lower-case decorator method: get, post, ..., api_route. */
  readonly method: string;
  /** The path literal as written, quotes included. */
  readonly pathLiteral: string | null;
}

const ROUTE_DECORATORS = new Set(['get', 'post', 'put', 'delete', 'patch', 'options', 'head', 'trace', 'api_route']);
const OWNER_CLASSES = new Set(['FastAPI', 'APIRouter']);

/**
 * Answers "which route does this function handle?" for the functions of one module. The names bound to
 * FastAPI apps and routers are read once per scope (the module, or an app factory) and cached, so asking
 * for every function of a large module stays linear.
 */
export class RouteResolver {
  private readonly ownersByScope = new Map<number, ReadonlySet<string>>();

  /** The route `fn` handles, when it is a route handler; null otherwise. */
  routeOf(fn: SyntaxNode): RouteHandler | null {
    const decorated = fn.parent;
    if (decorated?.type !== 'decorated_definition') {
      return null;
    }
    for (const decorator of decorated.namedChildren) {
      const route = decorator?.type === 'decorator' ? describeRouteDecorator(decorator, fn) : null;
      if (route && this.isFastApiOwner(route.owner, decorated)) {
        return route;
      }
    }
    return null;
  }

  /** Whether `name` is bound to a FastAPI app or APIRouter in the scopes around `at`. */
  private isFastApiOwner(name: string, at: SyntaxNode): boolean {
    for (let scope: SyntaxNode | null = at.parent; scope; scope = scope.parent) {
      const body = scope.type === 'function_definition' ? scope.childForFieldName('body') : scope.type === 'module' ? scope : null;
      if (body && this.ownersIn(body).has(name)) {
        return true;
      }
    }
    return false;
  }

  private ownersIn(body: SyntaxNode): ReadonlySet<string> {
    let owners = this.ownersByScope.get(body.id);
    if (!owners) {
      const found = new Set<string>();
      for (const binding of scopeBindings(body)) {
        if (binding.target.type !== 'identifier') {
          continue;
        }
        const annotation = binding.annotation?.namedChildren[0];
        const callee = binding.value?.type === 'call' ? binding.value.childForFieldName('function') : null;
        if (namesOwnerClass(annotation) || namesOwnerClass(callee)) {
          found.add(binding.target.text);
        }
      }
      owners = found;
      this.ownersByScope.set(body.id, owners);
    }
    return owners;
  }
}

/** One-off form of RouteResolver.routeOf. */
export function routeHandlerOf(fn: SyntaxNode): RouteHandler | null {
  return new RouteResolver().routeOf(fn);
}

/** Reads `@<owner>.<method>(path, ...)` without checking what `<owner>` is; null for other decorators. */
export function describeRouteDecorator(decorator: SyntaxNode, fn: SyntaxNode): RouteHandler | null {
  const call = decorator.namedChildren[0];
  const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
  const owner = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
  const method = callee?.childForFieldName('attribute')?.text;
  if (owner?.type !== 'identifier' || method === undefined || !ROUTE_DECORATORS.has(method)) {
    return null;
  }
  const firstArgument = call!.childForFieldName('arguments')?.namedChildren[0];
  return {
    handler: fn,
    decorator,
    owner: owner.text,
    method,
    pathLiteral: firstArgument?.type === 'string' ? firstArgument.text : null,
  };
}

/** `FastAPI`, `fastapi.FastAPI`, `APIRouter`, or an alias imported from fastapi. */
function namesOwnerClass(node: SyntaxNode | null | undefined): boolean {
  if (!node) {
    return false;
  }
  const last = node.type === 'attribute' ? node.childForFieldName('attribute')?.text : node.type === 'identifier' ? node.text : undefined;
  if (last !== undefined && OWNER_CLASSES.has(last)) {
    return true;
  }
  return node.type === 'identifier' && aliasedOwnerClass(node);
}

function aliasedOwnerClass(identifier: SyntaxNode): boolean {
  const root = rootOf(identifier);
  for (const statement of root.namedChildren) {
    if (statement?.type !== 'import_from_statement' || !statement.childForFieldName('module_name')?.text.startsWith('fastapi')) {
      continue;
    }
    for (const name of statement.childrenForFieldName('name')) {
      if (name?.type === 'aliased_import' && name.childForFieldName('alias')?.text === identifier.text) {
        return OWNER_CLASSES.has(name.childForFieldName('name')?.text ?? '');
      }
    }
  }
  return false;
}

function rootOf(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent) {
    n = n.parent;
  }
  return n;
}
