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
import { readImports, importBindings, type ImportStatement } from './imports';
import { parsePython, type SyntaxNode, type Tree } from './parser';
import {
  children,
  dottedText,
  keywordArgument,
  positionalArguments,
  resolveQualifiedName,
  spanOf,
  stringValue,
  type Bindings,
  type Span,
} from './syntax';

export type { ImportStatement, ImportedName } from './imports';
export type { Bindings, Point, Span } from './syntax';

export interface Parameter {
  readonly name: string;
  /** The annotation as written, e.g. `str`, `list[int] | None`. */
  readonly annotation?: string;
  /** The default value as written. */
  readonly defaultValue?: string;
  /** `*args` / `**kwargs` */
  readonly variadic: boolean;
}

export interface FunctionInfo {
  readonly name: string;
  readonly isAsync: boolean;
  /** Its body (not counting nested functions) contains `yield`. */
  readonly isGenerator: boolean;
  readonly parameters: readonly Parameter[];
  readonly returnAnnotation?: string;
  /** The `function_definition` node. */
  readonly node: SyntaxNode;
  /** From the first decorator (or `def`/`async def` when there is none) to the end of the body. */
  readonly span: Span;
}

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
  readonly node: SyntaxNode;
  readonly span: Span;
}

export interface RouterInclusion {
  /** The app or router id the router is included into. */
  readonly owner: string;
  /** The included expression as written, e.g. `router`, `items.router`. */
  readonly router: string;
  /** The same resolved through imports when its head is imported (e.g. `.routers.items.router`). */
  readonly routerQualifiedName?: string;
  readonly prefix: string;
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
  readonly routes: readonly Route[];
  readonly functions: readonly FunctionInfo[];
  readonly classes: ReadonlyMap<string, Span>;
  /** Every name bound at module level: imports, defs, classes, assignment targets. */
  readonly topLevelNames: ReadonlySet<string>;
  readonly mainBlock?: MainBlock;
  readonly lineEnding: '\n' | '\r\n';
  /** One level of indentation as the file writes it; four spaces when the file has no indented block. */
  readonly indentUnit: string;
  dispose(): void;
}

const FASTAPI = 'fastapi.FastAPI';
const API_ROUTER = 'fastapi.APIRouter';
const ROUTE_METHODS = new Set(['get', 'post', 'put', 'delete', 'patch', 'options', 'head', 'trace']);

export async function analyzePythonModule(source: string): Promise<ModuleAnalysis> {
  const tree = await parsePython(source);
  const root = tree.rootNode;
  const imports = readImports(root);
  const bindings = importBindings(imports);
  const statements = children(root);

  const functions: FunctionInfo[] = [];
  const classes = new Map<string, Span>();
  const topLevelNames = new Set<string>(bindings.keys());
  for (const statement of statements) {
    const definition = unwrapDecorated(statement);
    if (definition.type === 'function_definition') {
      const info = readFunction(definition);
      functions.push(info);
      topLevelNames.add(info.name);
    } else if (definition.type === 'class_definition') {
      const name = definition.childForFieldName('name')?.text;
      if (name) {
        classes.set(name, spanOf(statement));
        topLevelNames.add(name);
      }
    } else {
      for (const name of assignedNames(statement)) {
        topLevelNames.add(name);
      }
    }
  }

  const isFastApi = (node: SyntaxNode | null | undefined) => resolveQualifiedName(node, bindings) === FASTAPI;
  const isRouterClass = (node: SyntaxNode | null | undefined) => resolveQualifiedName(node, bindings) === API_ROUTER;

  const factories = functions.flatMap((fn) => readFactory(fn, isFastApi));
  const factoryNames = new Set(factories.map((f) => f.id));
  const apps: FastApiApp[] = [...factories];
  const routers: ApiRouter[] = [];
  for (const statement of statements) {
    const assignment = moduleAssignment(statement);
    if (!assignment) {
      continue;
    }
    const { name, type, value } = assignment;
    const callee = value?.type === 'call' ? value.childForFieldName('function') : undefined;
    if (isFastApi(type) || isFastApi(callee)) {
      apps.push({ id: name, kind: 'instance', variable: name, node: statement, span: spanOf(statement) });
    } else if (callee?.type === 'identifier' && factoryNames.has(callee.text)) {
      apps.push({ id: name, kind: 'instance', variable: name, createdBy: callee.text, node: statement, span: spanOf(statement) });
    } else if (isRouterClass(type) || isRouterClass(callee)) {
      const prefix = value?.type === 'call' ? (stringValue(keywordArgument(value, 'prefix')) ?? '') : '';
      routers.push({ id: name, prefix, node: statement, span: spanOf(statement) });
    }
  }

  // Which names refer to which owner, per scope: module-level variables, and each factory's local variable.
  const moduleOwners = new Map<string, Owner>();
  for (const app of apps) {
    if (app.kind === 'instance' && app.variable) {
      moduleOwners.set(app.variable, { id: app.id, kind: 'app', prefix: '' });
    }
  }
  for (const router of routers) {
    moduleOwners.set(router.id, { id: router.id, kind: 'router', prefix: router.prefix });
  }
  const scopes: Array<{ statements: SyntaxNode[]; owners: Map<string, Owner> }> = [{ statements, owners: moduleOwners }];
  for (const factory of factories) {
    const owners = new Map(moduleOwners);
    if (factory.variable) {
      owners.set(factory.variable, { id: factory.id, kind: 'app', prefix: '' });
    }
    scopes.push({ statements: children(factory.node.childForFieldName('body')), owners });
  }

  const routes: Route[] = [];
  const inclusions: RouterInclusion[] = [];
  for (const scope of scopes) {
    for (const statement of scope.statements) {
      routes.push(...readDecoratedRoutes(statement, scope.owners, bindings));
      const call = statementCall(statement);
      if (!call) {
        continue;
      }
      const route = readAddApiRoute(statement, call, scope.owners, functions);
      if (route) {
        routes.push(route);
      }
      const inclusion = readInclusion(statement, call, scope.owners, bindings);
      if (inclusion) {
        inclusions.push(inclusion);
      }
    }
  }

  const mainStatement = statements.find(isMainGuard);
  const mainBlock = mainStatement && {
    node: mainStatement,
    span: spanOf(mainStatement),
    insertionOffset: leadingCommentsStart(mainStatement),
  };

  return {
    source,
    tree,
    root,
    syntaxErrors: collectSyntaxErrors(root),
    imports,
    bindings,
    apps,
    routers,
    inclusions,
    routes,
    functions,
    classes,
    topLevelNames,
    ...(mainBlock ? { mainBlock } : {}),
    lineEnding: detectLineEnding(source),
    indentUnit: detectIndentUnit(root, source),
    dispose: () => tree.delete(),
  };
}

