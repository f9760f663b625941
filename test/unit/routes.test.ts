/**
 * The one route detector (src/core/python/routes.ts). The module analysis and the LLM detection used to have
 * a reader each and disagreed on the cases below; each case asks both consumers and expects one answer.
 */
import assert from 'node:assert/strict';
import { analyzePythonModule } from '../../src/core/python/analysis';
import { findLlmCalls } from '../../src/core/python/llm/detect';
import { moduleFindings } from '../../src/core/python/llm/findings';
import { parsePython } from '../../src/core/python/parser';
import { findAnalyzedLlmCalls } from '../../src/core/plan/llm/planLlmFixes';
import { planAddEndpoint } from '../../src/core/plan/endpoint';

/** For each LLM call, in order: the path literal of the route it is in, or null outside routes. */
async function llmRoutes(source: string): Promise<Array<string | null>> {
  const tree = await parsePython(source);
  try {
    return findLlmCalls(tree).map((call) => (call.route ? (call.route.pathLiteral ?? '<non-literal>') : null));
  } finally {
    tree.delete();
  }
}

/** `METHOD fullPath owner sse?` for each route of the module analysis. */
async function analysedRoutes(source: string): Promise<string[]> {
  const analysis = await analyzePythonModule(source);
  try {
    return analysis.routes.map((r) => `${r.methods.join('/')} ${r.fullPath} ${r.owner}${r.streamsSse ? ' sse' : ''}`);
  } finally {
    analysis.dispose();
  }
}

const CALL = '    return await client.chat.completions.create(model="m", messages=[])\n';
const HEADER = 'from fastapi import APIRouter, FastAPI\nfrom openai import AsyncOpenAI\n\nclient = AsyncOpenAI()\n';

describe('one route detector', () => {
  it('an app made by a local factory (`app = create_app()`) owns routes for both', async () => {
    const source = `${HEADER}\n\ndef create_app() -> FastAPI:\n    return FastAPI()\n\n\napp = create_app()\n\n\n@app.post("/chat")\nasync def chat():\n${CALL}`;
    assert.deepEqual(await analysedRoutes(source), ['POST /chat app']);
    assert.deepEqual(await llmRoutes(source), ['"/chat"']);
  });

  it('an app bound inside `try:`/`if` blocks owns routes for both', async () => {
    const source = `${HEADER}\ntry:\n    app = FastAPI()\nexcept ImportError:\n    raise\n\n\n@app.get("/chat")\nasync def chat():\n${CALL}`;
    assert.deepEqual(await analysedRoutes(source), ['GET /chat app']);
    assert.deepEqual(await llmRoutes(source), ['"/chat"']);
  });

  it('a router made inside a function owns routes for both, with its prefix', async () => {
    const source = `${HEADER}\n\ndef make_router() -> APIRouter:\n    r = APIRouter(prefix="/v1")\n\n    @r.get("/chat")\n    async def chat():\n${CALL.replace('    ', '        ')}\n    return r\n`;
    assert.deepEqual(await analysedRoutes(source), ['GET /v1/chat r']);
    assert.deepEqual(await llmRoutes(source), ['"/chat"']);
  });

  it('the path given as `path=` is read by both', async () => {
    const source = `${HEADER}\napp = FastAPI()\n\n\n@app.get(path="/chat")\nasync def chat():\n${CALL}`;
    assert.deepEqual(await analysedRoutes(source), ['GET /chat app']);
    assert.deepEqual(await llmRoutes(source), ['"/chat"']);
  });

  it("a name `FastAPI` that is not fastapi's does not make an app for either", async () => {
    const source = `from openai import AsyncOpenAI\n\nclient = AsyncOpenAI()\n\n\nclass FastAPI:\n    def get(self, path: str): ...\n\n\napp = FastAPI()\n\n\n@app.get("/chat")\nasync def chat():\n${CALL}`;
    assert.deepEqual(await analysedRoutes(source), []);
    assert.deepEqual(await llmRoutes(source), [null]);
  });

  it('a websocket handler is a route to the analysis but not an HTTP route for the LLM fixes', async () => {
    const source = `${HEADER}\napp = FastAPI()\n\n\n@app.websocket("/ws")\nasync def ws():\n${CALL}`;
    assert.deepEqual(await analysedRoutes(source), ['WEBSOCKET /ws app']);
    assert.deepEqual(await llmRoutes(source), [null]);
  });

  it('a non-literal path is a route handler (the LLM fix needs no path), left out of the path index', async () => {
    const source = `${HEADER}\napp = FastAPI()\nPATH = "/chat"\n\n\n@app.get(PATH)\nasync def chat():\n${CALL}`;
    assert.deepEqual(await analysedRoutes(source), []);
    assert.deepEqual(await llmRoutes(source), ['<non-literal>']);
  });
});

describe("FastAPI's native SSE (response_class=EventSourceResponse, FastAPI >= 0.135)", () => {
  const NATIVE =
    'from collections.abc import AsyncIterable\n\nfrom fastapi import APIRouter, FastAPI\nfrom fastapi.sse import EventSourceResponse\n\napp = FastAPI()\n';
  const yielding = '    for word in ("a", "b"):\n        yield {"token": word}\n';

  it('is an SSE route when the handler yields; not when it returns', async () => {
    const source = `${NATIVE}\n\n@app.get("/stream", response_class=EventSourceResponse)\nasync def stream() -> AsyncIterable[dict[str, str]]:\n${yielding}\n\n@app.get("/plain", response_class=EventSourceResponse)\nasync def plain() -> dict[str, str]:\n    return {}\n`;
    assert.deepEqual(await analysedRoutes(source), ['GET /stream app sse', 'GET /plain app']);
  });

  it('counts through an aliased import, `import fastapi.sse`, and a router default_response_class', async () => {
    const aliased = `${NATIVE}from fastapi.sse import EventSourceResponse as ESR\n\n\n@app.post("/a", response_class=ESR)\nasync def a():\n${yielding}`;
    assert.deepEqual(await analysedRoutes(aliased), ['POST /a app sse']);
    const dotted = `import fastapi.sse\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/b", response_class=fastapi.sse.EventSourceResponse)\nasync def b():\n${yielding}`;
    assert.deepEqual(await analysedRoutes(dotted), ['GET /b app sse']);
    const routerDefault = `${NATIVE}router = APIRouter(default_response_class=EventSourceResponse)\n\n\n@router.get("/c")\nasync def c():\n${yielding}`;
    assert.deepEqual(await analysedRoutes(routerDefault), ['GET /c router sse']);
  });

  it("check's SSE rules see it: GZipMiddleware on the app is reported", async () => {
    const source = `from starlette.middleware.gzip import GZipMiddleware\n${NATIVE}app.add_middleware(GZipMiddleware)\n\n\n@app.get("/stream", response_class=EventSourceResponse)\nasync def stream():\n${yielding}`;
    const analysis = await analyzePythonModule(source);
    try {
      const codes = moduleFindings(analysis, findAnalyzedLlmCalls(analysis)).map((f) => f.code);
      assert.deepEqual(codes, ['sse-gzip']);
    } finally {
      analysis.dispose();
    }
  });

  it('add-endpoint finds the endpoint already there instead of refusing the route as taken', async () => {
    const source = `${NATIVE}\n\n@app.get("/stream", response_class=EventSourceResponse)\nasync def stream():\n${yielding}`;
    const plan = await planAddEndpoint(new Map([['main.py', source]]), { route: '/stream', method: 'GET' });
    assert.equal(plan.status, 'already-present');
  });
});
