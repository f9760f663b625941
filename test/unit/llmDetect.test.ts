import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findLlmCallAt, findLlmCalls, type LlmCall } from '../../src/core/python/llm/detect';
import { llmCallFindings } from '../../src/core/python/llm/findings';
import { parsePython } from '../../src/core/python/parser';

const SNIPPETS = path.join(__dirname, '../fixtures/llm/snippets');

interface Summary {
  line: number;
  provider: string;
  method: string;
  client: string;
  site: string;
  streams: boolean | 'unknown';
  async: boolean;
  route: string | null;
}

function summarise(call: LlmCall): Summary {
  return {
    line: call.node.startPosition.row + 1,
    provider: call.provider,
    method: call.method,
    client: call.client.cls.name,
    site: call.client.site,
    streams: call.streams,
    async: call.inAsyncFunction,
    route: call.route?.handler.childForFieldName('name')?.text ?? null,
  };
}

async function detect(source: string): Promise<Summary[]> {
  const tree = await parsePython(source);
  try {
    return findLlmCalls(tree).map(summarise);
  } finally {
    tree.delete();
  }
}

async function detectFile(name: string): Promise<Summary[]> {
  return detect(readFileSync(path.join(SNIPPETS, name), 'utf8'));
}

async function codesIn(name: string): Promise<string[]> {
  const tree = await parsePython(readFileSync(path.join(SNIPPETS, name), 'utf8'));
  try {
    return llmCallFindings(findLlmCalls(tree)).map((f) => `${f.node.startPosition.row + 1}:${f.code}`);
  } finally {
    tree.delete();
  }
}

