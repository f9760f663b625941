/**
 * A local LLM provider for tests: a node:http server on 127.0.0.1, started inside the mocha process, that the
 * REAL anthropic, openai (Chat Completions, Responses, Azure) and groq SDKs talk to through their standard
 * base-URL settings (see `sdkEnvironment`). It mirrors each API's documented wire format, streaming and not:
 *
 *  - Anthropic Messages, `POST /v1/messages`: a `message` object, or with `"stream": true` the named SSE events
 *    message_start, content_block_start, ping, content_block_delta (text_delta) per token, content_block_stop,
 *    message_delta, message_stop; errors as `{"type":"error","error":{"type","message"}}`, over HTTP (e.g. 529
 *    overloaded_error) or inside the stream as `event: error`
 *    (docs.anthropic.com "Streaming Messages" and "Errors"; the anthropic SDK's `_streaming.py`, which skips
 *    `ping`, raises on `error` and parses the other named events).
 *  - OpenAI Chat Completions, `POST /v1/chat/completions`: a `chat.completion`, or `chat.completion.chunk` data
 *    lines ending in `data: [DONE]`, with the usage chunk (`choices: []`) when `stream_options.include_usage`;
 *    errors as `{"error":{"message","type","param","code"}}`, over HTTP or as a data line inside the stream
 *    (platform.openai.com API reference "Chat Completions: the chat completion chunk object"; the openai SDK's
 *    `_streaming.py`, which stops at [DONE] and raises APIError on a data line with "error").
 *  - OpenAI Responses, `POST /v1/responses`: a `response`, or named events response.created,
 *    response.in_progress, response.output_item.added, response.content_part.added, response.output_text.delta
 *    per token, response.output_text.done, response.content_part.done, response.output_item.done,
 *    response.completed, each with `sequence_number`, no [DONE]; an `error` event inside the stream
 *    (developers.openai.com "Streaming events" of the Responses API reference).
 *  - Azure OpenAI, `POST /openai/deployments/{deployment}/chat/completions?api-version=...` with an `api-key`
 *    header: the Chat Completions format, plus Azure's content-filter frame (empty `choices`,
 *    `prompt_filter_results`) first (learn.microsoft.com "Azure OpenAI content filtering" and its Q&A on empty
 *    `choices` in streams; the openai SDK's `lib/azure.py`, which builds that path from `azure_endpoint`, the
 *    model as deployment, and `api-version` as a query parameter).
 *  - Groq, `POST /openai/v1/chat/completions`: the OpenAI Chat Completions format plus `x_groq` (request id;
 *    usage on the last chunk) (the groq SDK's `resources/chat/completions.py` for the path and
 *    `types/chat/chat_completion_chunk.py` for `x_groq`).
 *
 * The SDK versions this was checked against are those of requirements/current-stack.txt (anthropic 2.14,
 * openai 3.57, groq 1.7); note anthropic 2.x sends its key as `Authorization: Bearer`, not `x-api-key`.
 *
 * What the provider answers is set per test with `behave(...)`: the tokens, a pause between streamed events,
 * an HTTP error status before the stream, or an error event after some tokens. It records every request
 * (API, path, body, which TCP connection carried it, how its response ended) and when each upstream
 * connection closed, so a test can see that the SDK hung up, and when.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  anthropicErrorBody,
  anthropicEvents,
  anthropicMessageBody,
  type ApiName,
  chatCompletionBody,
  chatCompletionEvents,
  openaiErrorBody,
  type ProviderEvent,
  type ProviderToolCall,
  type ProviderUsage,
  type AnswerExtras,
  responsesBody,
  responsesEvents,
} from './formats';

export type { ApiName, ProviderToolCall, ProviderUsage } from './formats';

export interface ProviderBehaviour {
  /** The answer's text, one streamed delta per item. */
  readonly tokens: readonly string[];
  /** Pause after each streamed event (ms); 0 writes the whole stream at once. */
  readonly eventDelayMs?: number;
  /** Answer every request with this HTTP status and the API's error body (529: Anthropic's overloaded_error). */
  readonly failStatus?: 500 | 529;
  /** Stream this many tokens, then the API's error event, then end the response. */
  readonly streamErrorAfter?: number;
  /** Streamed reasoning before the text (Anthropic thinking, Chat Completions reasoning deltas, Responses summary). */
  readonly reasoning?: readonly string[];
  /** Tool calls streamed after the text, their arguments in fragments. */
  readonly toolCalls?: readonly ProviderToolCall[];
  /** The token counts the streamed answer reports (default: 12 prompt tokens, one output token per delta). */
  readonly usage?: ProviderUsage;
}

