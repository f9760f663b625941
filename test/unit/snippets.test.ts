/** Client snippets' pure parts: a route's protocol from its code, which clients fit which route, the URLs. */
import assert from 'node:assert/strict';
import { clientsFor, renderSnippet, type SnippetRoute } from '../../src/core/snippets/clientSnippets';
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
    assert.deepEqual(clientsFor(sseGet), ['fetch', 'eventsource']);
    assert.deepEqual(clientsFor({ ...sseGet, method: 'POST' }), ['fetch']);
    assert.deepEqual(clientsFor({ path: '/api/chat', method: 'POST', protocol: 'ai-sdk' }), ['fetch', 'ai-sdk']);
    assert.deepEqual(clientsFor({ path: '/v1/chat/completions', method: 'POST', protocol: 'openai' }), ['fetch', 'openai-node', 'openai-python']);
    assert.deepEqual(clientsFor({ path: '/llm', method: 'POST', protocol: 'openai' }), ['fetch'], 'the OpenAI clients need .../chat/completions');
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
});
