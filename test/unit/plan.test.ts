import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { withGeneratedHeader } from '../../src/core/codegen/python/generatedHeader';
import { renderPackageFiles } from '../../src/core/codegen/python/package';
import { planAddEndpoint, type AddEndpointPlan } from '../../src/core/plan/endpoint';
import type { FileChange } from '../../src/core/workspace/fileChange';
import { analyzePythonModule } from '../../src/core/python/analysis';
import { nodeProjectFiles, readPythonFiles } from '../../src/core/workspace/projectFiles';
import { applyTextEdits } from '../../src/core/workspace/textEdit';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'workspaces');

function fixture(name: string): Promise<Map<string, string>> {
  return readPythonFiles(nodeProjectFiles(path.join(FIXTURES, name)));
}

function workspace(files: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(files));
}

function lines(...all: string[]): string {
  return all.map((l) => `${l}\n`).join('');
}

type Planned = Extract<AddEndpointPlan, { status: 'planned' }>;

function planned(plan: AddEndpointPlan): Planned {
  assert.equal(plan.status, 'planned', plan.status === 'refused' ? plan.message : plan.status);
  return plan as Planned;
}

function refused(plan: AddEndpointPlan, reason: string): string {
  assert.equal(plan.status, 'refused', `expected a refusal (${reason}), got ${plan.status}`);
  assert.equal((plan as { reason: string }).reason, reason, (plan as { message: string }).message);
  return (plan as { message: string }).message;
}

function change(plan: Planned, file: string): FileChange {
  const found = plan.changes.find((c) => c.path === file);
  assert.ok(found, `no change to ${file}; changes: ${plan.changes.map((c) => c.path).join(', ')}`);
  return found;
}

/** The workspace after the plan: every change's edits applied to its text (as the extension's WorkspaceEdit would). */
function applied(files: Map<string, string>, plan: Planned): Map<string, string> {
  const next = new Map(files);
  for (const c of plan.changes) {
    if (c.kind === 'delete') {
      next.delete(c.path);
      continue;
    }
    const text = applyTextEdits(c.before ?? '', c.edits);
    assert.equal(text, c.after, `the edits of ${c.path} do not produce its new text`);
    next.set(c.path, text);
  }
  return next;
}

/** What a plain sse route imports from the package: its encoder and response, and its on_finish hook's. */
const PLAIN_ROUTE_NAMES = ['EventStreamResponse', 'stream_tokens', 'streaming_response', 'FinishResult', 'with_on_finish'] as const;

/** A route's last statements: the source handed to the on_finish hook `hook`, then the stream returned. */
function answerLines(indent: string, source: string, hook: string, keywords: readonly string[] = ['on_disconnect="cancel"']): string[] {
  return [
    `${indent}answer = with_on_finish(`,
    `${indent}    ${source},`,
    `${indent}    ${hook},`,
    ...keywords.map((keyword) => `${indent}    ${keyword},`),
    `${indent})`,
    `${indent}return streaming_response(stream_tokens(answer))`,
  ];
}

const APP = lines('from fastapi import FastAPI', '', 'app = FastAPI()', '', '', '@app.get("/")', 'async def index() -> dict[str, str]:', '    return {}');