export interface ProviderRequest {
  readonly api: ApiName;
  readonly method: string;
  /** Path with the query string, as the SDK sent it. */
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
  readonly stream: boolean;
  /** The TCP connection that carried it (see `connections`). */
  readonly connection: number;
  /** Streamed text deltas written before the response ended. */
  tokensWritten: number;
  /** How the response ended: written to its end, or cut short because the connection closed. */
  outcome: 'pending' | 'complete' | 'connection-closed';
}

export interface ProviderConnection {
  /** Wall-clock ms (comparable with test/support/wire.ts `wallClockMs`). */
  readonly openedAt: number;
  closedAt: number | undefined;
}

export interface ProviderServer {
  readonly baseUrl: string;
  readonly requests: readonly ProviderRequest[];
  readonly connections: ReadonlyMap<number, ProviderConnection>;
  /** What the next requests get (until the next call). */
  behave(behaviour: ProviderBehaviour): void;
  /** Forgets the recorded requests (connections stay known). */
  clear(): void;
  /** Resolves with the wall-clock time the connection closed; rejects after `timeoutMs`. */
  closed(connection: number, timeoutMs: number): Promise<number>;
  /** The environment that points each SDK's standard settings at this server. */
  sdkEnvironment(): Record<string, string>;
  stop(): Promise<void>;
}

const wallClockMs = () => performance.timeOrigin + performance.now();

/** Which API a request is for, from its method and path; undefined for anything else (answered 404). */
function apiOf(method: string, pathname: string): ApiName | undefined {
  if (method !== 'POST') return undefined;
  if (pathname === '/v1/messages') return 'anthropic';
  if (pathname === '/v1/chat/completions') return 'openai-chat';
  if (pathname === '/v1/responses') return 'openai-responses';
  if (pathname === '/openai/v1/chat/completions') return 'groq-chat';
  if (/^\/openai\/deployments\/[^/]+\/chat\/completions$/.test(pathname)) return 'azure-chat';
  return undefined;
}

interface StreamPlan {
  readonly contentType: string;
  readonly head: readonly ProviderEvent[];
  readonly token: (text: string) => ProviderEvent;
  readonly tail: readonly ProviderEvent[];
  readonly error: ProviderEvent;
}

function streamPlan(api: ApiName, id: string, model: string, body: Record<string, unknown>, tokens: readonly string[], extras: AnswerExtras): StreamPlan {
  switch (api) {
    case 'anthropic': {
      const events = anthropicEvents(id, model, tokens, extras);
      return { contentType: 'text/event-stream; charset=utf-8', ...events, error: events.error('overloaded_error', 'Overloaded') };
    }
    case 'openai-responses': {
      const events = responsesEvents(id, model, tokens, extras);
      const head = events.head();
      const token = events.token;
      // The sequence numbers follow the order of writing: the tail is made after the tokens.
      return {
        contentType: 'text/event-stream; charset=utf-8',
        head,
        token,
        get tail() {
          return events.tail();
        },
        get error() {
          return events.error('server_error', 'The server had an error while processing your request.');
        },
      };
    }
    default: {
      const options = body.stream_options as { include_usage?: boolean } | undefined;
      const events = chatCompletionEvents(api, id, model, tokens, options?.include_usage === true, extras);
      return {
        contentType: 'text/event-stream; charset=utf-8',
        ...events,
        error: events.error('server_error', 'The server had an error while processing your request.'),
      };
    }
  }
}

function completeBody(api: ApiName, id: string, model: string, tokens: readonly string[]): unknown {
  switch (api) {
    case 'anthropic':
      return anthropicMessageBody(id, model, tokens);
    case 'openai-responses':
      return responsesBody(id, model, tokens);
    default:
      return chatCompletionBody(id, model, tokens);
  }
}

function errorBody(api: ApiName, status: number): unknown {
  if (api === 'anthropic') {
    return status === 529 ? anthropicErrorBody('overloaded_error', 'Overloaded') : anthropicErrorBody('api_error', 'Internal server error');
  }
  return openaiErrorBody('server_error', 'The server had an error while processing your request.');
}

const encodeEvent = (e: ProviderEvent) => `${e.event === undefined ? '' : `event: ${e.event}\n`}data: ${e.data}\n\n`;

