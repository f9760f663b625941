import assert from 'node:assert/strict';
import path from 'node:path';
import { withGeneratedHeader } from '../../src/core/codegen/python/generatedHeader';
import { renderStreamingModule } from '../../src/core/codegen/python/templates/streaming.py';
import { planAddEndpoint, type AddEndpointPlan, type AddEndpointRequest } from '../../src/core/plan/addEndpoint';
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
    const text = applyTextEdits(c.before ?? '', c.edits);
    assert.equal(text, c.after, `the edits of ${c.path} do not produce its new text`);
    next.set(c.path, text);
  }
  return next;
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
          ['streaming.py', 'create'],
          ['main.py', 'modify'],
        ],
      );
      assert.equal(change(plan, 'streaming.py').after, await renderStreamingModule());
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
            'from streaming import EventStreamResponse, stream_tokens, streaming_response',
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
            '    return streaming_response(stream_tokens(demo_tokens(prompt)))',
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
      assert.deepEqual(
        second.changes.map((c) => c.path),
        ['main.py'],
      );
      assert.deepEqual(second.notes, ['streaming.py is already up to date.']);
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
            'async def chat(body: ChatRequest) -> EventStreamResponse:',
          ),
        ),
        main,
      );
      assert.ok(main.includes('    return streaming_response(stream_tokens(demo_tokens(body.prompt)))\n'));
    });
  });

  describe('where the code goes', () => {
    it('puts new code above the __main__ block and the comments that introduce it', async () => {
      const files = await fixture('uvicorn-main');
      const main = change(planned(await planAddEndpoint(files)), 'main.py').after;
      assert.ok(
        main.endsWith(
          lines(
            '    return streaming_response(stream_tokens(demo_tokens(prompt)))',
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
      assert.equal(change(plan, 'src/shop/streaming.py').kind, 'create');
      const app = change(plan, 'src/shop/app.py').after;
      // The file imports its own package by absolute name, so the new import does too.
      assert.ok(
        app.includes(lines('from shop.api import health', 'from shop.streaming import EventStreamResponse, stream_tokens, streaming_response', '', '')),
        app,
      );
      assert.ok(app.indexOf('async def demo_tokens') < app.indexOf('def create_app'));
      assert.ok(app.endsWith(lines('        return streaming_response(stream_tokens(demo_tokens(prompt)))', '', '    return application')), app);
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
        main.includes(lines('    return streaming_response(stream_tokens(demo_tokens(prompt)))', '', '', 'app.include_router(router, prefix="/v1")')),
        main,
      );
      assert.ok(main.includes('    GET /v1/chat/stream?prompt=... gets an ``event: token``'), main);
    });

    it('writes relative imports inside a package, up to its top, and finds the router through the app', async () => {
      const files = await fixture('bigger-app');
      const plan = planned(await planAddEndpoint(files, { target: { file: 'app/routers/items.py', id: 'router' } }));
      assert.equal(plan.endpoint.url, '/items/stream');
      assert.deepEqual(plan.endpoint.serve, { appDir: '', app: 'app.main:app', factory: false });
      assert.equal(change(plan, 'app/streaming.py').kind, 'create');
      const items = change(plan, 'app/routers/items.py').after;
      assert.ok(
        items.includes(lines('from ..dependencies import get_token_header', 'from ..streaming import EventStreamResponse, stream_tokens, streaming_response')),
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
      assert.ok(tabs.includes('\n\treturn streaming_response(stream_tokens(demo_tokens(prompt)))\n'), tabs);
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
          lines('    Query,  # validated query parameters', ')', '', 'from streaming import EventStreamResponse, stream_tokens, streaming_response'),
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
      assert.equal(change(plan, 'lib/streaming.py').kind, 'create');
      assert.ok(change(plan, 'main.py').after.includes('from lib.streaming import EventStreamResponse'));
    });
  });

  describe('token sources', () => {
    for (const [provider, adapter, client, variable] of [
      ['anthropic', 'anthropic_text_stream', 'AsyncAnthropic', 'message_stream'],
      ['openai', 'openai_text_stream', 'AsyncOpenAI', 'chunks'],
      ['groq', 'openai_text_stream', 'AsyncGroq', 'chunks'],
    ] as const) {
      it(`streams from the ${provider} SDK through the module's ${adapter}`, async () => {
        const plan = planned(await planAddEndpoint(workspace({ 'main.py': APP }), { source: { kind: 'sdk', provider } }));
        const main = change(plan, 'main.py').after;
        assert.ok(main.includes(`from ${provider} import ${client}\n`));
        assert.ok(main.includes(`import functools\n`));
        assert.ok(
          main.includes(lines('from streaming import (', '    EventStreamResponse,', `    ${adapter},`, '    stream_tokens,', '    streaming_response,', ')')),
          main,
        );
        assert.ok(main.includes(`@functools.cache\ndef ${provider}_client() -> ${client}:\n`));
        assert.ok(main.includes(`    return streaming_response(stream_tokens(${adapter}(${variable})))\n`));
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
      assert.ok(main.includes('    return streaming_response(stream_tokens(my_tokens(prompt)))\n'));
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
      assert.ok(main.includes('    return streaming_response(stream_tokens(canned()))\n'));
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

  describe('the streaming module', () => {
    const requestFor = (): AddEndpointRequest => ({});

    it('leaves an identical module alone', async () => {
      const plan = planned(await planAddEndpoint(workspace({ 'main.py': APP, 'streaming.py': await renderStreamingModule() }), requestFor()));
      assert.deepEqual(
        plan.changes.map((c) => c.path),
        ['main.py'],
      );
      assert.deepEqual(plan.notes, ['streaming.py is already up to date.']);
    });

    it('updates an older version nobody edited, keeping its ping interval', async () => {
      const files = await fixture('generated-untouched');
      const plan = planned(await planAddEndpoint(files, requestFor()));
      const module = change(plan, 'streaming.py');
      assert.equal(module.kind, 'update');
      assert.equal(module.after, await renderStreamingModule());
      assert.match(module.description, /generated by Catalyst Streaming 0\.0\.9, never edited/);
      const tuned = (await renderStreamingModule({ pingInterval: 30 })).split('\n').slice(4).join('\n').replace('"anthropic_text_stream",', '');
      const older = await withGeneratedHeader(tuned, { generator: 'Catalyst Streaming', version: '0.0.1' });
      const update = change(planned(await planAddEndpoint(workspace({ 'main.py': APP, 'streaming.py': older }))), 'streaming.py');
      assert.equal(update.after, await renderStreamingModule({ pingInterval: 30 }));
    });

    it('never writes a module its owner edited, and uses it when it has what the route needs', async () => {
      const files = await fixture('generated-edited');
      const plan = planned(await planAddEndpoint(files, requestFor()));
      assert.deepEqual(
        plan.changes.map((c) => c.path),
        ['main.py'],
      );
      assert.match(plan.notes[0]!, /streaming\.py was edited since it was generated, so it is left as it is/);
      const main = change(plan, 'main.py').after;
      assert.ok(main.includes('from streaming import EventStreamResponse, stream_tokens, streaming_response\n'));
    });

    it('refuses when an edited module lost a name the route imports', async () => {
      const edited = (await renderStreamingModule()).replace('def stream_tokens(', 'def my_stream_tokens(');
      const message = refused(await planAddEndpoint(workspace({ 'main.py': APP, 'streaming.py': edited })), 'module-conflict');
      assert.match(message, /no longer defines stream_tokens/);
    });

    it('leaves a streaming.py it did not generate alone: another name by default, a refusal when --module names it', async () => {
      const files = workspace({ 'main.py': APP, 'streaming.py': 'def mine() -> None: ...\n' });
      const plan = planned(await planAddEndpoint(files));
      assert.deepEqual(plan.changes.map((c) => c.path).sort(), ['main.py', 'sse_streaming.py']);
      assert.match(plan.notes[0]!, /The streaming module is sse_streaming\.py, not streaming\.py: that name would clash with streaming\.py, a module of yours/);
      assert.ok(change(plan, 'main.py').after.includes('from sse_streaming import EventStreamResponse, stream_tokens, streaming_response\n'));
      const message = refused(await planAddEndpoint(files, { moduleLocation: 'streaming.py' }), 'module-conflict');
      assert.match(message, /was not generated by Catalyst Streaming/);
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
        /app\/main\.py cannot import a module at tools\/streaming\.py/,
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