interface Owner {
  readonly id: string;
  readonly kind: 'app' | 'router';
  readonly prefix: string;
}

function unwrapDecorated(node: SyntaxNode): SyntaxNode {
  return node.type === 'decorated_definition' ? (node.childForFieldName('definition') ?? node) : node;
}

/** `name = value` or `name: type = value` directly at statement level. */
function moduleAssignment(statement: SyntaxNode): { name: string; type?: SyntaxNode; value?: SyntaxNode } | undefined {
  if (statement.type !== 'expression_statement') {
    return undefined;
  }
  const assignment = statement.firstNamedChild;
  if (assignment?.type !== 'assignment') {
    return undefined;
  }
  const left = assignment.childForFieldName('left');
  if (left?.type !== 'identifier') {
    return undefined;
  }
  const type = assignment.childForFieldName('type')?.firstNamedChild ?? undefined;
  const value = assignment.childForFieldName('right') ?? undefined;
  return { name: left.text, ...(type ? { type } : {}), ...(value ? { value } : {}) };
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
      names.push(...children(left).filter((n) => n.type === 'identifier').map((n) => n.text));
    }
    assignment = assignment.childForFieldName('right');
  }
  return names;
}

export function readFunction(definition: SyntaxNode): FunctionInfo {
  const decorated = definition.parent?.type === 'decorated_definition' ? definition.parent : definition;
  const returnType = definition.childForFieldName('return_type');
  const body = definition.childForFieldName('body');
  return {
    name: definition.childForFieldName('name')?.text ?? '',
    isAsync: definition.children.some((child) => child?.type === 'async'),
    isGenerator: body ? containsYield(body) : false,
    parameters: children(definition.childForFieldName('parameters')).flatMap(readParameter),
    ...(returnType ? { returnAnnotation: returnType.text } : {}),
    node: definition,
    span: spanOf(decorated),
  };
}

function readParameter(node: SyntaxNode): Parameter[] {
  switch (node.type) {
    case 'identifier':
      return [{ name: node.text, variadic: false }];
    case 'typed_parameter': {
      const inner = node.firstNamedChild;
      const variadic = inner?.type === 'list_splat_pattern' || inner?.type === 'dictionary_splat_pattern';
      const name = variadic ? (inner?.firstNamedChild?.text ?? '') : (inner?.text ?? '');
      return [{ name, annotation: node.childForFieldName('type')?.text ?? '', variadic }];
    }
    case 'default_parameter':
    case 'typed_default_parameter': {
      const type = node.childForFieldName('type');
      return [
        {
          name: node.childForFieldName('name')?.text ?? '',
          ...(type ? { annotation: type.text } : {}),
          defaultValue: node.childForFieldName('value')?.text ?? '',
          variadic: false,
        },
      ];
    }
    case 'list_splat_pattern':
    case 'dictionary_splat_pattern':
      return [{ name: node.firstNamedChild?.text ?? '', variadic: true }];
    default:
      // `*` and `/` separators.
      return [];
  }
}

