/**
 * Streaming problems in a Python module, each with a stable code (a public interface: the CLI's --json
 * output and the editor's diagnostics carry it, and users' CI may filter on it):
 *
 *   llm-not-streamed       a non-streaming LLM call in a FastAPI route handler: the client waits for the whole answer
 *   llm-sync-client        a sync LLM client called inside `async def`: the event loop is blocked for the whole call
 *   sse-no-accel-buffering a StreamingResponse serving text/event-stream without `X-Accel-Buffering: no`:
 *                          nginx (and proxies that honour the header) buffer the events
 *   sse-gzip               GZipMiddleware on an app with SSE routes: the compressor holds events back until its buffer fills
 *
 * The first two need only the syntax tree and run on every edit in the editor; the last two need the module
 * analysis (imports, routes) and run in `catalyst-streaming check`.
 */
import type { ModuleAnalysis } from '../analysis';
import type { SyntaxNode } from '../parser';
import { atLeast, type PackageVersion } from '../projectVersions';
import { dottedText, keywordArgument, positionalArguments, resolveQualifiedName, stringValue } from '../syntax';
import type { LlmCall } from './detect';
import type { FrameworkCall, FrameworkProvider } from './frameworks';
import type { LlmProvider } from './sdks';
import { readHandlerAnswer } from './answerUse';
import { asyncClientRefusal } from './asyncClientSafety';
import { structuredAnswer } from './structuredAnswer';

export type FindingCode = 'llm-not-streamed' | 'llm-sync-client' | 'sse-no-accel-buffering' | 'sse-gzip';

export const FINDING_CODES: Readonly<Record<FindingCode, string>> = {
  'llm-not-streamed': 'non-streaming LLM call in a FastAPI route: the client waits for the whole answer',
  'llm-sync-client': 'sync LLM client called inside async def: it blocks the event loop for the whole call',
  'sse-no-accel-buffering': 'StreamingResponse serving text/event-stream without "X-Accel-Buffering: no": nginx buffers it',
  'sse-gzip': 'GZipMiddleware on an app with SSE routes: compression holds events back',
};

export interface Finding {
  readonly code: FindingCode;
  readonly message: string;
  /** The message with `{0}`-style placeholders, and their values, for an editor to localise. */
  readonly template: string;
  readonly templateArguments: readonly string[];
  /** The SDK, or the framework (`litellm`, `langchain`) the call goes through; null for SSE findings. */
  readonly provider: LlmProvider | FrameworkProvider | null;
  /** The node the finding is about (the call); its start is the finding's position. */
  readonly node: SyntaxNode;
  /** Where an editor underlines it: from the node's start to this node's end (the callee, not the arguments). */
  readonly highlightEnd: number;
  /** The LLM call, for findings about one (the quick fixes start from it). */
  readonly call?: LlmCall;
}

const PROVIDER_NAMES: Readonly<Record<LlmProvider, string>> = { anthropic: 'Anthropic', openai: 'OpenAI', groq: 'Groq' };

function finding(
  code: FindingCode,
  template: string,
  templateArguments: readonly string[],
  rest: Omit<Finding, 'code' | 'message' | 'template' | 'templateArguments'>,
): Finding {
  const message = template.replace(/\{(\d+)\}/g, (_, i: string) => templateArguments[Number(i)] ?? '');
  return { code, message, template, templateArguments, ...rest };
}

/**
 * Findings about LLM calls: `llm-not-streamed` for calls in routes, `llm-sync-client` for sync clients in async code.
 * A call whose answer is structured (structuredAnswer.ts) is not "not streamed", nor is one in a route that
 * has a streaming sibling (`--fix-style sibling` added it: the JSON route stays on purpose). `shared`: the
 * module's names other modules import (see asyncClientRefusal), for why a sync client has no quick fix.
 */
