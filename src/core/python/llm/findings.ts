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
import { dottedText, keywordArgument, positionalArguments, resolveQualifiedName, stringValue } from '../syntax';
import type { LlmCall } from './detect';
import type { LlmProvider } from './sdks';
import { readHandlerAnswer } from './answerUse';
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
  readonly provider: LlmProvider | null;
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
 * has a streaming sibling (`--fix-style sibling` added it: the JSON route stays on purpose).
 */
export function llmCallFindings(calls: readonly LlmCall[]): Finding[] {
  const findings: Finding[] = [];
  for (const call of calls) {
    const who = `${PROVIDER_NAMES[call.provider]} ${call.method}()`;
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
      findings.push(
        finding(
          'llm-sync-client',
          '{0} on the sync {1} client blocks the event loop inside async def; use {2}',
          [who, call.client.cls.name, call.client.cls.counterpart],
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

const EVENT_STREAM = 'text/event-stream';
const STREAMING_RESPONSE = new Set(['starlette.responses.StreamingResponse', 'fastapi.responses.StreamingResponse']);
const GZIP_MIDDLEWARE = new Set(['starlette.middleware.gzip.GZipMiddleware', 'fastapi.middleware.gzip.GZipMiddleware']);

/** Findings about SSE responses and middleware, from the module analysis. */
export function sseFindings(analysis: ModuleAnalysis): Finding[] {
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
        findings.push(
          finding('sse-gzip', 'GZipMiddleware on {0}, which has SSE routes, holds events back until its compression buffer fills', [owner], {
            provider: null,
            node: call,
            highlightEnd: callee.endIndex,
          }),
        );
      }
    }
  }
  return findings;
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
    return false;
  }
  if (headers.type !== 'dictionary') {
    return true;
  }
  return headers.namedChildren.some((pair) => {
    if (pair?.type === 'dictionary_splat') {
      return true;
    }
    const key = pair?.type === 'pair' ? stringValue(pair.childForFieldName('key')) : undefined;
    return key?.toLowerCase() === 'x-accel-buffering';
  });
}

/** Every finding of a module, in source order. */
export function moduleFindings(analysis: ModuleAnalysis, calls: readonly LlmCall[]): Finding[] {
  return [...llmCallFindings(calls), ...sseFindings(analysis)].sort((a, b) => a.node.startIndex - b.node.startIndex);
}