function containsYield(node: SyntaxNode): boolean {
  for (const child of children(node)) {
    if (child.type === 'yield') {
      return true;
    }
    if (['function_definition', 'lambda', 'class_definition'].includes(child.type)) {
      continue;
    }
    if (containsYield(child)) {
      return true;
    }
  }
  return false;
}

/** A function is a factory when it is annotated to return FastAPI, or returns a local `x = FastAPI()`. */
function readFactory(fn: FunctionInfo, isFastApi: (node: SyntaxNode | null | undefined) => boolean): FastApiApp[] {
  const body = children(fn.node.childForFieldName('body'));
  const annotated = isFastApi(fn.node.childForFieldName('return_type')?.firstNamedChild);
  let variable: string | undefined;
  for (const statement of body) {
    const assignment = moduleAssignment(statement);
    const callee = assignment?.value?.type === 'call' ? assignment.value.childForFieldName('function') : undefined;
    if (assignment && (isFastApi(assignment.type) || isFastApi(callee))) {
      variable = assignment.name;
    }
  }
  const returned = body.find(
    (statement) => statement.type === 'return_statement' && variable !== undefined && statement.firstNamedChild?.text === variable,
  );
  if (!annotated && !returned) {
    return [];
  }
  return [
    {
      id: fn.name,
      kind: 'factory',
      ...(variable ? { variable } : {}),
      node: fn.node,
      span: fn.span,
      ...(returned ? { returnStatement: { node: returned, span: spanOf(returned) } } : {}),
    },
  ];
}

function statementCall(statement: SyntaxNode): SyntaxNode | undefined {
  const expression = statement.type === 'expression_statement' ? statement.firstNamedChild : undefined;
  return expression?.type === 'call' ? expression : undefined;
}

/** `(owner, method)` of a call like `app.get(...)` when `app` is a known owner. */
function ownerMethod(call: SyntaxNode, owners: ReadonlyMap<string, Owner>): { owner: Owner; method: string } | undefined {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'attribute') {
    return undefined;
  }
  const object = callee.childForFieldName('object');
  const owner = object?.type === 'identifier' ? owners.get(object.text) : undefined;
  const method = callee.childForFieldName('attribute')?.text;
  return owner && method ? { owner, method } : undefined;
}

function routeMethods(method: string, call: SyntaxNode): string[] | undefined {
  if (ROUTE_METHODS.has(method)) {
    return [method.toUpperCase()];
  }
  if (method === 'websocket' || method === 'websocket_route') {
    return ['WEBSOCKET'];
  }
  if (method === 'api_route' || method === 'route' || method === 'add_api_route') {
    const listed = keywordArgument(call, 'methods');
    const values = children(listed).map((item) => stringValue(item)?.toUpperCase());
    return listed && values.every((v): v is string => v !== undefined) ? values : ['GET'];
  }
  return undefined;
}

function routePath(call: SyntaxNode): string | undefined {
  return stringValue(positionalArguments(call)[0] ?? keywordArgument(call, 'path'));
}

function readDecoratedRoutes(statement: SyntaxNode, owners: ReadonlyMap<string, Owner>, bindings: Bindings): Route[] {
  if (statement.type !== 'decorated_definition') {
    return [];
  }
  const definition = statement.childForFieldName('definition');
  if (definition?.type !== 'function_definition') {
    return [];
  }
  const routes: Route[] = [];
  for (const decorator of children(statement).filter((child) => child.type === 'decorator')) {
    const call = decorator.firstNamedChild;
    if (call?.type !== 'call') {
      continue;
    }
    const target = ownerMethod(call, owners);
    const methods = target && routeMethods(target.method, call);
    const path = methods && routePath(call);
    if (!target || !methods || path === undefined) {
      continue;
    }
    const handler = readFunction(definition);
    routes.push({
      owner: target.owner.id,
      ownerKind: target.owner.kind,
      methods,
      path,
      fullPath: target.owner.prefix + path,
      decorator,
      handler,
      streamsSse: returnsEventStream(definition, bindings),
      span: spanOf(statement),
    });
  }
  return routes;
}