export function llmCallFindings(calls: readonly LlmCall[], shared?: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  for (const call of calls) {
    if (call.offloaded) {
      // Run in a worker thread (run_in_executor, to_thread, run_in_threadpool): it blocks no event loop, and
      // the code around it decides what reaches the client.
      continue;
    }
    const who = callName(call);
    if (call.route && call.streams === false && structuredAnswer(call) === undefined && !hasStreamingSibling(call, calls)) {
      // Where the stream fix could not keep what the handler does with the answer, the finding says why.
      const answer = readHandlerAnswer(call, calls);
      findings.push(
        finding(
          'llm-not-streamed',
          answer.ok
            ? '{0} returns the whole LLM response at once; stream it with SSE'
            : '{0} returns the whole LLM response at once; stream it with SSE (no quick fix: {1})',
          answer.ok ? [who] : [who, answer.reason],
          {
            provider: call.provider,
            node: call.node,
            highlightEnd: call.methodName.endIndex,
            call,
          },
        ),
      );
    }
    if (call.inAsyncFunction && !call.client.cls.async) {
      // Where the async client fix would not keep what the code does, the finding says why (diagnosed only).
      const refusal = asyncClientRefusal(call, calls, shared);
      findings.push(
        finding(
          'llm-sync-client',
          refusal === undefined
            ? '{0} on the sync {1} client blocks the event loop inside async def; use {2}'
            : '{0} on the sync {1} client blocks the event loop inside async def; use {2} (no quick fix: {3})',
          refusal === undefined ? [who, call.client.cls.name, call.client.cls.counterpart] : [who, call.client.cls.name, call.client.cls.counterpart, refusal],
          { provider: call.provider, node: call.node, highlightEnd: call.methodName.endIndex, call },
        ),
      );
    }
  }
  return findings;
}

/** The path of the streaming sibling of a route path: `/chat` -> `/chat/stream`, `/` -> `/stream`. */
export function streamingSiblingPath(path: string): string {
  return `${path.endsWith('/') ? path.slice(0, -1) : path}/stream`;
}

/** Whether a streaming LLM call serves the call's route path + "/stream" on the same owner and method. */
function hasStreamingSibling(call: LlmCall, calls: readonly LlmCall[]): boolean {
  const route = call.route!;
  if (route.path === undefined) {
    return false;
  }
  const siblingPath = streamingSiblingPath(route.path);
  return calls.some(
    (other) =>
      other.streams === true &&
      other.route?.path === siblingPath &&
      other.route.ownerInfo.id === route.ownerInfo.id &&
      other.route.methods.join() === route.methods.join(),
  );
}

function callName(call: LlmCall): string {
  return `${PROVIDER_NAMES[call.provider]} ${call.method}()`;
}

/** How a call outside any route handler is reached from routes (see workspaceDetection.ts). */
export interface CallReach {
  /** The first route that reaches the call's function, e.g. `POST /chat (chat in app/api.py)`. */
  readonly route?: string;
  /** The first `async def` route whose event loop runs the function (called directly, not in a worker thread). */
  readonly eventLoopRoute?: string;
}

/**
 * Findings for an LLM call in a function that routes reach through calls (helpers, services, `Depends`
 * providers), beyond those llmCallFindings reports where the call is written: the route is named, since
 * the call's own function is not one. A sync client there has no quick fix (the function is not `async def`,
 * so awaiting would change its callers): the message says why (`calls`: the module's, for the reason).
 */
export function reachedCallFindings(call: LlmCall, reach: CallReach, calls: readonly LlmCall[] = [call]): Finding[] {
  if (call.offloaded) {
    return [];
  }
  const findings: Finding[] = [];
  const who = callName(call);
  const rest = { provider: call.provider, node: call.node, highlightEnd: call.methodName.endIndex, call };
  if (!call.route && call.streams === false && structuredAnswer(call) === undefined && reach.route !== undefined) {
    findings.push(finding('llm-not-streamed', '{0} returns the whole LLM response at once to the route {1}; stream it with SSE', [who, reach.route], rest));
  }
  if (!call.inAsyncFunction && !call.client.cls.async && reach.eventLoopRoute !== undefined) {
    findings.push(
      finding(
        'llm-sync-client',
        '{0} on the sync {1} client blocks the event loop: it runs inside the async route {2}; use {3} (no quick fix: {4})',
        [who, call.client.cls.name, reach.eventLoopRoute, call.client.cls.counterpart, asyncClientRefusal(call, calls) ?? 'it is not in an async def'],
        rest,
      ),
    );
  }
  return findings;
}

/**
 * Findings for a LiteLLM or LangChain call (no quick fix: the call is not an LlmCall): not streamed in a route
 * (or reached from one), and sync inside async def (or on the event loop of an async route that reaches it).
 */
