import assert from 'node:assert/strict';
import path from 'node:path';
import { analyzePythonModule } from '../../src/core/python/analysis';
import { moduleFindings } from '../../src/core/python/llm/findings';
import { findAnalyzedLlmCalls } from '../../src/core/plan/llm/planLlmFixes';
import { streamingModuleTarget } from '../../src/core/plan/llm/streamingModuleTarget';

async function codes(source: string): Promise<string[]> {
  const analysis = await analyzePythonModule(source);
  try {
    return moduleFindings(analysis, findAnalyzedLlmCalls(analysis)).map((f) => `${f.node.startPosition.row + 1}:${f.code}`);
  } finally {
    analysis.dispose();
  }
}

const SSE_APP = `from fastapi import FastAPI
from starlette.responses import StreamingResponse

app = FastAPI()
HEADERS = {"X-Accel-Buffering": "no"}


async def events():
    yield "data: 1\\n\\n"
`;

describe('streaming findings', () => {
  it('StreamingResponse of text/event-stream without X-Accel-Buffering, however the header is spelled or passed', async () => {
    const source = `${SSE_APP}
@app.get("/a")
async def a():
    return StreamingResponse(events(), media_type="text/event-stream")


@app.get("/b")
async def b():
    return StreamingResponse(events(), media_type="text/event-stream", headers={"x-accel-buffering": "no"})


@app.get("/c")
async def c():
    return StreamingResponse(events(), media_type="text/event-stream", headers=HEADERS)


@app.get("/d")
async def d():
    return StreamingResponse(events(), 200, {"Cache-Control": "no-cache"}, "text/event-stream")


@app.get("/e")
async def e():
    return StreamingResponse(events(), media_type="application/x-ndjson")
`;
    // a: no headers; d: positional headers without it. b (lower-case key) and c (not a literal) are not reported.
    assert.deepEqual(await codes(source), ['13:sse-no-accel-buffering', '28:sse-no-accel-buffering']);
  });

  it('GZipMiddleware is reported only on a module with SSE routes, whichever module it is imported from', async () => {
    const gzip = 'from starlette.middleware.gzip import GZipMiddleware\n';
    const sseRoute =
      '\n@app.get("/s")\nasync def s():\n    return StreamingResponse(events(), media_type="text/event-stream", headers={"X-Accel-Buffering": "no"})\n';
    assert.deepEqual(await codes(`${gzip}${SSE_APP}app.add_middleware(GZipMiddleware)\n${sseRoute}`), ['11:sse-gzip']);
    assert.deepEqual(await codes(`${gzip}${SSE_APP}app.add_middleware(GZipMiddleware)\n`), []);
    assert.deepEqual(
      await codes(`from fastapi.middleware.gzip import GZipMiddleware as Gz\n${SSE_APP}app.add_middleware(Gz, minimum_size=1000)\n${sseRoute}`),
      ['11:sse-gzip'],
    );
  });

  it('a sync client in async code is reported outside routes too; in a sync function it is not', async () => {
    const source = `from openai import OpenAI\n\nclient = OpenAI()\n\n\nasync def summarise(text: str) -> str:\n    c = client.chat.completions.create(model="m", messages=[])\n    return str(c)\n\n\ndef blocking_is_fine_here() -> object:\n    return client.chat.completions.create(model="m", messages=[])\n`;
    assert.deepEqual(await codes(source), ['7:llm-sync-client']);
  });
});