describe('LLM call detection', () => {
  describe('the fixture corpus', () => {
    it('Anthropic: a module-level async client in a route', async () => {
      assert.deepEqual(await detectFile('anthropic_async_route.py'), [
        { line: 16, provider: 'anthropic', method: 'messages.create', client: 'AsyncAnthropic', site: 'module', streams: false, async: true, route: 'chat' },
      ]);
      assert.deepEqual(await codesIn('anthropic_async_route.py'), ['16:llm-not-streamed']);
    });

    it('OpenAI: a sync client inside async def is both not streamed and blocking', async () => {
      assert.deepEqual(await detectFile('openai_sync_in_async.py'), [
        { line: 10, provider: 'openai', method: 'chat.completions.create', client: 'OpenAI', site: 'module', streams: false, async: true, route: 'ask' },
      ]);
      assert.deepEqual(await codesIn('openai_sync_in_async.py'), ['10:llm-not-streamed', '10:llm-sync-client']);
    });

    it('aliases: `from anthropic import AsyncAnthropic as Claude`, `import openai` then `openai.AsyncOpenAI()`, `FastAPI as Api`', async () => {
      assert.deepEqual(await detectFile('aliases.py'), [
        {
          line: 12,
          provider: 'anthropic',
          method: 'messages.create',
          client: 'AsyncAnthropic',
          site: 'module',
          streams: false,
          async: true,
          route: 'ask_claude',
        },
        { line: 18, provider: 'openai', method: 'responses.create', client: 'AsyncOpenAI', site: 'module', streams: false, async: true, route: 'ask_gpt' },
      ]);
    });

    it('Groq with a **kwargs spread: not known to stream, so diagnosed', async () => {
      const [call] = await detectFile('kwargs_spread.py');
      assert.deepEqual(call, {
        line: 13,
        provider: 'groq',
        method: 'chat.completions.create',
        client: 'AsyncGroq',
        site: 'module',
        streams: false,
        async: true,
        route: 'summary',
      });
    });

    it('a client on `self`, set in __init__ (Azure OpenAI), in a method: no route, no diagnostic', async () => {
      assert.deepEqual(await detectFile('client_in_self.py'), [
        { line: 12, provider: 'openai', method: 'chat.completions.create', client: 'AsyncAzureOpenAI', site: 'self', streams: false, async: true, route: null },
      ]);
      assert.deepEqual(await codesIn('client_in_self.py'), []);
    });

    it('a client received as a FastAPI dependency: `client: AsyncAnthropic = Depends(...)`', async () => {
      assert.deepEqual(await detectFile('client_dependency.py'), [
        {
          line: 13,
          provider: 'anthropic',
          method: 'messages.create',
          client: 'AsyncAnthropic',
          site: 'parameter',
          streams: false,
          async: true,
          route: 'haiku',
        },
      ]);
    });

    it('already streaming calls (`messages.stream`, `stream=True`): no diagnostic', async () => {
      const calls = await detectFile('already_streaming.py');
      assert.deepEqual(
        calls.map((c) => [c.line, c.method, c.streams]),
        [
          [16, 'messages.stream', true],
          [25, 'chat.completions.create', true],
        ],
      );
      assert.deepEqual(await codesIn('already_streaming.py'), []);
    });

    it('calls outside routes (a helper, a nested helper in a route): found, not diagnosed', async () => {
      assert.deepEqual(
        (await detectFile('outside_route.py')).map((c) => [c.line, c.route]),
        [[10, null]],
      );
      const [nested] = await detectFile('nested_helper.py');
      assert.deepEqual([nested!.site, nested!.route], ['function', null]);
      assert.deepEqual(await codesIn('outside_route.py'), []);
      assert.deepEqual(await codesIn('nested_helper.py'), []);
    });

    it('a file with a syntax error elsewhere still has its call found', async () => {
      assert.deepEqual(await codesIn('syntax_error_elsewhere.py'), ['14:llm-not-streamed']);
    });

    it('a sync client made inside a sync route handler: not streamed, not blocking (FastAPI runs it in a thread)', async () => {
      assert.deepEqual(await detectFile('sync_handler_groq.py'), [
        { line: 10, provider: 'groq', method: 'chat.completions.create', client: 'Groq', site: 'function', streams: false, async: false, route: 'joke' },
      ]);
      assert.deepEqual(await codesIn('sync_handler_groq.py'), ['10:llm-not-streamed']);
    });
  });

  describe('resolution rules', () => {
    const header = 'from fastapi import FastAPI\nimport anthropic\nfrom openai import AsyncOpenAI, OpenAI\n\napp = FastAPI()\n';

    it('ignores look-alike calls whose receiver is not an SDK client', async () => {
      assert.deepEqual(await detect(`${header}\nasync def f(db):\n    await db.messages.create(text="x")\n    await other.chat.completions.create()\n`), []);
    });

    it('`stream=False` does not stream; `stream=flag` is unknown (not diagnosed)', async () => {
      const calls = await detect(
        `${header}client = AsyncOpenAI()\n\n@app.get("/a")\nasync def a(flag: bool) -> None:\n    await client.chat.completions.create(model="m", messages=[], stream=False)\n    await client.chat.completions.create(model="m", messages=[], stream=flag)\n`,
      );
      assert.deepEqual(
        calls.map((c) => c.streams),
        [false, 'unknown'],
      );
    });

    it('inline construction, module alias construction, the Bedrock variant, and the module-level openai client', async () => {
      const calls = await detect(
        `${header}import openai\n\n@app.get("/a")\nasync def a() -> None:\n    await AsyncOpenAI().chat.completions.create(model="m", messages=[])\n    anthropic.AsyncAnthropicBedrock().messages.create(model="m", max_tokens=1, messages=[])\n    openai.chat.completions.create(model="m", messages=[])\n`,
      );
      assert.deepEqual(
        calls.map((c) => [c.client, c.site]),
        [
          ['AsyncOpenAI', 'inline'],
          ['AsyncAnthropicBedrock', 'inline'],
          ['OpenAI', 'sdk-module'],
        ],
      );
    });

    it('dependency parameters annotated `Annotated[AsyncOpenAI, Depends(...)]` or `OpenAI | None`', async () => {
      const calls = await detect(
        `${header}from typing import Annotated\nfrom fastapi import Depends\n\n@app.get("/a")\nasync def a(c: Annotated[AsyncOpenAI, Depends(AsyncOpenAI)], d: OpenAI | None = None) -> None:\n    await c.responses.create(model="m", input="x")\n    d.responses.create(model="m", input="x")\n`,
      );
      assert.deepEqual(
        calls.map((c) => [c.client, c.site, c.route]),
        [
          ['AsyncOpenAI', 'parameter', 'a'],
          ['OpenAI', 'parameter', 'a'],
        ],
      );
    });

    it('a local variable shadows the module-level client', async () => {
      const [call] = await detect(
        `${header}client = AsyncOpenAI()\n\nasync def a() -> None:\n    client = OpenAI()\n    client.chat.completions.create(model="m", messages=[])\n`,
      );
      assert.deepEqual([call!.client, call!.site], ['OpenAI', 'function']);
    });

    it('a name rebound to something else in the function is not an SDK client', async () => {
      assert.deepEqual(
        await detect(`${header}client = AsyncOpenAI()\n\nasync def a(client) -> None:\n    await client.chat.completions.create(model="m", messages=[])\n`),
        [],
      );
    });

    it('routes on an APIRouter, and decorators of other objects are not routes', async () => {
      const calls = await detect(
        `from fastapi import APIRouter\nfrom openai import AsyncOpenAI\nimport click\n\nrouter = APIRouter()\nclient = AsyncOpenAI()\n\n@router.post("/a")\nasync def a() -> None:\n    await client.responses.create(model="m", input="x")\n\n@click.get("/b")\nasync def b() -> None:\n    await client.responses.create(model="m", input="x")\n`,
      );
      assert.deepEqual(
        calls.map((c) => c.route),
        ['a', null],
      );
    });

    it('findLlmCallAt: the innermost LLM call around a cursor or selection, nothing elsewhere', async () => {
      const source = `${header}client = AsyncOpenAI()\n\nasync def a(q: str) -> None:\n    await client.responses.create(model="m", input=(await client.responses.create(model="n", input=q)).output_text)\n    print(q)\n`;
      const tree = await parsePython(source);
      try {
        const inner = source.indexOf('model="n"');
        assert.equal(
          findLlmCallAt(tree, inner, inner)?.node.text.includes('model="n"') &&
            findLlmCallAt(tree, inner, inner)?.node.text.startsWith('client.responses.create(model="n"'),
          true,
        );
        const outer = source.indexOf('model="m"');
        assert.match(findLlmCallAt(tree, outer, outer)?.node.text ?? '', /^client\.responses\.create\(model="m"/);
        const onMethod = source.indexOf('create');
        assert.match(findLlmCallAt(tree, onMethod, onMethod + 3)?.node.text ?? '', /^client\.responses\.create\(model="m"/);
        assert.equal(findLlmCallAt(tree, source.indexOf('print'), source.indexOf('print')), undefined);
      } finally {
        tree.delete();
      }
    });

    it('Groq has no Responses API and Anthropic no chat completions: such calls are not LLM nodes', async () => {
      assert.deepEqual(
        await detect(
          `from groq import AsyncGroq\nfrom anthropic import AsyncAnthropic\ng = AsyncGroq()\na = AsyncAnthropic()\nasync def f() -> None:\n    await g.responses.create()\n    await a.chat.completions.create()\n`,
        ),
        [],
      );
    });
  });
});