export function frameworkCallFindings(call: FrameworkCall, reach: CallReach | undefined): Finding[] {
  if (call.offloaded) {
    return [];
  }
  const findings: Finding[] = [];
  const rest = { provider: call.provider, node: call.node, highlightEnd: call.highlightEnd };
  if (call.streams === false && call.inRoute) {
    findings.push(finding('llm-not-streamed', '{0} returns the whole LLM response at once; stream it with SSE', [call.label], rest));
  } else if (call.streams === false && reach?.route !== undefined) {
    findings.push(
      finding('llm-not-streamed', '{0} returns the whole LLM response at once to the route {1}; stream it with SSE', [call.label, reach.route], rest),
    );
  }
  if (call.syncAlternative !== undefined && call.inAsyncFunction) {
    findings.push(
      finding('llm-sync-client', '{0} is a sync call: it blocks the event loop inside async def; use {1}', [call.label, call.syncAlternative], rest),
    );
  } else if (call.syncAlternative !== undefined && reach?.eventLoopRoute !== undefined) {
    findings.push(
      finding(
        'llm-sync-client',
        '{0} is a sync call: it blocks the event loop: it runs inside the async route {1}; use {2}',
        [call.label, reach.eventLoopRoute, call.syncAlternative],
        rest,
      ),
    );
  }
  return findings;
}

/** What the project's files say about the packages some findings depend on. */
export interface ProjectFacts {
  /** Starlette's version from the lock or requirements files; undefined when none pins it. */
  readonly starlette?: PackageVersion;
}

/**
 * Starlette's GZipMiddleware skips `text/event-stream` since 0.46.0 (encode/starlette#2871, "Don't compress on
 * server sent events"; `DEFAULT_EXCLUDED_CONTENT_TYPES`), and since 1.5.0 takes `exclude_content_types=`,
 * which replaces that default.
 */
const STARLETTE_SKIPS_SSE = '0.46.0';

const EVENT_STREAM = 'text/event-stream';
const STREAMING_RESPONSE = new Set(['starlette.responses.StreamingResponse', 'fastapi.responses.StreamingResponse']);
const GZIP_MIDDLEWARE = new Set(['starlette.middleware.gzip.GZipMiddleware', 'fastapi.middleware.gzip.GZipMiddleware']);

/** Findings about SSE responses and middleware, from the module analysis. */
export function sseFindings(analysis: ModuleAnalysis, facts: ProjectFacts = {}): Finding[] {
  const findings: Finding[] = [];
  const calls = analysis.root.descendantsOfType('call').filter((c): c is SyntaxNode => c !== null);
  const hasSseRoutes = analysis.routes.some((r) => r.streamsSse);
  for (const call of calls) {
    const callee = call.childForFieldName('function');
    const name = resolveQualifiedName(callee, analysis.bindings);
    if (name !== undefined && STREAMING_RESPONSE.has(name) && servesEventStream(call) && !setsAccelBuffering(call)) {
      findings.push(
        finding(
          'sse-no-accel-buffering',
          'StreamingResponse serves text/event-stream without "X-Accel-Buffering: no"; behind nginx the events arrive in bursts',
          [],
          {
            provider: null,
            node: call,
            highlightEnd: callee?.endIndex ?? call.endIndex,
          },
        ),
      );
    }
    if (hasSseRoutes && callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'add_middleware') {
      const middleware = resolveQualifiedName(positionalArguments(call)[0], analysis.bindings);
      if (middleware !== undefined && GZIP_MIDDLEWARE.has(middleware)) {
        const owner = dottedText(callee.childForFieldName('object')) ?? 'the app';
        const gzip = gzipFinding(call, facts.starlette);
        if (gzip) {
          findings.push(
            finding(
              'sse-gzip',
              `GZipMiddleware on {0}, which has SSE routes, holds events back until its compression buffer fills${gzip.why}`,
              [owner, ...gzip.arguments],
              {
                provider: null,
                node: call,
                highlightEnd: callee.endIndex,
              },
            ),
          );
        }
      }
    }
  }
  return findings;
}

/**
 * Whether GZipMiddleware compresses the SSE routes' responses, and why it is said to: the template's tail
 * (`{1}`... placeholders) and its arguments. Undefined when the project's Starlette skips event streams.
 */
