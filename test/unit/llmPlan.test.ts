import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzePythonModule } from '../../src/core/python/analysis';
import { fixLlmCalls } from '../../src/core/plan/llm/fixAll';
import { findAnalyzedLlmCalls, planLlmFixes, type LlmFixOptions, type LlmFixPlan } from '../../src/core/plan/llm/planLlmFixes';
import { applyTextEdits } from '../../src/core/workspace/textEdit';

const SNIPPETS = path.join(__dirname, '../fixtures/llm/snippets');
const read = (name: string) => readFileSync(path.join(SNIPPETS, name), 'utf8');
const options: LlmFixOptions = { style: 'rewrite', streamingImport: 'streaming' };

/** The fixes for the first LLM call whose text contains `marker` (or the first call). */
async function plan(source: string, opts: LlmFixOptions = options, marker?: string): Promise<LlmFixPlan> {
  const analysis = await analyzePythonModule(source);
  const calls = findAnalyzedLlmCalls(analysis);
  const call = marker ? calls.find((c) => c.node.text.includes(marker)) : calls[0];
  analysis.dispose();
  assert.ok(call, 'no LLM call found');
  return planLlmFixes(source, call.node.startIndex, opts);
}

async function syntaxErrorCount(source: string): Promise<number> {
  const analysis = await analyzePythonModule(source);
  const count = analysis.syntaxErrors.length;
  analysis.dispose();
  return count;
}

/** Every line of `before` is in `after`, in the same order (lines may have been added in between). */
function keepsAllLines(before: string, after: string): boolean {
  const remaining = after.split('\n');
  let at = 0;
  return before.split('\n').every((line) => {
    while (at < remaining.length && remaining[at] !== line) {
      at++;
    }
    return at++ < remaining.length;
  });
}