describe('planAddEndpoint', () => {
  describe('a single-file app', () => {
    it('creates the streaming module, merges imports and appends a typed, documented route', async () => {
      const files = await fixture('single-file');
      const plan = planned(await planAddEndpoint(files));
      assert.deepEqual(
        plan.changes.map((c) => [c.path, c.kind]),
        [
          ['streaming/__init__.py', 'create'],
          ['streaming/events.py', 'create'],
          ['streaming/finish.py', 'create'],
          ['streaming/lifecycle.py', 'create'],
          ['streaming/parts.py', 'create'],
          ['streaming/response.py', 'create'],
          ['streaming/tokens.py', 'create'],
          ['main.py', 'modify'],
        ],
      );
      // Only the files the route's names need, each as the package renders it.
      for (const file of await renderPackageFiles(PLAIN_ROUTE_NAMES)) {
        assert.equal(change(plan, `streaming/${file.path}`).after, file.text);
      }
      const main = change(plan, 'main.py').after;
      assert.ok(
        main.startsWith(
          lines(
            '"""A to-do API in one file."""',
            'import asyncio',
            'from collections.abc import AsyncIterator',
            '',
            'from fastapi import FastAPI, HTTPException',
            'from pydantic import BaseModel',
            '',
            'from streaming.finish import FinishResult',
            'from streaming.lifecycle import with_on_finish',
            'from streaming.response import EventStreamResponse, streaming_response',
            'from streaming.tokens import stream_tokens',
            '',
          ),
        ),
        main,
      );
      assert.ok(
        main.endsWith(
          lines(
            '@app.get("/stream")',
            'async def stream(prompt: str = "Why is the sky blue?") -> EventStreamResponse:',
            '    """Stream the reply to the prompt as Server-Sent Events.',
            '',
            '    GET /stream?prompt=... gets an ``event: token`` for each piece of',
            '    text the moment it is produced, then an ``event: done`` with the',
            '    whole text (or an ``event: error`` if the token source fails).',
            '    """',
            ...answerLines('    ', 'demo_tokens(prompt)', 'on_stream_finish'),
          ),
        ),
        main,
      );
      assert.ok(main.includes(lines('    return todo', '', '', 'async def demo_tokens(prompt: str) -> AsyncIterator[str]:')));
      assert.deepEqual(plan.endpoint, {
        file: 'main.py',
        owner: 'app',
        ownerKind: 'app',
        method: 'GET',
        protocol: 'sse',
        route: '/stream',
        url: '/stream',
        source: 'demo',
        resumable: false,
        onDisconnect: 'cancel',
        functionName: 'stream',
        serve: { appDir: '', app: 'main:app', factory: false },
      });
      assert.equal(main.split('\n')[plan.reveal.line], '@app.get("/stream")');
    });

    it('says the endpoint is already there on a second run, and plans nothing', async () => {
      const files = await fixture('single-file');
      const after = applied(files, planned(await planAddEndpoint(files)));
      const again = await planAddEndpoint(after);
      assert.equal(again.status, 'already-present');
      assert.match((again as { message: string }).message, /already there: GET \/stream \(main\.py:\d+\)/);
      assert.ok(!('changes' in again));
    });

    it('adds a second endpoint next to the first, reusing the demo generator and the module', async () => {
      const files = await fixture('single-file');
      const once = applied(files, planned(await planAddEndpoint(files)));
      const second = planned(await planAddEndpoint(once, { route: '/chat', method: 'POST' }));
      // The POST route reads its body within limits: the package's request_body.py is the one file it adds.
      assert.deepEqual(
        second.changes.map((c) => c.path),
        ['streaming/request_body.py', 'main.py'],
      );
      assert.deepEqual(second.notes, []);
      const main = change(second, 'main.py').after;
      assert.equal(main.split('async def demo_tokens').length, 2, 'demo_tokens defined once');
      assert.ok(main.includes('from pydantic import BaseModel\n'));
      assert.ok(
        main.includes(
          lines(
            'class ChatRequest(BaseModel):',
            '    """The JSON body of POST /chat."""',
            '',
            '    prompt: str',
            '',
            '',
            '@app.post("/chat")',
            'async def chat(request: Request) -> EventStreamResponse:',
          ),
        ),
        main,
      );
      assert.ok(main.includes('    body: ChatRequest = await read_body(request, ChatRequest)\n'));
      assert.ok(main.includes(lines(...answerLines('    ', 'demo_tokens(body.prompt)', 'on_chat_finish'))), main);
    });
  });

  describe('where the code goes', () => {
    it('puts new code above the __main__ block and the comments that introduce it', async () => {
      const files = await fixture('uvicorn-main');
      const main = change(planned(await planAddEndpoint(files)), 'main.py').after;
      assert.ok(
        main.endsWith(
          lines(
            ...answerLines('    ', 'demo_tokens(prompt)', 'on_stream_finish'),
            '',
            '',
            '# Started with "python main.py" in development.',
            'if __name__ == "__main__":',
            '    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))',
          ),
        ),
        main,
      );
    });

    it('adds the route inside an app factory, above its return, with helpers above the factory', async () => {
      const files = await fixture('src-factory');
      const plan = planned(await planAddEndpoint(files));
      assert.deepEqual(plan.endpoint.serve, { appDir: 'src', app: 'shop.app:create_app', factory: true });
      assert.equal(change(plan, 'src/shop/streaming/tokens.py').kind, 'create');
      const app = change(plan, 'src/shop/app.py').after;
      // The file imports its own package by absolute name, so the new import does too.
      assert.ok(
        app.includes(
          lines(
            'from shop.api import health',
            'from shop.streaming.finish import FinishResult',
            'from shop.streaming.lifecycle import with_on_finish',
            'from shop.streaming.response import EventStreamResponse, streaming_response',
            'from shop.streaming.tokens import stream_tokens',
            '',
            '',
          ),
        ),
        app,
      );
      assert.ok(app.indexOf('async def demo_tokens') < app.indexOf('def create_app'));
      assert.ok(app.endsWith(lines(...answerLines('        ', 'demo_tokens(prompt)', 'on_stream_finish'), '', '    return application')), app);
      assert.ok(app.includes(lines('        return {"version": "0.1.0"}', '', '    @application.get("/stream")')));
    });

    it('adds a route to a router above the statement that includes it in the same module', async () => {
      const source = lines(
        'from fastapi import APIRouter, FastAPI',
        '',
        'router = APIRouter(prefix="/chat")',
        '',
        '',
        '@router.get("/history")',
        'async def history() -> list[str]:',
        '    return []',
        '',
        '',
        'app = FastAPI()',
        'app.include_router(router, prefix="/v1")',
      );
      const files = workspace({ 'main.py': source });
      const plan = planned(await planAddEndpoint(files, { target: { file: 'main.py', id: 'router' } }));
      assert.equal(plan.endpoint.url, '/v1/chat/stream');
      assert.deepEqual(plan.endpoint.serve, { appDir: '', app: 'main:app', factory: false });
      const main = change(plan, 'main.py').after;
      assert.ok(main.includes(lines('@router.get("/stream")')));
      // include_router copies the routes it finds: the new one must come before that call.
      assert.ok(
        main.includes(lines(...answerLines('    ', 'demo_tokens(prompt)', 'on_stream_finish'), '', '', 'app.include_router(router, prefix="/v1")')),
        main,
      );
      assert.ok(main.includes('    GET /v1/chat/stream?prompt=... gets an ``event: token``'), main);
    });

    it('writes relative imports inside a package, up to its top, and finds the router through the app', async () => {
      const files = await fixture('bigger-app');
      const plan = planned(await planAddEndpoint(files, { target: { file: 'app/routers/items.py', id: 'router' } }));
      assert.equal(plan.endpoint.url, '/items/stream');
      assert.deepEqual(plan.endpoint.serve, { appDir: '', app: 'app.main:app', factory: false });
      assert.equal(change(plan, 'app/streaming/tokens.py').kind, 'create');
      const items = change(plan, 'app/routers/items.py').after;
      assert.ok(
        items.includes(
          lines(
            'from ..dependencies import get_token_header',
            'from ..streaming.finish import FinishResult',
            'from ..streaming.lifecycle import with_on_finish',
            'from ..streaming.response import EventStreamResponse, streaming_response',
            'from ..streaming.tokens import stream_tokens',
          ),
        ),
        items,
      );
      assert.deepEqual(plan.notes, []);
    });

    it('notes a router that no app includes', async () => {
      const files = workspace({ 'routes.py': lines('from fastapi import APIRouter', '', 'router = APIRouter()') });
      const plan = planned(await planAddEndpoint(files, { target: { file: 'routes.py' } }));
      assert.equal(plan.endpoint.serve, undefined);
      assert.match(plan.notes.join('\n'), /not included in any app/);
    });

    it('keeps CRLF line endings and tab indentation', async () => {
      const crlf = change(planned(await planAddEndpoint(await fixture('crlf'))), 'main.py').after;
      assert.equal(crlf.replace(/\r\n/g, '').includes('\n'), false, 'no bare LF');
      const crlfModule = planned(await planAddEndpoint(await fixture('crlf'))).changes[0]!.after;
      assert.equal(crlfModule.replace(/\r\n/g, '').includes('\n'), false, 'the new module uses CRLF too');
      const tabs = change(planned(await planAddEndpoint(await fixture('tabs'))), 'main.py').after;
      // Each level is one tab, at the depth the code has: the loop body two levels in, the loop and the return one.
      assert.ok(tabs.includes('\n\tfor index, word in enumerate(reply.split(" ")):\n\t\tawait asyncio.sleep(0.03)\n\t\tyield word'), tabs);
      assert.ok(tabs.includes('\n\treturn streaming_response(stream_tokens(answer))\n'), tabs);
      assert.ok(tabs.includes('\n\tanswer = with_on_finish(\n\t\tdemo_tokens(prompt),\n'), tabs);
      assert.equal(/^\t* +\S/m.test(tabs), false, 'no line indented with spaces, not even after tabs');
    });

    it('merges into parenthesised imports in their one-name-per-line style', async () => {
      const main = change(planned(await planAddEndpoint(await fixture('multiline-imports'))), 'main.py').after;
      assert.ok(
        main.includes(lines('import asyncio', 'import logging', 'from collections.abc import (', '    AsyncIterator,', '    Mapping,', '    Sequence,', ')')),
        main,
      );
      assert.ok(
        main.includes(
          lines(
            '    Query,  # validated query parameters',
            ')',
            '',
            'from streaming.finish import FinishResult',
            'from streaming.lifecycle import with_on_finish',
            'from streaming.response import EventStreamResponse, streaming_response',
            'from streaming.tokens import stream_tokens',
          ),
        ),
        main,
      );
    });

    it('names the handler uniquely and passes path parameters through', async () => {
      const files = workspace({ 'main.py': APP + lines('', '', 'def chat_stream() -> None:', '    pass') });
      const plan = planned(await planAddEndpoint(files, { route: '/chat/{room_id}/stream' }));
      assert.equal(plan.endpoint.functionName, 'chat_stream_2');
      // 92 columns on one line: laid out as ruff format and black would.
      assert.ok(
        change(plan, 'main.py').after.includes(
          lines('async def chat_stream_2(', '    room_id: str, prompt: str = "Why is the sky blue?"', ') -> EventStreamResponse:'),
        ),
        change(plan, 'main.py').after,
      );
    });

    it('puts the module where moduleLocation says and imports it from there', async () => {
      const files = workspace({ 'main.py': APP, 'lib/__init__.py': '' });
      const plan = planned(await planAddEndpoint(files, { moduleLocation: 'lib' }));
      assert.equal(change(plan, 'lib/streaming/response.py').kind, 'create');
      assert.ok(change(plan, 'main.py').after.includes('from lib.streaming.response import EventStreamResponse'));
    });
  });

  describe('token sources', () => {
    for (const [provider, adapter, client, variable, model] of [
      ['anthropic', 'anthropic_stream_parts', 'AsyncAnthropic', 'message_stream', 'claude-sonnet-4-5'],
      ['openai', 'openai_stream_parts', 'AsyncOpenAI', 'chunks', 'gpt-4o-mini'],
      ['groq', 'openai_stream_parts', 'AsyncGroq', 'chunks', 'llama-3.3-70b-versatile'],
    ] as const) {
      it(`streams from the ${provider} SDK through the module's ${adapter}`, async () => {
        const plan = planned(await planAddEndpoint(workspace({ 'main.py': APP }), { source: { kind: 'sdk', provider } }));
        const main = change(plan, 'main.py').after;
        assert.ok(main.includes(`from ${provider} import ${client}\n`));
        assert.ok(main.includes(`import functools\n`));
        assert.ok(
          main.includes(
            lines(
              'from streaming.finish import FinishResult',
              'from streaming.lifecycle import with_on_finish',
              `from streaming.providers.${provider === 'anthropic' ? 'anthropic' : 'openai'} import ${adapter}`,
              'from streaming.response import EventStreamResponse, streaming_response',
              'from streaming.tokens import stream_tokens',
            ),
          ),
          main,
        );
        assert.ok(main.includes(`@functools.cache\ndef ${provider}_client() -> ${client}:\n`));
        // The typed-parts adapter, which yields the provider's usage, handed to the route's on_finish hook.
        assert.ok(
          main.includes(lines(...answerLines('    ', `${adapter}(${variable})`, 'on_stream_finish', [`model="${model}"`, 'on_disconnect="cancel"']))),
          main,
        );
        // OpenAI reports the usage of a stream only when asked; Groq's SDK takes no stream_options and sends it anyway.
        assert.equal(main.includes('        stream_options={"include_usage": True},\n'), provider === 'openai', main);
        assert.ok(main.includes('"content": prompt}'));
        assert.equal(main.includes('demo_tokens'), false);
      });
    }

    it('chat protocols: the anthropic route passes the system messages as `system` (omitted when none), openai keeps them in messages', async () => {
      for (const protocol of ['ai-sdk', 'openai'] as const) {
        const claude = change(
          planned(await planAddEndpoint(workspace({ 'main.py': APP }), { protocol, source: { kind: 'sdk', provider: 'anthropic' } })),
          'main.py',
        ).after;
        assert.ok(claude.includes('from anthropic import AsyncAnthropic, omit\n'), claude);
        assert.ok(
          claude.includes(
            lines(
              '    message_stream = anthropic_client().messages.stream(',
              '        model="claude-sonnet-4-5",',
              '        max_tokens=1024,',
              '        system=body.system_prompt() or omit,',
              '        messages=body.chat_messages(system=False),',
              '    )',
            ),
          ),
          claude,
        );
        const gpt = change(
          planned(await planAddEndpoint(workspace({ 'main.py': APP }), { protocol, source: { kind: 'sdk', provider: 'openai' } })),
          'main.py',
        ).after;
        assert.ok(gpt.includes('        messages=body.chat_messages(),\n'), gpt);
        assert.equal(
          /system|omit/.test(
            gpt
              .split('\n')
              .filter((line) => !line.startsWith('#'))
              .join('\n'),
          ),
          false,
          gpt,
        );
      }
    });

    it('streams an async generator function of the module', async () => {
      const files = workspace({ 'main.py': APP + lines('', '', 'async def my_tokens(question: str):', '    yield question') });
      const main = change(planned(await planAddEndpoint(files, { source: { kind: 'function', name: 'my_tokens' } })), 'main.py').after;
      assert.ok(main.includes(lines(...answerLines('    ', 'my_tokens(prompt)', 'on_stream_finish'))), main);
      assert.equal(main.includes('demo_tokens'), false);
    });

    it('imports a token function from another module of the package, and calls one without parameters without the prompt', async () => {
      const files = workspace({
        'app/__init__.py': '',
        'app/main.py': APP,
        'app/llm/__init__.py': '',
        'app/llm/tokens.py': lines('from collections.abc import AsyncIterator', '', 'async def canned() -> AsyncIterator[str]:', '    yield "hi"'),
      });
      const main = change(planned(await planAddEndpoint(files, { source: { kind: 'function', name: 'canned' } })), 'app/main.py').after;
      assert.ok(main.includes('from .llm.tokens import canned\n'), main);
      assert.ok(main.includes(lines(...answerLines('    ', 'canned()', 'on_stream_finish'))), main);
    });

    it('refuses a function that is missing, not an async generator, or needs more than the prompt', async () => {
      const files = workspace({
        'main.py': APP + lines('', '', 'def sync_tokens():', '    yield "x"', '', '', 'async def two(a: str, b: str):', '    yield a'),
      });
      assert.match(refused(await planAddEndpoint(files, { source: { kind: 'function', name: 'nope' } }), 'unknown-source'), /Unknown token source "nope"/);
      assert.match(
        refused(await planAddEndpoint(files, { source: { kind: 'function', name: 'sync_tokens' } }), 'unknown-source'),
        /not an async generator function/,
      );
      assert.match(refused(await planAddEndpoint(files, { source: { kind: 'function', name: 'two' } }), 'unknown-source'), /takes 2 arguments/);
    });
  });

  describe('the streaming package', () => {
    const LEGACY = path.join(__dirname, '..', 'fixtures', 'legacy');
    // The 0.1 single modules, as generated: streaming.py lives in the legacy-untouched workspace fixture.
    const legacy = (name: string) =>
      readFile(name === 'streaming.py' ? path.join(FIXTURES, 'legacy-untouched', 'app', 'streaming.py') : path.join(LEGACY, name), 'utf8');
    const packageFiles = async (names: Parameters<typeof renderPackageFiles>[0], folder = 'streaming') =>
      Object.fromEntries((await renderPackageFiles(names)).map((file) => [`${folder}/${file.path}`, file.text]));

    it('leaves files that are up to date alone, and writes only the files a new route of another kind adds', async () => {
      const files = workspace({ 'main.py': APP, ...(await packageFiles(PLAIN_ROUTE_NAMES)) });
      const plan = planned(await planAddEndpoint(files));
      assert.deepEqual(
        plan.changes.map((c) => c.path),
        ['main.py'],
      );
      assert.deepEqual(plan.notes, []);
      const chat = planned(await planAddEndpoint(applied(files, plan), { protocol: 'ai-sdk' }));
      assert.deepEqual(
        chat.changes.map((c) => [c.path, c.kind]),
        [
          ['streaming/request_body.py', 'create'],
          ['streaming/protocols/__init__.py', 'create'],
          ['streaming/protocols/_common.py', 'create'],
          ['streaming/protocols/ai_sdk.py', 'create'],
          ['main.py', 'modify'],
        ],
      );
    });

    it('renders the files for the project\u2019s Python target', async () => {
      const plan = planned(await planAddEndpoint(workspace({ 'main.py': APP }), { protocol: 'openai', pythonTarget: { major: 3, minor: 12 } }));
      const names = ['ChatCompletionRequest', 'openai_chat_completion_response'] as const;
      for (const file of await renderPackageFiles(names, { pythonTarget: { major: 3, minor: 12 } })) {
        assert.equal(change(plan, `streaming/${file.path}`).after, file.text, file.path);
      }
      const on39 = await renderPackageFiles(names);
      assert.ok(
        on39.some((file) => change(plan, `streaming/${file.path}`).after !== file.text),
        'the 3.12 rendering differs from 3.9',
      );
    });

    it('updates a file nobody edited, keeping the ping interval its response.py was made with', async () => {
      const current = await packageFiles(['stream_tokens', 'EventStreamResponse', 'streaming_response'], 'streaming');
      const tuned = await packageFiles(['EventStreamResponse'], 'streaming').then(() => renderPackageFiles(['EventStreamResponse'], { pingInterval: 30 }));
      const older = async (text: string) =>
        withGeneratedHeader(text.split('\n').slice(4).join('\n').replace('"""', '"""Older. '), { generator: 'Catalyst Streaming', version: '0.0.1' });
      const files = workspace({
        'main.py': APP,
        ...current,
        'streaming/tokens.py': await older(current['streaming/tokens.py']!),
        'streaming/response.py': await older(tuned.find((f) => f.path === 'response.py')!.text),
      });
      const plan = planned(await planAddEndpoint(files));
      const tokens = change(plan, 'streaming/tokens.py');
      assert.equal(tokens.kind, 'update');
      assert.equal(tokens.after, current['streaming/tokens.py']);
      assert.match(tokens.description, /generated by Catalyst Streaming 0\.0\.1, never edited/);
      const response = change(plan, 'streaming/response.py');
      assert.equal(response.after, (await renderPackageFiles(['EventStreamResponse'], { pingInterval: 30 })).find((f) => f.path === 'response.py')!.text);
      assert.match(response.after, /DEFAULT_PING_INTERVAL = 30\.0/);
    });

    it('keeps an edited file and names it; refuses when it lost a name the route imports, or is not ours', async () => {
      const current = await packageFiles(PLAIN_ROUTE_NAMES);
      const edited = { ...current, 'streaming/tokens.py': current['streaming/tokens.py']!.replace('\n__all__', '\n# mine\n__all__') };
      const plan = planned(await planAddEndpoint(workspace({ 'main.py': APP, ...edited })));
      assert.deepEqual(
        plan.changes.map((c) => c.path),
        ['main.py'],
      );
      assert.match(plan.notes.join('\n'), /streaming\/tokens\.py was edited since it was generated, so it is left as it is/);
      const lost = { ...current, 'streaming/tokens.py': current['streaming/tokens.py']!.replace(/def stream_tokens\(/g, 'def my_stream_tokens(') };
      assert.match(refused(await planAddEndpoint(workspace({ 'main.py': APP, ...lost })), 'module-conflict'), /no longer defines stream_tokens/);
      const foreign = { ...current, 'streaming/tokens.py': 'def stream_tokens() -> None: ...\n' };
      assert.match(
        refused(await planAddEndpoint(workspace({ 'main.py': APP, ...foreign })), 'module-conflict'),
        /streaming\/tokens\.py exists and was not generated/,
      );
    });

    it('leaves a streaming.py or streaming/ package it did not generate alone: another name by default, a refusal when --module names it', async () => {
      for (const mine of [{ 'streaming.py': 'def mine() -> None: ...\n' }, { 'streaming/__init__.py': '', 'streaming/x.py': 'X = 1\n' }] as Record<
        string,
        string
      >[]) {
        const files = workspace({ 'main.py': APP, ...mine });
        const plan = planned(await planAddEndpoint(files));
        assert.ok(
          plan.changes.every((c) => c.path === 'main.py' || c.path.startsWith('sse_streaming/')),
          plan.changes.map((c) => c.path).join(),
        );
        assert.match(plan.notes[0]!, /The streaming package is sse_streaming\/, not streaming\/: that name would clash with /);
        assert.ok(change(plan, 'main.py').after.includes('from sse_streaming.tokens import stream_tokens\n'));
        const message = refused(await planAddEndpoint(files, { moduleLocation: 'streaming.py' }), 'module-conflict');
        assert.match(message, /not generated by Catalyst Streaming/);
      }
    });

    it('replaces an untouched single module of 0.1 by the package in one change: deleted, imports rewritten, aliases and comments kept', async () => {
      const routes = lines(
        'from fastapi import APIRouter',
        '',
        'from .streaming import EventStreamResponse, stream_tokens as tokens  # the encoder',
        'from .resumable import resumable_response',
        '',
        'router = APIRouter()',
      );
      const files = workspace({
        'app/__init__.py': '',
        'app/main.py': lines('from fastapi import FastAPI', '', 'from .routes import router', '', 'app = FastAPI()', 'app.include_router(router)'),
        'app/routes.py': routes,
        'app/streaming.py': await legacy('streaming.py'),
        'app/resumable.py': await legacy('resumable.py'),
      });
      const plan = planned(await planAddEndpoint(files, { target: { file: 'app/main.py', id: 'app' } }));
      const kinds = Object.fromEntries(plan.changes.map((c) => [c.path, c.kind]));
      assert.equal(kinds['app/streaming.py'], 'delete');
      assert.equal(kinds['app/resumable.py'], 'delete');
      assert.equal(kinds['app/routes.py'], 'modify');
      // The files every import needs, the resumable response's included.
      for (const file of ['app/streaming/tokens.py', 'app/streaming/response.py', 'app/streaming/resumable/response.py']) {
        assert.equal(kinds[file], 'create', file);
      }
      const after = applied(files, plan);
      assert.equal(
        after.get('app/routes.py'),
        lines(
          'from fastapi import APIRouter',
          '',
          'from .streaming.response import EventStreamResponse',
          'from .streaming.tokens import stream_tokens as tokens  # the encoder',
          'from .streaming.resumable.response import resumable_response',
          '',
          'router = APIRouter()',
        ),
      );
      assert.ok(after.get('app/main.py')!.includes('from .streaming.tokens import stream_tokens\n'));
      assert.match(
        plan.notes[0]!,
        /app\/streaming\.py and app\/resumable\.py \(generated by an earlier version, never edited\) are replaced by the streaming package/,
      );
      // The edits of each change produce its text (one undo step in the editor).
      assert.equal(applyTextEdits(files.get('app/routes.py')!, change(plan, 'app/routes.py').edits), after.get('app/routes.py'));
    });

    it('migrates the 0.0.9 module of the generated-untouched fixture, with its absolute imports', async () => {
      const files = await fixture('generated-untouched');
      const plan = planned(await planAddEndpoint(files, { route: '/more' }));
      assert.equal(change(plan, 'streaming.py').kind, 'delete');
      const main = change(plan, 'main.py').after;
      assert.ok(
        main.includes(lines('from streaming.response import EventStreamResponse, streaming_response', 'from streaming.tokens import stream_tokens')),
        main,
      );
      assert.equal(main.includes('from streaming import'), false);
    });

    it('keeps an edited single module and imports from it when it has what the route needs, saying how to migrate', async () => {
      const files = await fixture('generated-edited');
      const plan = planned(await planAddEndpoint(files));
      assert.deepEqual(
        plan.changes.map((c) => c.path),
        ['main.py'],
      );
      assert.match(plan.notes[0]!, /streaming\.py \(generated by an earlier version\) is left as it is, because it was edited since it was generated/);
      assert.match(plan.notes[0]!, /delete or rename streaming\.py and run Add Streaming Endpoint again, or restore its generated code/);
      const main = change(plan, 'main.py').after;
      assert.ok(main.includes('from streaming import EventStreamResponse, stream_tokens, streaming_response\n'));
      const lost = (await legacy('streaming.py')).replace('def stream_tokens(', 'def my_stream_tokens(');
      const message = refused(await planAddEndpoint(workspace({ 'main.py': APP, 'streaming.py': lost })), 'module-conflict');
      assert.match(message, /streaming\.py does not define stream_tokens/);
      assert.match(message, /delete or rename streaming\.py/);
    });
  });

  describe("imports in the file's style", () => {
    it('says pydantic.BaseModel in a file that imports the pydantic module, and adds no import for it', async () => {
      const app = lines('import pydantic', 'from fastapi import FastAPI', '', 'app = FastAPI()');
      const main = change(planned(await planAddEndpoint(workspace({ 'main.py': app }), { method: 'POST' })), 'main.py').after;
      assert.match(main, /^class StreamRequest\(pydantic\.BaseModel\):$/m);
      assert.equal(main.includes('from pydantic import'), false, main);
    });
  });

  describe('refusals', () => {
    it('refuses an invalid route path', async () => {
      assert.match(refused(await planAddEndpoint(workspace({ 'main.py': APP }), { route: 'stream' }), 'invalid-route'), /starts with "\/"/);
      assert.match(refused(await planAddEndpoint(workspace({ 'main.py': APP }), { route: '/a b' }), 'invalid-route'), /not a valid path segment/);
    });

    it('refuses a path another route already serves, whatever its method', async () => {
      assert.match(
        refused(await planAddEndpoint(workspace({ 'main.py': APP }), { route: '/' }), 'route-taken'),
        /already taken by GET \/ in main\.py:6 \(index\)/,
      );
      const post = APP.replace('@app.get("/")', '@app.post("/stream")');
      assert.match(refused(await planAddEndpoint(workspace({ 'main.py': post })), 'route-taken'), /POST \/stream/);
    });

    it('sees routes of included routers, with their prefixes, across files', async () => {
      const files = await fixture('bigger-app');
      assert.match(refused(await planAddEndpoint(files, { route: '/items/{item_id}' }), 'route-taken'), /app\/routers\/items\.py:\d+ \(read_item\)/);
      assert.match(refused(await planAddEndpoint(files, { route: '/admin/' }), 'route-taken'), /POST \/admin\/ in app\/internal\/admin\.py/);
      assert.match(refused(await planAddEndpoint(files, { route: '/users/me' }), 'route-taken'), /read_user_me/);
      // The same clash, seen from the router: /items + /{item_id}.
      assert.match(
        refused(await planAddEndpoint(files, { target: { file: 'app/routers/items.py', id: 'router' }, route: '/{item_id}' }), 'route-taken'),
        /read_item/,
      );
    });

    it('refuses when there is no FastAPI app, or several', async () => {
      assert.match(refused(await planAddEndpoint(workspace({ 'main.py': 'print("hi")\n' })), 'no-app'), /No FastAPI app found/);
      assert.match(refused(await planAddEndpoint(workspace({ 'a.py': APP, 'b.py': APP })), 'ambiguous-target'), /a\.py:app, b\.py:app/);
      assert.match(
        refused(await planAddEndpoint(workspace({ 'main.py': APP }), { target: { file: 'main.py', id: 'api' } }), 'unknown-target'),
        /no FastAPI app or APIRouter named api; it has app/,
      );
      assert.match(
        refused(await planAddEndpoint(workspace({ 'main.py': APP }), { target: { file: 'other.py' } }), 'unknown-target'),
        /not a Python file of this workspace/,
      );
    });

    it('refuses a target with syntax errors, saying where', async () => {
      const broken = APP + lines('', 'def oops(:', '    pass');
      assert.match(refused(await planAddEndpoint(workspace({ 'main.py': broken })), 'syntax-error'), /main\.py has a syntax error at line 10/);
    });

    it('refuses layouts it cannot write into: a module no import reaches, a factory without "return app"', async () => {
      const packaged = workspace({ 'app/__init__.py': '', 'app/main.py': APP, 'tools/x.py': '' });
      assert.match(
        refused(await planAddEndpoint(packaged, { moduleLocation: 'tools' }), 'unsupported-layout'),
        /app\/main\.py cannot import the streaming package at tools\/streaming\.py/,
      );
      const factory = workspace({ 'main.py': lines('from fastapi import FastAPI', '', 'def create_app() -> FastAPI:', '    return FastAPI()') });
      assert.match(
        refused(await planAddEndpoint(factory), 'unsupported-layout'),
        /create_app\(\) in main\.py returns an app without assigning it to a variable/,
      );
      const early = workspace({
        'main.py': lines(
          'from fastapi import FastAPI',
          '',
          'def create_app() -> FastAPI:',
          '    app = FastAPI()',
          '    if app.debug:',
          '        return app',
          '    return configure(app)',
        ),
      });
      assert.match(refused(await planAddEndpoint(early), 'unsupported-layout'), /does not end with "return app"/);
    });

    it('refuses to shadow a name the module already uses', async () => {
      const files = workspace({ 'main.py': APP + lines('', '', 'def stream_tokens() -> None: ...') });
      assert.match(refused(await planAddEndpoint(files), 'name-conflict'), /already uses the name stream_tokens \(now a local definition\)/);
    });
  });

  it('plans text that parses back into an SSE route, on every fixture', async () => {
    for (const name of [
      'single-file',
      'bigger-app',
      'src-factory',
      'uvicorn-main',
      'multiline-imports',
      'crlf',
      'tabs',
      'generated-untouched',
      'generated-edited',
    ]) {
      const files = await fixture(name);
      const plan = planned(await planAddEndpoint(files));
      const target = change(plan, plan.endpoint.file);
      const analysis = await analyzePythonModule(target.after);
      try {
        assert.deepEqual(analysis.syntaxErrors, [], name);
        assert.ok(
          analysis.routes.some((r) => r.path === '/stream' && r.streamsSse),
          name,
        );
      } finally {
        analysis.dispose();
      }
    }
  });
});

describe('one streaming package per project', () => {
  it('a route added in another package reuses the generated streaming/ package instead of writing a second copy', async () => {
    const files = workspace({
      'app/__init__.py': '',
      'app/main.py': APP,
      'admin/__init__.py': '',
      'admin/api.py': lines('from fastapi import APIRouter', '', 'router = APIRouter(prefix="/admin")'),
    });
    const first = applied(files, planned(await planAddEndpoint(files, { target: { file: 'app/main.py', id: 'app' } })));
    assert.ok(first.has('app/streaming/__init__.py'));
    const second = planned(await planAddEndpoint(first, { target: { file: 'admin/api.py', id: 'router' }, route: '/events' }));
    assert.deepEqual(
      second.changes.map((c) => c.path).filter((p) => p.includes('streaming')),
      [],
      'no second streaming package',
    );
    assert.match(change(second, 'admin/api.py').after ?? '', /^from app\.streaming\.\w+ import /m);
    const both = applied(first, second);
    assert.deepEqual(
      [...both.keys()].filter((p) => p.endsWith('streaming/__init__.py')),
      ['app/streaming/__init__.py'],
    );
  });
});
