/** Client snippets' pure parts: a route's protocol from its code, which clients fit which route, the URLs. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { transformSync } from 'esbuild';
import { urlPath } from '../../src/core/codegen/escape';
import { CLIENT_KINDS, clientsFor, renderSnippet, type ClientKind, type SnippetRoute } from '../../src/core/snippets/clientSnippets';
import { HOSTILE_VALUES } from '../support/hostileValues';
import { moduleSnippetRoutes } from '../../src/core/snippets/routeLookup';

const MODULE = `
from fastapi import APIRouter, FastAPI
from fastapi.responses import StreamingResponse

from . import streaming
from .streaming import openai_chat_completion, openai_chat_completion_stream, streaming_response, stream_tokens, ui_message_stream_response

app = FastAPI()
router = APIRouter(prefix="/v1")


@app.get("/stream")
async def stream(prompt: str) -> StreamingResponse:
    return streaming_response(stream_tokens(source(prompt)))


@app.post("/api/chat")
async def chat(body: ChatRequest) -> StreamingResponse:
    return streaming_response(streaming.ui_message_stream(source(body)), headers=UI_HEADERS)


@app.post("/generated/chat")
async def generated_chat(body: UIChatRequest):
    return ui_message_stream_response(source(body))


@router.post("/chat/completions")
async def completions(body: CompletionRequest):
    if not body.stream:
        return await openai_chat_completion(source(body), model=body.model)
    return streaming_response(openai_chat_completion_stream(source(body), model=body.model))


@app.get("/plain")
async def plain() -> dict[str, str]:
    return {"ok": "yes"}
`;

describe('client snippets (pure)', function () {
  it('reads each route’s protocol from the encoder its handler calls', async function () {
    const routes = await moduleSnippetRoutes(MODULE);
    assert.deepEqual(
      routes.map(({ method, path, protocol }) => `${method} ${path} ${protocol}`),
      ['GET /stream sse', 'POST /api/chat ai-sdk', 'POST /generated/chat ai-sdk', 'POST /v1/chat/completions openai'],
    );
  });

  it('offers only the clients that can consume a route', function () {
    const sseGet: SnippetRoute = { path: '/stream', method: 'GET', protocol: 'sse' };
    assert.deepEqual(clientsFor(sseGet), ['fetch', 'eventsource', 'httpx', 'curl']);
    assert.deepEqual(clientsFor({ ...sseGet, method: 'POST' }), ['fetch', 'httpx', 'curl']);
    assert.deepEqual(clientsFor({ path: '/api/chat', method: 'POST', protocol: 'ai-sdk' }), ['fetch', 'ai-sdk', 'httpx', 'curl']);
    assert.deepEqual(clientsFor({ path: '/v1/chat/completions', method: 'POST', protocol: 'openai' }), [
      'fetch',
      'openai-node',
      'openai-python',
      'httpx',
      'curl',
    ]);
    assert.deepEqual(
      clientsFor({ path: '/llm', method: 'POST', protocol: 'openai' }),
      ['fetch', 'httpx', 'curl'],
      'the OpenAI clients need .../chat/completions',
    );
    assert.deepEqual(clientsFor({ path: '/ai', method: 'GET', protocol: 'ai-sdk' }), [], 'an ai-sdk route is asked with a POST body');
  });

  it('gives the OpenAI clients the base URL in front of /chat/completions, and refuses other paths', function () {
    const route: SnippetRoute = { path: '/proxy/v1/chat/completions', method: 'POST', protocol: 'openai' };
    const node = renderSnippet(route, 'openai-node', 'http://localhost:9000/');
    assert.ok(node.ok);
    assert.match(node.snippet.code, /baseURL: "http:\/\/localhost:9000\/proxy\/v1",/);
    const python = renderSnippet(route, 'openai-python', 'http://localhost:9000');
    assert.ok(python.ok);
    assert.match(python.snippet.code, /base_url="http:\/\/localhost:9000\/proxy\/v1",/);
    const refused = renderSnippet({ ...route, path: '/llm' }, 'openai-python', 'http://localhost:9000');
    assert.deepEqual(refused, {
      ok: false,
      message: 'the OpenAI clients POST to {base URL}/chat/completions, and /llm does not end with /chat/completions: use --client fetch',
    });
  });

  it('the fetch snippet asks a GET sse route with ?prompt= and a POST one with {"prompt"}', function () {
    const get = renderSnippet({ path: '/stream', method: 'GET', protocol: 'sse' }, 'fetch', 'http://h');
    const post = renderSnippet({ path: '/stream', method: 'POST', protocol: 'sse' }, 'fetch', 'http://h');
    assert.ok(get.ok && post.ok);
    assert.match(get.snippet.code, /fetch\(`\$\{STREAM_URL\}\?prompt=\$\{encodeURIComponent\(prompt\)\}`/);
    assert.match(post.snippet.code, /body: JSON\.stringify\(\{ prompt \}\)/);
  });

  it('a resumable route: fetch, openai-node and openai-python POST {route}/{id}/stop; others have no stop', function () {
    const render = (route: SnippetRoute, client: ClientKind) => {
      const result = renderSnippet(route, client, 'http://h/');
      assert.ok(result.ok, result.ok ? '' : result.message);
      return result.snippet.code;
    };
    const sse = { path: '/stream/', method: 'GET', protocol: 'sse' } as const;
    const chat = { path: '/api/chat', method: 'POST', protocol: 'ai-sdk' } as const;
    const openai = { path: '/v1/chat/completions', method: 'POST', protocol: 'openai' } as const;
    const stopFetch = "await fetch(`${STOP_BASE}/${encodeURIComponent(id)}/stop`, { method: 'POST' })";
    for (const [route, id] of [
      [sse, "response.headers.get('x-stream-id') ?? ''"],
      [openai, "response.headers.get('x-stream-id') ?? ''"],
      [chat, 'chatId'],
    ] as const) {
      const code = render({ ...route, resumable: true }, 'fetch');
      assert.ok(code.includes(`const STOP_BASE = ${JSON.stringify(`http://h${route.path.replace(/\/$/, '')}`)};`), code);
      assert.ok(code.includes(stopFetch) && code.includes(`const replyId = ${id};`), code);
      assert.ok(!render(route, 'fetch').includes('stop'), 'no stop on a plain route');
    }
    assert.ok(render({ ...chat, resumable: true }, 'fetch').includes('id: chatId,'), 'the chat id the stop names is the one sent');
    const node = render({ ...openai, resumable: true }, 'openai-node');
    assert.ok(node.includes('const STOP_BASE = "http://h/v1/chat/completions";') && node.includes('.withResponse();'), node);
    assert.ok(node.includes("process.once('SIGINT', () => void fetch(`${STOP_BASE}/${encodeURIComponent(streamId)}/stop`, { method: 'POST' }));"), node);
    const python = render({ ...openai, resumable: true }, 'openai-python');
    assert.ok(python.includes('STOP_BASE = "http://h/v1/chat/completions"') && python.includes('with_raw_response.create('), python);
    assert.ok(
      python.includes('signal.signal(signal.SIGINT, stop_on_ctrl_c)') && python.includes(`httpx.post(f"{STOP_BASE}/{quote(stream_id, safe='')}/stop")`),
      python,
    );
    for (const client of ['openai-node', 'openai-python'] as const) {
      assert.ok(!render(openai, client).toLowerCase().includes('stop'), `${client}: no stop on a plain route`);
    }
  });

  it('a hostile route path (quotes, comment ends, line terminators, NUL, bidi, ${...}) never leaves its literal or comment', function () {
    const BASE = 'http://127.0.0.1:8000';
    // A resumable route's snippets add its stop endpoint's URL (fetch, openai-node, openai-python): hostile there too.
    let resumable = false;
    const routeFor = (client: ClientKind, value: string): SnippetRoute => {
      const path = `/h/${value}`;
      switch (client) {
        case 'fetch':
        case 'eventsource':
        case 'httpx':
        case 'curl':
          return { path, method: 'GET', protocol: 'sse', resumable };
        case 'ai-sdk':
          return { path, method: 'POST', protocol: 'ai-sdk', resumable };
        case 'openai-node':
        case 'openai-python':
          return { path: `${path}/v1/chat/completions`, method: 'POST', protocol: 'openai', resumable };
      }
    };
    const render = (client: ClientKind, value: string) => {
      const result = renderSnippet(routeFor(client, value), client, BASE);
      assert.ok(result.ok, `${client} ${JSON.stringify(value)}`);
      return result.snippet;
    };
    const python: Array<{ code: string; docstring: string; baseUrl: string; stopBase: string | null }> = [];
    const curl: Array<{ code: string; url: string }> = [];
    for (const [isResumable, client] of [false, true].flatMap((r) => CLIENT_KINDS.map((c) => [r, c] as const))) {
      resumable = isResumable;
      const plainLines = render(client, 'plain').code.split('\n').length;
      for (const value of HOSTILE_VALUES) {
        const snippet = render(client, value);
        const what = `${client}${resumable ? ' resumable' : ''} ${JSON.stringify(value)}`;
        // Not one line more than for a plain path: nothing in the value started a line of its own.
        assert.equal(snippet.code.split(/\r\n|[\n\r\u2028\u2029]/).length, plainLines, what);
        if (snippet.language === 'python') {
          const path = routeFor(client, value).path;
          python.push(
            client === 'httpx'
              ? { code: snippet.code, docstring: `GET ${path}: Catalyst SSE events`, baseUrl: BASE + urlPath(path), stopBase: null }
              : {
                  code: snippet.code,
                  docstring: `POST ${path}: OpenAI-compatible`,
                  baseUrl: BASE + urlPath(path).slice(0, -'/chat/completions'.length),
                  stopBase: resumable ? BASE + urlPath(path) : null,
                },
          );
        } else if (snippet.language === 'shellscript') {
          curl.push({ code: snippet.code, url: `${BASE}${urlPath(routeFor(client, value).path)}?prompt=Hello!` });
        } else {
          // esbuild's parser (TypeScript, TSX and JavaScript as the snippet's language says) accepts it.
          assert.doesNotThrow(
            () =>
              transformSync(snippet.code, {
                loader: snippet.language === 'typescriptreact' ? 'tsx' : snippet.language === 'typescript' ? 'ts' : 'js',
                format: 'esm',
              }),
            what,
          );
        }
      }
    }
    // Python's own parser: the module docstring and base_url are exactly the route's path and URL.
    const program = `
import ast, json, sys
out = []
for code in json.load(sys.stdin):
    tree = ast.parse(code)
    # The OpenAI client's base_url=..., or httpx's STREAM_URL = ...
    url = next(
        n.value if isinstance(n, ast.keyword) else n.value
        for n in ast.walk(tree)
        if (isinstance(n, ast.keyword) and n.arg == "base_url")
        or (isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name) and n.targets[0].id == "STREAM_URL")
    )
    # A resumable route's stop endpoint: STOP_BASE = ...
    stop = [ast.literal_eval(n.value) for n in ast.walk(tree) if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name) and n.targets[0].id == "STOP_BASE"]
    out.append([[ord(c) for c in ast.get_docstring(tree, clean=False)], ast.literal_eval(url), stop[0] if stop else None])
print(json.dumps(out))`;
    const parsed = JSON.parse(execFileSync('python3', ['-c', program], { input: JSON.stringify(python.map((p) => p.code)), encoding: 'utf8' })) as Array<
      [number[], string, string | null]
    >;
    python.forEach((expected, i) => {
      const [docstring, baseUrl, stopBase] = parsed[i]!;
      assert.equal(stopBase, expected.stopBase);
      assert.deepEqual(
        docstring.slice(0, [...expected.docstring].length),
        [...expected.docstring].map((c) => c.codePointAt(0)),
      );
      assert.equal(baseUrl, expected.baseUrl);
    });
    // A POSIX shell's own word splitting (Python's shlex, in POSIX mode): the comment is one line, the URL one word.
    const words = JSON.parse(
      execFileSync('python3', ['-c', 'import json, shlex, sys; print(json.dumps([shlex.split(c, comments=True) for c in json.load(sys.stdin)]))'], {
        input: JSON.stringify(curl.map((c) => c.code.replace(/\\\n/g, ''))),
        encoding: 'utf8',
      }),
    ) as string[][];
    assert.equal(words.length, HOSTILE_VALUES.length * 2);
    curl.forEach((expected, i) => {
      assert.deepEqual(words[i], ['curl', '-N', '--globoff', '-H', 'Accept: text/event-stream', expected.url]);
    });
  });
});