describe('LLM quick-fix planner', () => {
  it('rewrites a route handler so that it streams, keeping the rest of the file byte for byte', async () => {
    const source = read('anthropic_async_route.py');
    const { fixes } = await plan(source);
    assert.deepEqual(
      fixes.map((f) => f.title),
      ['Stream this LLM call as an SSE endpoint'],
    );
    const fixed = applyTextEdits(source, fixes[0]!.edits);
    assert.equal(
      fixed,
      source
        .replace(
          'from pydantic import BaseModel\n',
          'from pydantic import BaseModel\n\nfrom streaming.providers.anthropic import anthropic_text_stream\nfrom streaming.response import EventStreamResponse, streaming_response\nfrom streaming.tokens import stream_tokens\n',
        )
        .replace('-> dict[str, str]:', '-> EventStreamResponse:')
        .replace('    message = await ', '    stream = ')
        .replace('"content": request.prompt}],\n    )', '"content": request.prompt}],\n        stream=True,\n    )')
        .replace('    return {"reply": message.content[0].text}\n', '    return streaming_response(stream_tokens(anthropic_text_stream(stream)))\n'),
    );
    assert.deepEqual(fixes[0]!.streamingNames, ['EventStreamResponse', 'anthropic_text_stream', 'stream_tokens', 'streaming_response']);
  });

  it('imports every name from a single module of an earlier version when one is in place (singleModule)', async () => {
    const source = read('anthropic_async_route.py');
    const { fixes } = await plan(source, { ...options, singleModule: true });
    const fixed = applyTextEdits(source, fixes[0]!.edits);
    assert.ok(fixed.includes('from streaming import (\n    EventStreamResponse,\n    anthropic_text_stream,\n'), fixed);
    assert.equal(fixed.includes('streaming.tokens'), false);
  });

  it('adds a sibling streaming route and leaves the handler alone with fixStyle "sibling"', async () => {
    const source = read('anthropic_async_route.py');
    const { fixes } = await plan(source, { ...options, style: 'sibling' });
    const fixed = applyTextEdits(source, fixes[0]!.edits);
    assert.ok(fixed.includes('    return {"reply": message.content[0].text}\n'), 'the original handler is kept');
    const sibling = fixed.slice(fixed.indexOf('@app.post("/chat/stream")'));
    assert.equal(
      sibling,
      [
        '@app.post("/chat/stream")',
        'async def chat_stream(request: ChatRequest) -> EventStreamResponse:',
        '    """Stream the answer of chat as Server-Sent Events."""',
        '    stream = client.messages.create(',
        '        model="claude-sonnet-4-5",',
        '        max_tokens=1024,',
        '        messages=[{"role": "user", "content": request.prompt}],',
        '        stream=True,',
        '    )',
        '    return streaming_response(stream_tokens(anthropic_text_stream(stream)))',
        '',
      ].join('\n'),
    );
  });

  it('converts a sync client as part of the stream fix, and offers "Use the async client" on its own', async () => {
    const source = read('openai_sync_in_async.py');
    const { fixes } = await plan(source);
    assert.deepEqual(
      fixes.map((f) => f.title),
      ['Stream this LLM call as an SSE endpoint', 'Use the async client'],
    );
    const asyncOnly = applyTextEdits(source, fixes[1]!.edits);
    assert.equal(
      asyncOnly,
      source
        .replace('from openai import OpenAI', 'from openai import AsyncOpenAI')
        .replace('client = OpenAI()', 'client = AsyncOpenAI()')
        .replace('completion = client.', 'completion = await client.'),
    );
    const streamed = applyTextEdits(source, fixes[0]!.edits);
    assert.match(streamed, /client = AsyncOpenAI\(\)/);
    assert.match(streamed, /stream = client\.chat\.completions\.create\(/);
    assert.doesNotMatch(streamed, /\bOpenAI\(\)/);
  });

  it('makes a sync route handler async when its locally made sync client becomes async', async () => {
    const fixed = applyTextEdits(read('sync_handler_groq.py'), (await plan(read('sync_handler_groq.py'))).fixes[0]!.edits);
    assert.match(fixed, /from groq import AsyncGroq\n/);
    assert.match(fixed, /@app\.get\("\/joke"\)\nasync def joke\(\) -> EventStreamResponse:\n    client = AsyncGroq\(\)\n    stream = client/);
  });

  it("adds stream=True after a **kwargs spread, in the call's one-argument-per-line layout", async () => {
    const fixed = applyTextEdits(read('kwargs_spread.py'), (await plan(read('kwargs_spread.py'))).fixes[0]!.edits);
    assert.match(fixed, / {8}\*\*OPTIONS,\n {8}stream=True,\n {4}\)\n/);
    assert.match(fixed, /openai_text_stream\(stream\)/);
  });

  it('uses the Responses adapter for responses.create and keeps an aliased client class', async () => {
    const source = read('aliases.py');
    const fixed = applyTextEdits(source, (await plan(source, options, 'responses')).fixes[0]!.edits);
    assert.match(
      fixed,
      /stream = gpt\.responses\.create\(model="gpt-4\.1", input=q, stream=True\)\n {4}return streaming_response\(stream_tokens\(openai_responses_text_stream\(stream\)\)\)/,
    );
    assert.match(fixed, /claude = Claude\(max_retries=2\)/);
  });

  it('for a call outside any route, adds a streaming variant of the function and nothing else', async () => {
    const source = read('outside_route.py');
    const { fixes } = await plan(source);
    assert.deepEqual(
      fixes.map((f) => f.title),
      ['Stream this LLM call: add summarise_stream() returning its tokens'],
    );
    const fixed = applyTextEdits(source, fixes[0]!.edits);
    assert.ok(keepsAllLines(source, fixed), 'an original line is missing or out of order');
    assert.match(fixed, /async def summarise_stream\(text: str\) -> AsyncIterator\[str\]:/);
    assert.match(fixed, /^from collections\.abc import AsyncIterator$/m);
    assert.match(fixed, /    return openai_text_stream\(stream\)\n/);
    const again = await plan(fixed, options, 'Summarise');
    assert.deepEqual(again.fixes, [], 'the variant is offered a second time');
    assert.match(again.refused[0]!.reason, /summarise_stream already exists/);
  });

  it('the variant of a method stays a method', async () => {
    const fixed = applyTextEdits(read('client_in_self.py'), (await plan(read('client_in_self.py'))).fixes[0]!.edits);
    assert.match(fixed, /\n {4}async def answer_stream\(self, question: str\) -> AsyncIterator\[str\]:\n/);
    assert.match(fixed, /\n {8}stream = self\.client\.chat\.completions\.create\(/);
  });

  it('keeps CRLF line endings', async () => {
    const source = read('anthropic_async_route.py').replace(/\n/g, '\r\n');
    const fixed = applyTextEdits(source, (await plan(source)).fixes[0]!.edits);
    assert.equal(fixed.replace(/\r\n/g, '').includes('\n'), false, 'a bare LF was written');
    assert.match(fixed, /stream=True,\r\n/);
  });

  it('offers nothing on streaming calls: applying a fix cannot be repeated', async () => {
    for (const name of readdirSync(SNIPPETS)) {
      const source = read(name);
      const result = await fixLlmCalls(source, options);
      const again = await fixLlmCalls(result.text, options);
      assert.equal(again.text, result.text, `${name}: a second run changed the file`);
      assert.deepEqual(again.applied, [], `${name}: a second run applied fixes`);
      assert.ok((await syntaxErrorCount(result.text)) <= (await syntaxErrorCount(source)), `${name}: the fix added syntax errors`);
    }
    assert.deepEqual((await plan(read('already_streaming.py'))).fixes, []);
  });

  describe('keeps what the handler did with the answer', () => {
    const head =
      'from fastapi import FastAPI\nfrom openai import AsyncOpenAI\nfrom pydantic import BaseModel\n\napp = FastAPI()\nclient = AsyncOpenAI()\nlog: list[str] = []\n\n\nclass Reply(BaseModel):\n    text: str\n\n\n';
    const call = '    c = await client.chat.completions.create(model="m", messages=[])\n';

    it('runs the statements after the call, in order, with the assembled text, in a generator the response streams', async () => {
      const source = `${head}@app.get("/a")\nasync def a(q: str) -> str:\n    log.append(q)\n${call}    # Kept with the statements.\n    log.append(c.choices[0].message.content or "")\n    log.append("done")\n    return c.choices[0].message.content or ""\n`;
      const fixed = applyTextEdits(source, (await plan(source)).fixes[0]!.edits);
      assert.equal(
        fixed.slice(fixed.indexOf('@app.get')),
        [
          '@app.get("/a")',
          'async def a(q: str) -> EventStreamResponse:',
          '    log.append(q)',
          '    stream = client.chat.completions.create(model="m", messages=[], stream=True)',
          '',
          '    async def answer_tokens() -> AsyncIterator[str]:',
          '        """Yield the answer\'s tokens, then do what the handler did with the answer.',
          '',
          '        The statements after the loop run once the whole answer has arrived; if the',
          '        client leaves first, this generator is closed at its yield and they do not run.',
          '        """',
          '        parts: list[str] = []',
          '        async for token in openai_text_stream(stream):',
          '            parts.append(token)',
          '            yield token',
          '        text = "".join(parts)',
          '        # Kept with the statements.',
          '        log.append(text or "")',
          '        log.append("done")',
          '',
          '    return streaming_response(stream_tokens(answer_tokens()))',
          '',
        ].join('\n'),
      );
      assert.match(fixed, /^from collections\.abc import AsyncIterator$/m);
    });

    it('uses the name the handler gives the text, and picks names the handler does not use', async () => {
      const source = `${head}@app.get("/a")\nasync def a(parts: str, token: str) -> str:\n${call}    reply = c.choices[0].message.content\n    log.append(reply or parts + token)\n    return reply or ""\n`;
      const fixed = applyTextEdits(source, (await plan(source)).fixes[0]!.edits);
      assert.match(fixed, /\n {8}parts_2: list\[str\] = \[\]\n {8}async for token_2 in openai_text_stream\(stream\):\n/);
      assert.match(fixed, /\n {8}reply = "".join\(parts_2\)\n {8}log\.append\(reply or parts \+ token\)\n\n {4}return /);
    });

    it('removes response_model from the route, wherever it is among the arguments', async () => {
      for (const [decorator, expected] of [
        ['@app.get("/a", response_model=Reply)', '@app.get("/a")'],
        ['@app.get("/a", response_model=Reply, tags=["chat"])', '@app.get("/a", tags=["chat"])'],
        ['@app.get(response_model=Reply, path="/a")', '@app.get(path="/a")'],
        ['@app.get(\n    "/a",\n    response_model=Reply,\n)', '@app.get(\n    "/a",\n)'],
      ]) {
        const source = `${head}${decorator}\nasync def a() -> Reply:\n${call}    return Reply(text=c.choices[0].message.content or "")\n`;
        const fixed = applyTextEdits(source, (await plan(source)).fixes[0]!.edits);
        assert.ok(fixed.includes(`${expected}\nasync def a() -> EventStreamResponse:\n`), fixed);
      }
    });

    const REFUSED: ReadonlyArray<[what: string, body: string, reason: RegExp]> = [
      ['the usage', `${call}    log.append(str(c.usage))\n    return c.choices[0].message.content or ""\n`, /uses `c\.usage` \(line \d+\), the token usage/],
      [
        'the response object',
        `${call}    log.append(c.id)\n    return c.choices[0].message.content or ""\n`,
        /uses `c\.id` \(line \d+\), more of the response than its text/,
      ],
      [
        'a raise after the call',
        `${call}    t = c.choices[0].message.content\n    if t is None:\n        raise ValueError("empty")\n    return t\n`,
        /branches on the answer/,
      ],
      [
        'an early return that does not use the answer',
        `${call}    for x in log:\n        return x\n    return c.choices[0].message.content or ""\n`,
        /can return at line/,
      ],
      ['a local of the handler rebound', `    n = 0\n${call}    n += 1\n    return c.choices[0].message.content or ""\n`, /rebinds n \(line/],
      ['a multi-line string', `${call}    log.append("""a\nb""")\n    return c.choices[0].message.content or ""\n`, /multi-line string/],
      ['a transformed return', `${call}    return (c.choices[0].message.content or "").upper()\n`, /returns `\(c\.choices/],
      ['a wrapper the route does not declare', `${call}    return dict(text=c.choices[0].message.content)\n`, /returns `dict\(/],
      ['the response returned', `${call}    return c\n`, /returns `c`/],
      ['no return', `${call}    log.append(c.choices[0].message.content or "")\n`, /does not end by returning the answer/],
      [
        'the answer inside an expression',
        `    n = len((await client.chat.completions.create(model="m", messages=[])).choices)\n    return str(n)\n`,
        /used inside `len\(/,
      ],
    ];
    for (const [what, body, reason] of REFUSED) {
      it(`refuses: ${what}`, async () => {
        const result = await plan(`${head}@app.get("/a")\nasync def a() -> str:\n${body}`);
        assert.deepEqual(
          result.fixes.map((f) => f.kind),
          [],
        );
        assert.match(result.refused[0]?.reason ?? '', reason);
      });
    }
  });

  describe('refuses, with a reason, what it cannot do safely', () => {
    const head = 'from fastapi import FastAPI, Depends\nfrom openai import AsyncOpenAI, OpenAI\n\napp = FastAPI()\n';

    it('a call inside a compound statement of the handler', async () => {
      const result = await plan(
        `${head}client = AsyncOpenAI()\n\n@app.get("/a")\nasync def a(q: str) -> str:\n    if q:\n        r = await client.responses.create(model="m", input=q)\n        return r.output_text\n    return ""\n`,
      );
      assert.deepEqual(result.fixes, []);
      assert.match(result.refused[0]!.reason, /compound statement/);
    });

    it('a sync client also called from a sync helper, whose callers would have to await', async () => {
      const result = await plan(
        `${head}client = OpenAI()\n\n@app.get("/a")\nasync def a(q: str) -> str:\n    c = client.chat.completions.create(model="m", messages=[])\n    return str(c)\n\ndef helper() -> object:\n    return client.chat.completions.create(model="m", messages=[])\n`,
      );
      assert.deepEqual(result.fixes, []);
      assert.deepEqual(
        result.refused.map((r) => r.kind),
        ['stream', 'async-client'],
      );
      assert.match(result.refused[1]!.reason, /synchronous function "helper"/);
    });

    it('a sync client whose stream is read other than by a for loop over the call (assigned first, a with block)', async () => {
      const assigned = await plan(
        `${head}client = OpenAI()\n\n@app.get("/a")\nasync def a(q: str) -> str:\n    s = client.chat.completions.create(model="m", messages=[], stream=True)\n    return "".join(c.choices[0].delta.content or "" for c in s)\n`,
      );
      assert.match(assigned.refused.find((r) => r.kind === 'async-client')!.reason, /not read by a for loop over the call itself/);
      const managed = await plan(
        `from anthropic import Anthropic\nfrom fastapi import FastAPI\n\napp = FastAPI()\nclient = Anthropic()\n\n@app.get("/a")\nasync def a(q: str) -> str:\n    with client.messages.stream(model="m", max_tokens=9, messages=[]) as s:\n        return s.get_final_text()\n`,
      );
      assert.match(managed.refused.find((r) => r.kind === 'async-client')!.reason, /messages\.stream\(\) returns is not read by a for loop/);
    });

    it('a sync client read by `for chunk in client...create(stream=True)`: awaited and read by async for', async () => {
      const source = `${head}client = OpenAI()\n\n@app.get("/a")\nasync def a(q: str) -> str:\n    text = ""\n    for chunk in client.chat.completions.create(model="m", messages=[], stream=True):\n        text += chunk.choices[0].delta.content or ""\n    return text\n`;
      const result = await plan(source);
      const fix = result.fixes.find((f) => f.kind === 'async-client')!;
      assert.match(
        applyTextEdits(source, fix.edits),
        /\n    async for chunk in await client\.chat\.completions\.create\(model="m", messages=\[\], stream=True\):\n/,
      );
    });

    it('a sync client received as a dependency', async () => {
      const result = await plan(
        `${head}def get() -> OpenAI:\n    return OpenAI()\n\n@app.get("/a")\nasync def a(client: OpenAI = Depends(get)) -> str:\n    c = client.chat.completions.create(model="m", messages=[])\n    return str(c)\n`,
      );
      assert.match(result.refused.find((r) => r.kind === 'async-client')!.reason, /dependency/);
    });

    it('a name the file already binds to something else', async () => {
      const result = await plan(
        `${head}client = AsyncOpenAI()\n\ndef stream_tokens() -> None: ...\n\n@app.get("/a")\nasync def a(q: str) -> str:\n    r = await client.responses.create(model="m", input=q)\n    return r.output_text\n`,
      );
      assert.deepEqual(result.fixes, []);
      assert.match(result.refused[0]!.reason, /stream_tokens/);
    });

    it('a sibling route whose path is taken', async () => {
      const result = await plan(
        `${head}client = AsyncOpenAI()\n\n@app.get("/a")\nasync def a(q: str) -> str:\n    r = await client.responses.create(model="m", input=q)\n    return r.output_text\n\n@app.get("/a/stream")\nasync def taken() -> None: ...\n`,
        { ...options, style: 'sibling' },
      );
      assert.match(result.refused[0]!.reason, /\/a\/stream already exists/);
    });

    it('a sibling route whose path is taken on an app made inside a factory (the analysis names it by the factory)', async () => {
      const result = await plan(
        `${head}client = AsyncOpenAI()\n\n\ndef create_app() -> FastAPI:\n    application = FastAPI()\n\n    @application.get("/a")\n    async def a(q: str) -> str:\n        r = await client.responses.create(model="m", input=q)\n        return r.output_text\n\n    @application.get("/a/stream")\n    async def taken() -> None: ...\n\n    return application\n`,
        { ...options, style: 'sibling' },
      );
      assert.match(result.refused[0]?.reason ?? '', /\/a\/stream already exists/);
    });
  });
});