function readAddApiRoute(
  statement: SyntaxNode,
  call: SyntaxNode,
  owners: ReadonlyMap<string, Owner>,
  functions: readonly FunctionInfo[],
): Route | undefined {
  const target = ownerMethod(call, owners);
  if (target?.method !== 'add_api_route') {
    return undefined;
  }
  const path = routePath(call);
  const methods = routeMethods(target.method, call);
  if (path === undefined || !methods) {
    return undefined;
  }
  const endpoint = positionalArguments(call)[1] ?? keywordArgument(call, 'endpoint');
  const handler = functions.find((fn) => endpoint?.type === 'identifier' && fn.name === endpoint.text);
  return {
    owner: target.owner.id,
    ownerKind: target.owner.kind,
    methods,
    path,
    fullPath: target.owner.prefix + path,
    decorator: call,
    ...(handler ? { handler } : {}),
    streamsSse: false,
    span: spanOf(statement),
  };
}

function readInclusion(
  statement: SyntaxNode,
  call: SyntaxNode,
  owners: ReadonlyMap<string, Owner>,
  bindings: Bindings,
): RouterInclusion | undefined {
  const target = ownerMethod(call, owners);
  if (target?.method !== 'include_router') {
    return undefined;
  }
  const included = positionalArguments(call)[0] ?? keywordArgument(call, 'router');
  const router = dottedText(included);
  if (router === undefined) {
    return undefined;
  }
  const qualified = resolveQualifiedName(included, bindings);
  return {
    owner: target.owner.id,
    router,
    ...(qualified !== undefined ? { routerQualifiedName: qualified } : {}),
    prefix: stringValue(keywordArgument(call, 'prefix')) ?? '',
    statement,
    span: spanOf(statement),
  };
}

const EVENT_STREAM = 'text/event-stream';

/**
 * Whether a handler builds a Server-Sent Events response: our generated `streaming_response(...)` /
 * `EventStreamResponse(...)` (event-stream unless told otherwise), sse-starlette's `EventSourceResponse`,
 * or a `StreamingResponse(..., media_type="text/event-stream")`.
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
    if (last === 'streaming_response' || last === 'EventStreamResponse') {
      return mediaTypeNode === undefined || mediaType === EVENT_STREAM;
    }
    if (last === 'EventSourceResponse') {
      return true;
    }
    if (last === 'StreamingResponse') {
      return (mediaType ?? stringValue(positionalArguments(call)[3])) === EVENT_STREAM;
    }
    return false;
  });
}

/** `if __name__ == "__main__":` (either operand order, any quotes). */
function isMainGuard(statement: SyntaxNode): boolean {
  if (statement.type !== 'if_statement') {
    return false;
  }
  const condition = statement.childForFieldName('condition');
  if (condition?.type !== 'comparison_operator' || !condition.children.some((c) => c?.type === '==')) {
    return false;
  }
  const operands = children(condition);
  return (
    operands.length === 2 &&
    operands.some((o) => o.type === 'identifier' && o.text === '__name__') &&
    operands.some((o) => stringValue(o) === '__main__')
  );
}

/** The start of the run of comment lines directly above a statement (no blank line between), else the statement. */
function leadingCommentsStart(statement: SyntaxNode): number {
  let start = statement;
  let previous = statement.previousSibling;
  while (previous?.type === 'comment' && previous.endPosition.row === start.startPosition.row - 1 && previous.startPosition.column === 0) {
    start = previous;
    previous = previous.previousSibling;
  }
  return start.startIndex;
}

function collectSyntaxErrors(root: SyntaxNode): Span[] {
  if (!root.hasError) {
    return [];
  }
  const errors: Span[] = [];
  const visit = (node: SyntaxNode): void => {
    if (node.isError || node.isMissing) {
      errors.push(spanOf(node));
      return;
    }
    if (node.hasError) {
      for (const child of node.children) {
        if (child) {
          visit(child);
        }
      }
    }
  };
  visit(root);
  return errors;
}

/** The first line break's style decides: files are normally consistent, and a mix is rare enough to ignore. */
export function detectLineEnding(source: string): '\n' | '\r\n' {
  const lf = source.indexOf('\n');
  return lf > 0 && source[lf - 1] === '\r' ? '\r\n' : '\n';
}

/** The indentation of the first indented block, relative to its parent statement. */
function detectIndentUnit(root: SyntaxNode, source: string): string {
  for (const block of root.descendantsOfType('block')) {
    const first = block?.firstNamedChild;
    const parent = block?.parent;
    if (!block || !first || !parent || first.startPosition.row === parent.startPosition.row) {
      continue;
    }
    const lineStart = first.startIndex - first.startPosition.column;
    const indent = source.slice(lineStart, first.startIndex);
    const parentLineStart = parent.startIndex - parent.startPosition.column;
    const parentIndent = source.slice(parentLineStart, parentLineStart + parent.startPosition.column);
    if (/^[ \t]+$/.test(indent) && indent.startsWith(parentIndent) && indent.length > parentIndent.length) {
      return indent.slice(parentIndent.length);
    }
  }
  return '    ';
}