export async function startProviderServer(): Promise<ProviderServer> {
  const requests: ProviderRequest[] = [];
  const connections = new Map<number, ProviderConnection>();
  const sockets = new Set<Socket>();
  const connectionOf = new WeakMap<Socket, number>();
  const closeWaiters = new Map<number, Array<(at: number) => void>>();
  let behaviour: ProviderBehaviour = { tokens: ['Hello', ' from', ' the', ' local', ' provider', '.'] };

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 30_000;

  server.on('connection', (socket: Socket) => {
    const id = connections.size + 1;
    connections.set(id, { openedAt: wallClockMs(), closedAt: undefined });
    connectionOf.set(socket, id);
    sockets.add(socket);
    socket.on('close', () => {
      const at = wallClockMs();
      connections.get(id)!.closedAt = at;
      sockets.delete(socket);
      for (const resolve of closeWaiters.get(id) ?? []) resolve(at);
      closeWaiters.delete(id);
    });
  });

  async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const api = apiOf(req.method ?? '', url.pathname);
    const body = await readJson(req);
    if (!api) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify(openaiErrorBody('invalid_request_error', `no route ${req.method} ${url.pathname}`)));
      return;
    }
    const record: ProviderRequest = {
      api,
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body,
      stream: body.stream === true,
      connection: connectionOf.get(req.socket) ?? 0,
      tokensWritten: 0,
      outcome: 'pending',
    };
    requests.push(record);
    const current = behaviour;
    const id = randomUUID().replaceAll('-', '').slice(0, 24);
    const model = typeof body.model === 'string' ? body.model : 'model';
    const requestId = api === 'anthropic' ? { 'request-id': `req_${id}` } : { 'x-request-id': `req_${id}` };

    if (current.failStatus !== undefined) {
      res.writeHead(current.failStatus, { 'content-type': 'application/json', ...requestId }).end(JSON.stringify(errorBody(api, current.failStatus)));
      record.outcome = 'complete';
      return;
    }
    if (!record.stream) {
      res.writeHead(200, { 'content-type': 'application/json', ...requestId }).end(JSON.stringify(completeBody(api, `${id}`, model, current.tokens)));
      record.outcome = 'complete';
      return;
    }

    const extras: AnswerExtras = {
      ...(current.reasoning ? { reasoning: current.reasoning } : {}),
      ...(current.toolCalls ? { toolCalls: current.toolCalls } : {}),
      ...(current.usage ? { usage: current.usage } : {}),
    };
    const plan = streamPlan(api, id, model, body, current.tokens, extras);
    res.writeHead(200, { 'content-type': plan.contentType, 'cache-control': 'no-cache', ...requestId });
    let closed = false;
    let wake: (() => void) | undefined;
    res.on('close', () => {
      closed = !res.writableFinished;
      if (closed) record.outcome = 'connection-closed';
      wake?.();
    });
    const pause = async () => {
      if (!current.eventDelayMs) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, current.eventDelayMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    };
    const send = async (event: ProviderEvent) => {
      if (closed) return false;
      res.write(encodeEvent(event));
      await pause();
      return !closed;
    };

    for (const event of plan.head) if (!(await send(event))) return;
    for (const [i, text] of current.tokens.entries()) {
      if (current.streamErrorAfter !== undefined && i === current.streamErrorAfter) {
        await send(plan.error);
        res.end();
        record.outcome = 'complete';
        return;
      }
      if (!(await send(plan.token(text)))) return;
      record.tokensWritten++;
    }
    for (const event of plan.tail) if (!(await send(event))) return;
    res.end();
    record.outcome = 'complete';
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    requests,
    connections,
    behave(next) {
      behaviour = next;
    },
    clear() {
      requests.length = 0;
    },
    closed(connection, timeoutMs) {
      const known = connections.get(connection);
      if (!known) return Promise.reject(new Error(`no connection ${connection}`));
      if (known.closedAt !== undefined) return Promise.resolve(known.closedAt);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`connection ${connection} still open after ${timeoutMs} ms`)), timeoutMs);
        closeWaiters.set(connection, [
          ...(closeWaiters.get(connection) ?? []),
          (at) => {
            clearTimeout(timer);
            resolve(at);
          },
        ]);
      });
    },
    sdkEnvironment() {
      return {
        // anthropic: base URL without /v1 (the SDK adds /v1/messages).
        ANTHROPIC_BASE_URL: baseUrl,
        ANTHROPIC_API_KEY: 'sk-ant-local-test',
        // openai: base URL with /v1, as the default https://api.openai.com/v1.
        OPENAI_BASE_URL: `${baseUrl}/v1`,
        OPENAI_API_KEY: 'sk-local-test',
        // AsyncAzureOpenAI(): azure_endpoint, key and api-version from the environment.
        AZURE_OPENAI_ENDPOINT: baseUrl,
        AZURE_OPENAI_API_KEY: 'azure-local-test',
        OPENAI_API_VERSION: '2024-10-21',
        // groq: base URL without /openai/v1, as the default https://api.groq.com.
        GROQ_BASE_URL: baseUrl,
        GROQ_API_KEY: 'gsk_local_test',
      };
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
