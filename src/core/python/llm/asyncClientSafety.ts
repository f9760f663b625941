/**
 * Whether swapping a sync SDK client for its async counterpart keeps what the code does: every call on that
 * client can then be awaited where it is, and every stream it returns read with `async for`. Pure, on the
 * module's calls: the "Use the async client" fix (plan/llm/asyncClient.ts) is built only when this finds no
 * reason against it, and a `llm-sync-client` finding without a fix says the reason (one answer for both).
 */
import type { SyntaxNode } from '../parser';
import type { LlmCall } from './detect';

/**
 * Why the async client cannot replace the sync one safely; undefined when it can. `shared`: this module's
 * top-level names other modules of the workspace import (WorkspaceDetection.namesImportedFrom), whose calls
 * on the client this module cannot see; without it only this module's calls are weighed.
 */
export function asyncClientRefusal(call: LlmCall, calls: readonly LlmCall[], shared: ReadonlySet<string> = new Set()): string | undefined {
  const { client } = call;
  if (client.cls.async) {
    return 'the client is already async';
  }
  if (client.site === 'parameter') {
    return 'the client comes from a parameter (a dependency): change where it is made';
  }
  if (client.site === 'sdk-module') {
    return "the SDK's module-level client has no async counterpart: create an async client";
  }
  if (!client.construction || !client.classReference) {
    // Made in another module (imported, a factory there, app.state set there): the calls on it elsewhere are
    // not in this file, so they could not all be awaited by one edit here.
    return 'the client is made in another module: make it async there and await every call on it';
  }
  if (client.construction.parent?.type === 'as_pattern') {
    return 'the client is used as a synchronous context manager';
  }
  const construction = client.construction;
  const holder = topLevelHolder(construction);
  if (holder !== undefined && shared.has(holder)) {
    return `"${holder}" is also imported by other modules, whose calls on the client would have to be awaited too`;
  }
  for (const other of calls.filter((c) => c.client.construction?.id === construction.id)) {
    if (!other.function) {
      return 'the client is also called at module level, where nothing can await';
    }
    if (!other.inAsyncFunction && !other.route) {
      const name = other.function.childForFieldName('name')?.text ?? '?';
      return `the client is also called in the synchronous function "${name}", whose callers would have to await it`;
    }
    const reading = streamLoop(other);
    if (reading === null) {
      return `the stream ${other.method}() returns is not read by a for loop over the call itself, so it could not become async for`;
    }
  }
  return undefined;
}

/**
 * The `for` statement that reads the stream a call returns (`for chunk in client...create(stream=True):`),
 * which the fix turns into `async for`; undefined when the call returns no stream; null when a stream is
 * read some other way (assigned first, a `with` block, a comprehension, `stream=<expression>`).
 */
export function streamLoop(call: LlmCall): SyntaxNode | undefined | null {
  if (call.streams === false) {
    return undefined;
  }
  const loop = call.node.parent;
  return call.streams === true && !call.methodSpec.alwaysStreams && loop?.type === 'for_statement' && loop.childForFieldName('right')?.id === call.node.id
    ? loop
    : null;
}

/**
 * The top-level name through which other modules reach a client made at `construction`: the module-level
 * variable it is assigned to (`client = OpenAI()`) or the top-level function that makes it (a factory).
 * Undefined for a client held by a class (its calls are the class's methods, here) or made elsewhere.
 */
function topLevelHolder(construction: SyntaxNode): string | undefined {
  let node = construction;
  while (node.parent && node.parent.type !== 'module') {
    node = node.parent;
  }
  const statement = node.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
  if (statement?.type === 'function_definition') {
    return statement.childForFieldName('name')?.text;
  }
  const assignment = statement?.type === 'expression_statement' ? statement.namedChildren[0] : undefined;
  const target = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : undefined;
  return target?.type === 'identifier' ? target.text : undefined;
}