describe('streamingModuleTarget', () => {
  const file = path.join('/w', 'app', 'main.py');

  describe('calls whose answer is structured are not "not streamed"; ordinary ones are', () => {
    const head =
      'from anthropic import AsyncAnthropic\nfrom fastapi import FastAPI\nfrom openai import AsyncOpenAI\n\napp = FastAPI()\noa = AsyncOpenAI()\nan = AsyncAnthropic()\nCHOICE = {"type": "tool", "name": "t"}\n\n\n@app.get("/a")\nasync def a() -> object:\n    return await ';
    const ROWS: ReadonlyArray<[call: string, reported: boolean]> = [
      ['oa.chat.completions.create(model="m", messages=[], tool_choice="required")', false],
      ['oa.chat.completions.create(model="m", messages=[], tool_choice={"type": "function", "function": {"name": "f"}})', false],
      ['oa.chat.completions.create(model="m", messages=[], tool_choice="auto")', true],
      ['an.messages.create(model="m", max_tokens=512, messages=[], tool_choice={"type": "tool", "name": "t"})', false],
      ['an.messages.create(model="m", max_tokens=512, messages=[], tool_choice={"type": "any"})', false],
      ['an.messages.create(model="m", max_tokens=512, messages=[], tool_choice={"type": "auto"})', true],
      // A value the analysis cannot read leaves it an ordinary completion: a finding must be certain either way.
      ['an.messages.create(model="m", max_tokens=512, messages=[], tool_choice=CHOICE)', true],
      ['oa.chat.completions.create(model="m", messages=[], response_format={"type": "json_object"})', false],
      ['oa.chat.completions.create(model="m", messages=[], response_format=dict(type="json_schema"))', false],
      ['oa.chat.completions.create(model="m", messages=[], response_format={"type": "text"})', true],
      ['oa.responses.create(model="m", input="x", text={"format": {"type": "json_schema", "name": "n"}})', false],
      ['oa.chat.completions.create(model="m", messages=[], max_tokens=16)', false],
      ['oa.chat.completions.create(model="m", messages=[], max_completion_tokens=1)', false],
      ['oa.responses.create(model="m", input="x", max_output_tokens=8)', false],
      ['an.messages.create(model="m", max_tokens=17, messages=[])', true],
    ];
    for (const [call, reported] of ROWS) {
      it(`${reported ? 'reported' : 'not reported'}: ${call}`, async () => {
        assert.deepEqual(await codes(`${head}${call}\n`), reported ? ['13:llm-not-streamed'] : []);
      });
    }
  });

  it('a route with a streaming sibling (path + "/stream", same owner and method) is not reported; another method is', async () => {
    const source = `from fastapi import FastAPI
from openai import AsyncOpenAI

app = FastAPI()
client = AsyncOpenAI()


@app.post("/chat")
async def chat(q: str) -> str:
    r = await client.responses.create(model="m", input=q)
    return r.output_text


@app.post("/chat/stream")
async def chat_stream(q: str) -> object:
    return client.responses.create(model="m", input=q, stream=True)


@app.get("/chat")
async def chat_get(q: str) -> str:
    r = await client.responses.create(model="m", input=q)
    return r.output_text
`;
    assert.deepEqual(await codes(source), ['21:llm-not-streamed']);
  });

  it('goes next to the file, imported relatively inside a package and absolutely beside a script', () => {
    assert.deepEqual(
      streamingModuleTarget(file, (f) => f === path.join('/w', 'app', '__init__.py')),
      { file: path.join('/w', 'app', 'streaming.py'), importModule: '.streaming', singleModule: false },
    );
    assert.deepEqual(
      streamingModuleTarget(file, () => false),
      { file: path.join('/w', 'app', 'streaming.py'), importModule: 'streaming', singleModule: false },
    );
    // A streaming.py of an earlier version in place: the fix imports from it as it is.
    assert.deepEqual(
      streamingModuleTarget(file, (f) => f === path.join('/w', 'app', 'streaming.py')),
      { file: path.join('/w', 'app', 'streaming.py'), importModule: 'streaming', singleModule: true },
    );
  });

  it('follows catalyst.streaming.moduleLocation, relative to the workspace folder', () => {
    assert.deepEqual(
      streamingModuleTarget(file, () => false, { workspaceFolder: '/w', relativePath: 'lib/sse/streaming.py' }),
      {
        file: path.join('/w', 'lib', 'sse', 'streaming.py'),
        importModule: 'lib.sse.streaming',
        singleModule: false,
      },
    );
  });
});
