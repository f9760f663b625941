/**
 * Ready-to-paste consumers of a streaming route: for a route (full path, method, protocol) on a base URL, the
 * code of one client kind. Pure text in, text out; the CLI's `snippet` verb and the "Copy Client Snippet"
 * command both render here. Each kind is run against a real server in test/integration/snippets.test.ts.
 *
 * - fetch: TypeScript, fetch + eventsource-parser (the parser this extension uses too), any protocol;
 * - eventsource: the browser's EventSource, our `sse` protocol on GET routes only (EventSource cannot POST);
 * - ai-sdk: a React component with `useChat` and `DefaultChatTransport` pointed at the route (ai-sdk protocol);
 * - openai-node / openai-python: the official OpenAI clients with baseURL/base_url (openai protocol);
 * - httpx: Python, httpx with a small SSE reader, any protocol (httpxSnippet.ts);
 * - curl: one `curl -N` command printing the raw stream, any protocol (curlSnippet.ts).
 * What each request sends follows the generated routes: `sse` GET takes `?prompt=`, POST `{"prompt"}`; the
 * AI SDK's chat body; the Chat Completions body.
 */
import { commentText, jsString as js, pythonString as py, pythonStringBody, urlPath } from '../codegen/escape';
import { curlSnippet } from './curlSnippet';
import type { SnippetRoute } from './snippetRoute';
import { httpxSnippet } from './httpxSnippet';

