/**
 * The conventions a new route follows so that the app still starts and the route looks like its siblings:
 * the decorator keywords (`tags=...`, `dependencies=...`) to add, and why.
 *
 *   await routeConventions(workspace, { file, id, analysis })
 *     -> { keywords: ['tags=["items"]'], notes: ['...'] }
 *
 * - `FastAPI(generate_unique_id_function=...)` (and the same on an APIRouter or an include_router call) is
 *   called for every route when it is registered; the full-stack template's `lambda route:
 *   f"{route.tags[0]}-{route.name}"` raises IndexError at import for a route without tags. When a tag-reading
 *   function is on the way from the owner to an app and nothing on that way (the router, an include_router
 *   call) gives the route tags, the new route gets tags: its siblings' when they all agree, else
 *   `["streaming"]`.
 * - Tags the siblings all share are copied even without such a function (the route joins their OpenAPI group).
 * - `dependencies=[...]` that every sibling route declares (usually authentication) is copied: a new
 *   endpoint that calls a paid model must not be the one route without the guard the others have.
 *
 * Pure: reads the workspace's syntax trees only.
 */
import type { ModuleAnalysis } from '../../python/analysis';
import type { SyntaxNode } from '../../python/parser';
import { children, keywordArgument } from '../../python/syntax';
import type { PythonWorkspace, TargetRef } from '../../python/workspace';

export interface RouteConventions {
  /** Decorator keyword arguments after the path, as Python source. */
  readonly keywords: readonly string[];
  /** What was decided and why, for the user. */
  readonly notes: readonly string[];
}

/** The tag a route gets when an id function needs one and its siblings do not agree on theirs. */
export const DEFAULT_TAG = 'streaming';

export async function routeConventions(workspace: PythonWorkspace, target: TargetRef & { readonly analysis: ModuleAnalysis }): Promise<RouteConventions> {
  const siblings = target.analysis.routes
    .filter((route) => route.owner === target.id && route.methods.some((m) => m !== 'WEBSOCKET'))
    .map((route) => decoratorCall(route.decorator))
    .filter((call): call is SyntaxNode => call !== undefined);
  const keywords: string[] = [];
  const notes: string[] = [];

  const siblingTags = sharedKeyword(siblings, 'tags');
  const needsTags = await untaggedIdFunction(workspace, target, false, new Set());
  if (siblingTags !== undefined) {
    keywords.push(`tags=${siblingTags}`);
    notes.push(`The route has tags=${siblingTags}, as every other route of ${target.id} has.`);
  } else if (needsTags !== undefined) {
    keywords.push(`tags=["${DEFAULT_TAG}"]`);
    notes.push(
      `The route has tags=["${DEFAULT_TAG}"]: ${needsTags} sets generate_unique_id_function, which is called for every route and may read its tags (a route without them would stop the app from starting), and the routes of ${target.id} do not share tags to copy.`,
    );
  }
  const dependencies = sharedKeyword(siblings, 'dependencies');
  if (dependencies !== undefined) {
    keywords.push(`dependencies=${dependencies}`);
    notes.push(`The route has dependencies=${dependencies}, as every other route of ${target.id} has (so it is guarded as they are).`);
  }
  return { keywords, notes };
}

/** The call of a route decorator (`@app.get(...)`), or an `add_api_route(...)` call itself. */
function decoratorCall(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type === 'call') {
    return node;
  }
  const call = node.type === 'decorator' ? node.firstNamedChild : undefined;
  return call?.type === 'call' ? call : undefined;
}

/**
 * The source of `name=` when every sibling passes the same one-line value (an empty list counts as none),
 * undefined otherwise (no siblings, one without it, or different values).
 */
function sharedKeyword(calls: readonly SyntaxNode[], name: string): string | undefined {
  const values = calls.map((call) => keywordArgument(call, name));
  const first = values[0];
  if (first === undefined || isEmptyList(first) || first.text.includes('\n')) {
    return undefined;
  }
  return values.every((value) => value?.text === first.text) ? first.text : undefined;
}

function isEmptyList(node: SyntaxNode): boolean {
  return (node.type === 'list' || node.type === 'tuple') && node.namedChildren.length === 0;
}

function hasTags(call: SyntaxNode | undefined): boolean {
  const tags = call && keywordArgument(call, 'tags');
  return tags !== undefined && !isEmptyList(tags);
}

/**
 * Where a generate_unique_id_function would meet the new route without tags, following the owner up through
 * every include_router to the apps (undefined when nowhere): `tagged` is whether the way so far gave tags.
 */
async function untaggedIdFunction(workspace: PythonWorkspace, owner: TargetRef, tagged: boolean, seen: Set<string>): Promise<string | undefined> {
  const key = `${owner.file}:${owner.id}`;
  if (seen.has(key)) {
    return undefined;
  }
  seen.add(key);
  const analysis = await workspace.module(owner.file);
  if (!analysis) {
    return undefined;
  }
  const constructor = ownerConstructor(analysis, owner.id);
  const taggedHere = tagged || hasTags(constructor);
  if (!taggedHere && constructor && keywordArgument(constructor, 'generate_unique_id_function')) {
    return `${owner.id} in ${owner.file}`;
  }
  for (const inclusion of await workspace.inclusionsOf(owner)) {
    const statement = inclusion.inclusion.statement;
    const call = statement.type === 'call' ? statement : statement.firstNamedChild;
    const includeCall = call?.type === 'call' ? call : undefined;
    const taggedThere = taggedHere || hasTags(includeCall);
    if (!taggedThere && includeCall && keywordArgument(includeCall, 'generate_unique_id_function')) {
      return `the include_router call in ${inclusion.owner.file}`;
    }
    const found = await untaggedIdFunction(workspace, inclusion.owner, taggedThere, seen);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

/** The `FastAPI(...)` / `APIRouter(...)` call that makes the owner (inside its factory for a factory's app). */
function ownerConstructor(analysis: ModuleAnalysis, id: string): SyntaxNode | undefined {
  const app = analysis.apps.find((a) => a.id === id);
  const factory = app?.kind === 'factory' ? app : app?.createdBy !== undefined ? analysis.apps.find((a) => a.id === app.createdBy) : undefined;
  if (factory) {
    const body = factory.node.childForFieldName('body');
    for (const statement of children(body)) {
      const call = assignedCall(statement, factory.variable);
      if (call) {
        return call;
      }
    }
    return undefined;
  }
  const binding = app?.node ?? analysis.routers.find((r) => r.id === id)?.node;
  return binding && assignedCall(binding);
}

/** `x = Call(...)` / `x: T = Call(...)` as a statement: the call (when `variable` is given, only for that name). */
function assignedCall(statement: SyntaxNode, variable?: string): SyntaxNode | undefined {
  const assignment = statement.type === 'expression_statement' ? statement.firstNamedChild : statement;
  if (assignment?.type !== 'assignment') {
    return undefined;
  }
  if (variable !== undefined && assignment.childForFieldName('left')?.text !== variable) {
    return undefined;
  }
  const right = assignment.childForFieldName('right');
  return right?.type === 'call' ? right : undefined;
}