function gzipFinding(call: SyntaxNode, starlette: PackageVersion | undefined): { why: string; arguments: string[] } | undefined {
  const excluded = keywordArgument(call, 'exclude_content_types');
  if (excluded) {
    // Starlette's default list keeps holding event-stream when it is spread in; a literal list without it replaces it.
    const mentions = excluded
      .descendantsOfType(['string', 'identifier', 'attribute'])
      .some((n) => stringValue(n) === EVENT_STREAM || n?.text.endsWith('DEFAULT_EXCLUDED_CONTENT_TYPES'));
    const literal = excluded.type === 'tuple' || excluded.type === 'list';
    return literal && !mentions ? { why: ' ({1} replaces the default that skips {2})', arguments: ['exclude_content_types', EVENT_STREAM] } : undefined;
  }
  if (atLeast(starlette, STARLETTE_SKIPS_SSE)) {
    return undefined;
  }
  if (starlette?.kind === 'exact') {
    return {
      why: ' (Starlette {1}, from {2}, compresses {3}; {4} and later skip it)',
      arguments: [starlette.version, starlette.source, EVENT_STREAM, STARLETTE_SKIPS_SSE],
    };
  }
  return {
    why: ' if the project runs Starlette before {1} (its version is not pinned in a lock or requirements file; {1} and later skip {2})',
    arguments: [STARLETTE_SKIPS_SSE, EVENT_STREAM],
  };
}

function servesEventStream(call: SyntaxNode): boolean {
  const mediaType = keywordArgument(call, 'media_type') ?? positionalArguments(call)[3];
  return stringValue(mediaType) === EVENT_STREAM;
}

/**
 * Whether `headers=` sets X-Accel-Buffering. Headers the analysis cannot read (a variable, a `**` spread)
 * count as setting it: a finding must be certain.
 */
function setsAccelBuffering(call: SyntaxNode): boolean {
  const headers = keywordArgument(call, 'headers') ?? positionalArguments(call)[2];
  if (!headers) {
    return setAfterConstruction(call);
  }
  return headers.type !== 'dictionary' || dictionarySets(headers) || setAfterConstruction(call);
}

/**
 * `response = StreamingResponse(...)` then `response.headers["X-Accel-Buffering"] = "no"` (or
 * `.headers.update({...})`, `.headers.setdefault(...)`, `.headers.append(...)`) in the same function. An
 * update the analysis cannot read counts as setting it.
 */
function setAfterConstruction(call: SyntaxNode): boolean {
  const assignment = call.parent;
  const variable = assignment?.type === 'assignment' && assignment.childForFieldName('right')?.id === call.id ? assignment.childForFieldName('left') : null;
  if (variable?.type !== 'identifier') {
    return false;
  }
  let scope: SyntaxNode = call;
  while (scope.parent && scope.type !== 'function_definition') {
    scope = scope.parent;
  }
  const isHeadersOfVariable = (node: SyntaxNode | null) =>
    node?.type === 'attribute' && node.childForFieldName('attribute')?.text === 'headers' && node.childForFieldName('object')?.text === variable.text;
  for (const node of scope.descendantsOfType(['subscript', 'call'])) {
    if (!node || node.startIndex < call.endIndex) {
      continue;
    }
    if (node.type === 'subscript') {
      const isTarget = node.parent?.type === 'assignment' && node.parent.childForFieldName('left')?.id === node.id;
      if (
        isTarget &&
        isHeadersOfVariable(node.childForFieldName('value')) &&
        stringValue(node.childForFieldName('subscript'))?.toLowerCase() === ACCEL_BUFFERING
      ) {
        return true;
      }
      continue;
    }
    const callee = node.childForFieldName('function');
    const method = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
    if (!method || !isHeadersOfVariable(callee!.childForFieldName('object'))) {
      continue;
    }
    const first = positionalArguments(node)[0];
    if ((method === 'setdefault' || method === 'append' || method === '__setitem__') && stringValue(first)?.toLowerCase() === ACCEL_BUFFERING) {
      return true;
    }
    if (method === 'update' && (first?.type !== 'dictionary' || dictionarySets(first))) {
      return true;
    }
  }
  return false;
}

const ACCEL_BUFFERING = 'x-accel-buffering';

function dictionarySets(dictionary: SyntaxNode): boolean {
  return dictionary.namedChildren.some((pair) => {
    if (pair?.type === 'dictionary_splat') {
      return true;
    }
    const key = pair?.type === 'pair' ? stringValue(pair.childForFieldName('key')) : undefined;
    return key?.toLowerCase() === ACCEL_BUFFERING;
  });
}

/** Every finding of a module, in source order. */
export function moduleFindings(analysis: ModuleAnalysis, calls: readonly LlmCall[], facts: ProjectFacts = {}): Finding[] {
  return [...llmCallFindings(calls), ...sseFindings(analysis, facts)].sort((a, b) => a.node.startIndex - b.node.startIndex);
}