export const CLIENT_KINDS = ['fetch', 'eventsource', 'ai-sdk', 'openai-node', 'openai-python', 'httpx', 'curl'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

export const CLIENT_DESCRIPTIONS: Readonly<Record<ClientKind, string>> = {
  fetch: 'TypeScript: fetch + eventsource-parser',
  eventsource: 'Browser EventSource (GET routes)',
  'ai-sdk': 'React useChat with the AI SDK’s DefaultChatTransport',
  'openai-node': 'The official openai npm client',
  'openai-python': 'The official openai Python client',
  httpx: 'Python: httpx with a small SSE reader',
  curl: 'curl -N: the raw event stream in a terminal',
};

export type { SnippetRoute };

export interface Snippet {
  readonly client: ClientKind;
  readonly language: 'typescript' | 'typescriptreact' | 'javascript' | 'python' | 'shellscript';
  /** A file name to save it as. */
  readonly fileName: string;
  /** Packages to install first, e.g. `npm install eventsource-parser`. */
  readonly install: string | null;
  readonly code: string;
}

export type SnippetResult = { readonly ok: true; readonly snippet: Snippet } | { readonly ok: false; readonly message: string };

/** The suffix the OpenAI clients append to their base URL. */
const OPENAI_PATH = '/chat/completions';
/** The model name the OpenAI snippets send; the generated route echoes it. */
export const SNIPPET_MODEL = 'catalyst';
export const DEFAULT_PROMPT = 'Hello!';

export function isClientKind(value: string): value is ClientKind {
  return (CLIENT_KINDS as readonly string[]).includes(value);
}

/** The clients that can consume `route` (the QuickPick offers these). */
export function clientsFor(route: SnippetRoute): ClientKind[] {
  return CLIENT_KINDS.filter((client) => refusal(route, client) === undefined);
}

export function renderSnippet(route: SnippetRoute, client: ClientKind, baseUrl: string): SnippetResult {
  const refused = /^[A-Z]+$/.test(route.method) ? refusal(route, client) : `${JSON.stringify(route.method)} is not an HTTP method`;
  if (refused !== undefined) {
    return { ok: false, message: refused };
  }
  const base = baseUrl.replace(/\/+$/, '');
  switch (client) {
    case 'fetch':
      return ok(client, 'typescript', 'streamReply.ts', 'npm install eventsource-parser', fetchSnippet(route, base));
    case 'eventsource':
      return ok(client, 'javascript', 'streamReply.js', null, eventSourceSnippet(route, base));
    case 'ai-sdk':
      return ok(client, 'typescriptreact', 'Chat.tsx', 'npm install ai @ai-sdk/react', aiSdkSnippet(route, base));
    case 'openai-node':
      return ok(client, 'typescript', 'chat.ts', 'npm install openai', openAiNodeSnippet(route, base));
    case 'openai-python':
      return ok(client, 'python', 'chat.py', 'pip install openai', openAiPythonSnippet(route, base));
    case 'httpx':
      return ok(client, 'python', 'stream_reply.py', 'pip install httpx', httpxSnippet(route, base));
    case 'curl': {
      const curl = curlSnippet(route, base);
      return curl.ok ? ok(client, 'shellscript', 'stream.sh', null, curl.code) : curl;
    }
  }
}

function ok(client: ClientKind, language: Snippet['language'], fileName: string, install: string | null, code: string): SnippetResult {
  return { ok: true, snippet: { client, language, fileName, install, code } };
}

/** Why `client` cannot consume `route`, or undefined when it can. */
function refusal(route: SnippetRoute, client: ClientKind): string | undefined {
  const what = `${route.method} ${route.path} speaks the ${route.protocol} protocol`;
  switch (client) {
    case 'fetch':
    case 'httpx':
    case 'curl':
      return route.protocol !== 'sse' && route.method !== 'POST' ? `${what} on ${route.method}; its requests are POSTs with a JSON body` : undefined;
    case 'eventsource':
      if (route.method !== 'GET') {
        return `EventSource can only GET, and ${route.method} ${route.path} is a ${route.method} route: use --client fetch`;
      }
      return route.protocol !== 'sse' ? `${what}; the EventSource snippet reads our sse events: use --client fetch` : undefined;
    case 'ai-sdk':
      return route.protocol !== 'ai-sdk' || route.method !== 'POST'
        ? `${what}; useChat needs a POST route speaking the AI SDK UI message stream (add-endpoint --protocol ai-sdk): use --client fetch`
        : undefined;
    case 'openai-node':
    case 'openai-python':
      if (route.protocol !== 'openai' || route.method !== 'POST') {
        return `${what}; the OpenAI clients need a POST route speaking Chat Completions (add-endpoint --protocol openai): use --client fetch`;
      }
      return route.path.endsWith(OPENAI_PATH) && route.path.length > OPENAI_PATH.length - 1
        ? undefined
        : `the OpenAI clients POST to {base URL}${OPENAI_PATH}, and ${route.path} does not end with ${OPENAI_PATH}: use --client fetch`;
  }
}

function fetchSnippet(route: SnippetRoute, base: string): string {
  const url = base + urlPath(route.path);
  const get = route.method === 'GET';
  let request: string;
  let loop: string;
  let what: string;
  switch (route.protocol) {
    case 'sse':
      what = 'Catalyst SSE events: token, reasoning, tool_call, done, error';
      request = get
        ? `  const response = await fetch(\`\${STREAM_URL}?prompt=\${encodeURIComponent(prompt)}\`, { headers: { Accept: 'text/event-stream' }, signal });`
        : `  const response = await fetch(STREAM_URL, {
    method: ${js(route.method)},
    headers: { Accept: 'text/event-stream', 'Content-Type': 'application/json' },
    body: JSON.stringify({ prompt }),
    signal,
  });`;
      loop = `    const data = JSON.parse(event.data);
    switch (event.event) {
      case 'token':
        text += data.text;
        handlers.onText?.(data.text);
        break;
      case 'reasoning':
        handlers.onReasoning?.(data.text);
        break;
      case 'tool_call':
        // \`input\` is the parsed arguments; \`arguments\` the raw text when they were not JSON.
        handlers.onToolCall?.({ id: data.id, name: data.name, input: data.input ?? data.arguments });
        break;
      case 'error':
        throw new Error(\`\${data.type}: \${data.message}\`);
    }`;
      break;
    case 'ai-sdk':
      what = 'the Vercel AI SDK UI message stream v1';
      request = `  const response = await fetch(STREAM_URL, {
    method: 'POST',
    headers: { Accept: 'text/event-stream', 'Content-Type': 'application/json' },
    // The AI SDK's chat request body, as useChat sends it.
    body: JSON.stringify({
      id: chatId,
      messages: [{ id: crypto.randomUUID(), role: 'user', parts: [{ type: 'text', text: prompt }] }],
      trigger: 'submit-message',
    }),
    signal,
  });`;
      loop = `    if (event.data === '[DONE]') {
      break;
    }
    const chunk = JSON.parse(event.data);
    switch (chunk.type) {
      case 'text-delta':
        text += chunk.delta;
        handlers.onText?.(chunk.delta);
        break;
      case 'reasoning-delta':
        handlers.onReasoning?.(chunk.delta);
        break;
      case 'tool-input-available':
        handlers.onToolCall?.({ id: chunk.toolCallId, name: chunk.toolName, input: chunk.input });
        break;
      case 'error':
        throw new Error(chunk.errorText);
    }`;
      break;
    case 'openai':
      what = 'OpenAI Chat Completions chunks';
      request = `  const response = await fetch(STREAM_URL, {
    method: 'POST',
    headers: { Accept: 'text/event-stream', 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: ${js(SNIPPET_MODEL)}, messages: [{ role: 'user', content: prompt }], stream: true }),
    signal,
  });`;
      loop = `    if (event.data === '[DONE]') {
      break;
    }
    const chunk = JSON.parse(event.data);
    if (chunk.error) {
      throw new Error(chunk.error.message);
    }
    const choice = chunk.choices?.[0];
    const delta = choice?.delta ?? {};
    if (delta.reasoning_content) {
      handlers.onReasoning?.(delta.reasoning_content);
    }
    if (delta.content) {
      text += delta.content;
      handlers.onText?.(delta.content);
    }
    // Tool calls arrive in fragments keyed by index; they are complete when the choice finishes.
    for (const fragment of delta.tool_calls ?? []) {
      const call = (calls[fragment.index] ??= { id: '', name: '', arguments: '' });
      call.id ||= fragment.id ?? '';
      call.name += fragment.function?.name ?? '';
      call.arguments += fragment.function?.arguments ?? '';
    }
    if (choice?.finish_reason) {
      for (const call of calls.filter(Boolean)) {
        handlers.onToolCall?.({ id: call.id, name: call.name, input: JSON.parse(call.arguments || '{}') });
      }
      calls.length = 0;
    }`;
      break;
  }
  const callsDecl = route.protocol === 'openai' ? `\n  const calls: Array<{ id: string; name: string; arguments: string }> = [];` : '';
  const stop = route.resumable === true ? fetchStop(route, url) : undefined;
  const chatId = route.protocol === 'ai-sdk' ? `\n  const chatId = crypto.randomUUID();` : '';
  return `// ${route.method} ${commentText(route.path)}: ${what}, read with fetch and eventsource-parser.
// npm install eventsource-parser
import { EventSourceParserStream } from 'eventsource-parser/stream';

const STREAM_URL = ${js(url)};${stop?.declarations ?? ''}

export interface StreamHandlers {
  onText?: (text: string) => void;
  onReasoning?: (text: string) => void;
  onToolCall?: (call: { id: string; name: string; input: unknown }) => void;${stop?.handler ?? ''}
}

/** Streams the reply to \`prompt\`, calling the handlers as parts arrive; resolves with the whole text. */
export async function streamReply(prompt: string, handlers: StreamHandlers = {}, signal?: AbortSignal): Promise<string> {${chatId}
${request}
  if (!response.ok || response.body === null) {
    throw new Error(\`${route.method} \${STREAM_URL} failed: HTTP \${response.status} \${await response.text()}\`);
  }${stop?.offer ?? ''}
  const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  let text = '';${callsDecl}
  for (;;) {
    const { done, value: event } = await events.read();
    if (done) {
      break;
    }
${loop}
  }
  return text;
}

// Example: remove it when you call streamReply from your own code.
let reasoning = '';
const text = await streamReply(${js(DEFAULT_PROMPT)}, {
  onReasoning: (delta) => (reasoning += delta),
  onToolCall: (call) => console.log('tool call:', call.name, JSON.stringify(call.input)),${stop?.example ?? ''}
});
console.log('reasoning:', reasoning);
console.log('text:', text);
`;
}

/** The stop endpoint's URL before `/{id}/stop`: the route's URL without a trailing slash (stopPath in route.py.ts). */
function stopBase(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/** What the stop endpoint answers (resumable/stopping.py). */
const STOP_ANSWERS = '200 stopped, 202 stopping, 409 had already ended, 404 unknown';

/**
 * A resumable route's stop, in the fetch snippet: `POST {route}/{id}/stop` with the stream's id (sse, openai: the
 * x-stream-id header) or the chat's (ai-sdk). Closing the connection would not stop it: the answer goes on for a
 * reconnect. `onStoppable` hands the stop to the caller (a Stop button); the example wires it to Ctrl-C.
 */
function fetchStop(route: SnippetRoute, url: string): { declarations: string; handler: string; offer: string; example: string } {
  const id = route.protocol === 'ai-sdk' ? 'chatId' : `response.headers.get('x-stream-id') ?? ''`;
  return {
    declarations: `

/** The route's stop endpoint, \`POST {route}/{id}/stop\`: the answer ends on the server, on whichever worker writes it. */
const STOP_BASE = ${js(stopBase(url))};

/** Stops the answer \`id\` names; the stream then ends by itself with its final event. */
export async function stopReply(id: string): Promise<void> {
  const response = await fetch(\`\${STOP_BASE}/\${encodeURIComponent(id)}/stop\`, { method: 'POST' });
  // ${STOP_ANSWERS}.
  if (!response.ok && response.status !== 409) {
    throw new Error(\`stopping \${id} failed: HTTP \${response.status} \${await response.text()}\`);
  }
}`,
    handler: `
  /** Called once the reply can be stopped, with what stops it: a resumable route's answer outlives the connection. */
  onStoppable?: (stop: () => Promise<void>) => void;`,
    offer: `
  const replyId = ${id};
  handlers.onStoppable?.(() => stopReply(replyId));`,
    example: `
  // Ctrl-C stops the answer on the server; the reply then ends with the text written so far.
  onStoppable: (stop) => process.once('SIGINT', () => void stop()),`,
  };
}

function eventSourceSnippet(route: SnippetRoute, base: string): string {
  return `// GET ${commentText(route.path)}: Catalyst SSE events in the browser with EventSource.
// From a page on another origin, the FastAPI app needs CORS (fastapi.middleware.cors.CORSMiddleware).
const STREAM_URL = ${js(base + urlPath(route.path))};

/** Streams the reply to \`prompt\`, calling the handlers as parts arrive; resolves with the whole text. */
function streamReply(prompt, { onText, onReasoning, onToolCall } = {}) {
  return new Promise((resolve, reject) => {
    const source = new EventSource(\`\${STREAM_URL}?prompt=\${encodeURIComponent(prompt)}\`);
    let text = '';
    source.addEventListener('token', (event) => {
      const { text: delta } = JSON.parse(event.data);
      text += delta;
      onText?.(delta);
    });
    source.addEventListener('reasoning', (event) => onReasoning?.(JSON.parse(event.data).text));
    source.addEventListener('tool_call', (event) => {
      const call = JSON.parse(event.data);
      onToolCall?.({ id: call.id, name: call.name, input: call.input ?? call.arguments });
    });
    source.addEventListener('done', () => {
      source.close(); // Otherwise EventSource reconnects when the server ends the stream, and asks again.
      resolve(text);
    });
    // Both the server's \`error\` event (it has data) and a failed connection (it has none) arrive here.
    source.addEventListener('error', (event) => {
      source.close();
      const error = event.data ? JSON.parse(event.data) : null;
      reject(new Error(error ? \`\${error.type}: \${error.message}\` : \`the connection to \${STREAM_URL} failed\`));
    });
  });
}

// Example: remove it when you call streamReply from your own code.
let reasoning = '';
streamReply(${js(DEFAULT_PROMPT)}, {
  onReasoning: (delta) => (reasoning += delta),
  onToolCall: (call) => console.log('tool call:', call.name, JSON.stringify(call.input)),
}).then((text) => {
  console.log('reasoning:', reasoning);
  console.log('text:', text);
});
`;
}

function aiSdkSnippet(route: SnippetRoute, base: string): string {
  const resumable = route.resumable === true;
  const component = resumable
    ? `/**
 * A resumable chat: give it the same chatId after a reload (from the URL, or your saved chats) and useChat asks
 * GET {api}/{chatId}/stream for the answer being written (204: nothing to resume). Stop ends the answer on the
 * server, on whichever worker writes it; the answer then ends by itself with its finish chunk.
 */
export function Chat({ chatId }: { chatId: string }) {
  const { messages, sendMessage, status, error } = useChat({ id: chatId, transport, resume: true });
  const [input, setInput] = useState('');
  const stop = () => fetch(\`\${api}/\${encodeURIComponent(chatId)}/stop\`, { method: 'POST' });`
    : `export function Chat() {
  const { messages, sendMessage, status, error } = useChat({ transport });
  const [input, setInput] = useState('');`;
  const stopButton = resumable
    ? `
        <button type="button" onClick={() => void stop()} disabled={status === 'ready'}>
          Stop
        </button>`
    : '';
  return `// POST ${commentText(route.path)}: a chat page with the Vercel AI SDK's useChat, streaming the UI message stream.
// npm install ai @ai-sdk/react
'use client';

import { useChat } from '@ai-sdk/react';
import { DefaultChatTransport } from 'ai';
import { useState } from 'react';

const api = ${js(base + urlPath(route.path))};

/** useChat's own transport, pointed at the FastAPI route (on another origin, the app needs CORS). */
export const transport = new DefaultChatTransport({ api });

${component}
  return (
    <div>
      {messages.map((message) => (
        <div key={message.id} data-role={message.role}>
          <strong>{message.role}: </strong>
          {message.parts.map((part, index) => {
            if (part.type === 'text') {
              return <span key={index}>{part.text}</span>;
            }
            if (part.type === 'reasoning') {
              return (
                <details key={index}>
                  <summary>Reasoning</summary>
                  {part.text}
                </details>
              );
            }
            if ('toolCallId' in part) {
              // The route sends tool calls' input (tool-input-*); running the tool is up to you.
              return (
                <pre key={index}>
                  {part.type.replace(/^tool-/, '')} {JSON.stringify(part.input)} ({part.state})
                </pre>
              );
            }
            return null;
          })}
        </div>
      ))}
      {error && <div role="alert">{error.message}</div>}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (input.trim()) {
            void sendMessage({ text: input });
            setInput('');
          }
        }}
      >
        <input value={input} onChange={(event) => setInput(event.target.value)} disabled={status !== 'ready'} />
        <button type="submit" disabled={status !== 'ready'}>
          Send
        </button>${stopButton}
      </form>
    </div>
  );
}
`;
}

function openAiNodeSnippet(route: SnippetRoute, base: string): string {
  const baseURL = base + urlPath(route.path).slice(0, -OPENAI_PATH.length);
  const create = `client.chat.completions.create({
  model: ${js(SNIPPET_MODEL)},
  messages: [{ role: 'user', content: ${js(DEFAULT_PROMPT)} }],
  stream: true,
})`;
  const stream =
    route.resumable === true
      ? `// A resumable route: the answer goes on on the server when this client goes away.
// POST {route}/{x-stream-id}/stop ends it, and the stream then ends by itself
// (${STOP_ANSWERS}).
const STOP_BASE = ${js(stopBase(base + urlPath(route.path)))};
const { data: stream, response } = await ${create}.withResponse();
const streamId = response.headers.get('x-stream-id') ?? '';
// Ctrl-C stops the answer on the server; the loop below then ends with the text written so far.
process.once('SIGINT', () => void fetch(\`\${STOP_BASE}/\${encodeURIComponent(streamId)}/stop\`, { method: 'POST' }));
`
      : `const stream = await ${create};
`;
  return `// POST ${commentText(route.path)}: OpenAI-compatible Chat Completions with the official client.
// npm install openai
import OpenAI from 'openai';

const client = new OpenAI({
  baseURL: ${js(baseURL)},
  // The client requires a key; the route does not check it unless you add auth in front of it.
  apiKey: process.env.OPENAI_API_KEY || 'not-needed',
});

${stream}
let text = '';
let reasoning = '';
const calls: Array<{ id: string; name: string; arguments: string }> = [];
for await (const chunk of stream) {
  const delta = chunk.choices[0]?.delta;
  if (!delta) {
    continue; // The usage chunk (stream_options.include_usage) has no choices.
  }
  // Reasoning is not in the client's types: the route sends it as delta.reasoning_content.
  reasoning += (delta as { reasoning_content?: string }).reasoning_content ?? '';
  text += delta.content ?? '';
  // Tool calls arrive in fragments keyed by index.
  for (const fragment of delta.tool_calls ?? []) {
    const call = (calls[fragment.index] ??= { id: '', name: '', arguments: '' });
    call.id ||= fragment.id ?? '';
    call.name += fragment.function?.name ?? '';
    call.arguments += fragment.function?.arguments ?? '';
  }
}
for (const call of calls.filter(Boolean)) {
  console.log('tool call:', call.name, JSON.stringify(JSON.parse(call.arguments || '{}')));
}
console.log('reasoning:', reasoning);
console.log('text:', text);
`;
}

function openAiPythonSnippet(route: SnippetRoute, base: string): string {
  const baseUrl = base + urlPath(route.path).slice(0, -OPENAI_PATH.length);
  return `"""POST ${pythonStringBody(route.path)}: OpenAI-compatible Chat Completions with the official client (pip install openai)."""

import json
import os${route.resumable === true ? '\nimport signal\nfrom urllib.parse import quote' : ''}

${route.resumable === true ? 'import httpx\n' : ''}from openai import OpenAI

client = OpenAI(
    base_url=${py(baseUrl)},
    # The client requires a key; the route does not check it unless you add auth in front of it.
    api_key=os.environ.get("OPENAI_API_KEY") or "not-needed",
)

${pythonStream(route, base)}

text = ""
reasoning = ""
calls: dict[int, dict[str, str]] = {}
for chunk in stream:
    if not chunk.choices:
        continue  # The usage chunk (stream_options.include_usage) has no choices.
    delta = chunk.choices[0].delta
    # Reasoning is not in the client's types: the route sends it as delta.reasoning_content.
    reasoning += getattr(delta, "reasoning_content", None) or ""
    text += delta.content or ""
    # Tool calls arrive in fragments keyed by index.
    for fragment in delta.tool_calls or []:
        call = calls.setdefault(fragment.index, {"id": "", "name": "", "arguments": ""})
        call["id"] = call["id"] or fragment.id or ""
        if fragment.function is not None:
            call["name"] += fragment.function.name or ""
            call["arguments"] += fragment.function.arguments or ""

for call in calls.values():
    arguments = json.loads(call["arguments"] or "{}")
    print("tool call:", call["name"], json.dumps(arguments, separators=(",", ":")))
print("reasoning:", reasoning)
print("text:", text)
`;
}

/** The openai-python snippet's request; on a resumable route with the response's x-stream-id, its stop's key. */
function pythonStream(route: SnippetRoute, base: string): string {
  const create = (call: string) => `${call}(
    model=${py(SNIPPET_MODEL)},
    messages=[{"role": "user", "content": ${py(DEFAULT_PROMPT)}}],
    stream=True,
)`;
  if (route.resumable !== true) {
    return `stream = ${create('client.chat.completions.create')}`;
  }
  return `# A resumable route: the answer goes on on the server when this client goes away.
# POST {route}/{x-stream-id}/stop ends it, and the stream then ends by itself
# (${STOP_ANSWERS}).
STOP_BASE = ${py(stopBase(base + urlPath(route.path)))}
raw = ${create('client.chat.completions.with_raw_response.create')}
stream_id = raw.headers.get("x-stream-id", "")
stream = raw.parse()


def stop_on_ctrl_c(signum: int, frame: object) -> None:
    \"\"\"Ctrl-C stops the answer on the server; the loop below then ends with the text so far.\"\"\"
    httpx.post(f"{STOP_BASE}/{quote(stream_id, safe='')}/stop")


signal.signal(signal.SIGINT, stop_on_ctrl_c)`;
}
