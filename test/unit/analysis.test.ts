import assert from 'node:assert/strict';
import { analyzePythonModule, type ModuleAnalysis } from '../../src/core/python/analysis';

async function analyze(source: string): Promise<ModuleAnalysis> {
  return analyzePythonModule(source);
}

function routeSummary(analysis: ModuleAnalysis) {
  return analysis.routes.map((r) => ({ owner: r.owner, methods: r.methods.join(','), path: r.fullPath, handler: r.handler?.name, sse: r.streamsSse }));
}

describe('analyzePythonModule', () => {
  describe('FastAPI apps', () => {
    it('finds a plain app and its routes', async () => {
      const a = await analyze(
        `from fastapi import FastAPI\n\napp = FastAPI(title="x")\n\n\n@app.get("/items/{item_id}")\nasync def read_item(item_id: int, q: str | None = None) -> dict[str, int]:\n    return {"id": item_id}\n`,
      );
      assert.deepEqual(
        a.apps.map((x) => [x.id, x.kind, x.variable]),
        [['app', 'instance', 'app']],
      );
      assert.deepEqual(routeSummary(a), [{ owner: 'app', methods: 'GET', path: '/items/{item_id}', handler: 'read_item', sse: false }]);
      const handler = a.routes[0]!.handler!;
      assert.equal(handler.isAsync, true);
      assert.equal(handler.returnAnnotation, 'dict[str, int]');
      assert.deepEqual(handler.parameters, [
        { name: 'item_id', annotation: 'int', variadic: false },
        { name: 'q', annotation: 'str | None', defaultValue: 'None', variadic: false },
      ]);
      assert.equal(a.routes[0]!.decorator.text, '@app.get("/items/{item_id}")');
      assert.deepEqual(a.routes[0]!.span.startPoint, { row: 5, column: 0 });
      a.dispose();
    });

    it('recognises annotated apps and aliased imports, and ignores look-alikes', async () => {
      const a = await analyze(
        [
          'import fastapi',
          'import fastapi as fa',
          'from fastapi import FastAPI as F',
          'from mylib import FastAPI',
          'one: fastapi.FastAPI = fastapi.FastAPI()',
          'two = fa.FastAPI()',
          'three = F()',
          'not_an_app = FastAPI()',
          'four: F = build()',
          '',
        ].join('\n'),
      );
      assert.deepEqual(
        a.apps.map((x) => x.id),
        ['one', 'two', 'three', 'four'],
      );
      a.dispose();
    });

    it('finds app factories, their local app and the return statement', async () => {
      const a = await analyze(
        `from fastapi import FastAPI\n\n\ndef create_app() -> FastAPI:\n    application = FastAPI()\n\n    @application.post("/echo")\n    async def echo() -> str:\n        return "x"\n\n    return application\n\n\ndef make():\n    api = FastAPI()\n    return api\n\n\napp = create_app()\n`,
      );
      assert.deepEqual(
        a.apps.map((x) => [x.id, x.kind, x.variable, x.createdBy]),
        [
          ['create_app', 'factory', 'application', undefined],
          ['make', 'factory', 'api', undefined],
          ['app', 'instance', 'app', 'create_app'],
        ],
      );
      assert.equal(a.apps[0]!.returnStatement?.node.text, 'return application');
      assert.deepEqual(routeSummary(a), [{ owner: 'create_app', methods: 'POST', path: '/echo', handler: 'echo', sse: false }]);
      a.dispose();
    });
  });

  describe('routers', () => {
    it('reads the prefix, prefixes route paths and finds inclusions', async () => {
      const a = await analyze(
        [
          'from fastapi import APIRouter, FastAPI',
          'from .routers import items',
          'router = APIRouter(prefix="/users", tags=["users"])',
          'plain = APIRouter()',
          '@router.get("/")',
          'async def list_users() -> list[str]:',
          '    return []',
          '@plain.api_route("/both", methods=["GET", "POST"])',
          'def both() -> None: ...',
          'app = FastAPI()',
          'app.include_router(router)',
          'app.include_router(items.router, prefix="/v1")',
          '',
        ].join('\n'),
      );
      assert.deepEqual(
        a.routers.map((r) => [r.id, r.prefix]),
        [
          ['router', '/users'],
          ['plain', ''],
        ],
      );
      assert.deepEqual(routeSummary(a), [
        { owner: 'router', methods: 'GET', path: '/users/', handler: 'list_users', sse: false },
        { owner: 'plain', methods: 'GET,POST', path: '/both', handler: 'both', sse: false },
      ]);
      assert.deepEqual(
        a.inclusions.map((i) => [i.owner, i.router, i.routerQualifiedName, i.prefix]),
        [
          ['app', 'router', undefined, ''],
          ['app', 'items.router', '.routers.items.router', '/v1'],
        ],
      );
      a.dispose();
    });
  });

  describe('other ways to register routes', () => {
    it('reads api_route without methods, websocket routes and add_api_route calls', async () => {
      const a = await analyze(
        [
          'from fastapi import FastAPI, WebSocket',
          'app = FastAPI()',
          '@app.api_route("/any")',
          'async def any_method() -> None: ...',
          '@app.websocket("/ws")',
          'async def socket(ws: WebSocket) -> None: ...',
          'async def health() -> str:',
          '    return "ok"',
          'app.add_api_route("/health", health, methods=["HEAD", "GET"])',
          'app.add_api_route(path="/computed", endpoint=lambda: 1)',
          '@app.get(PATH)',
          'async def not_literal() -> None: ...',
          '',
        ].join('\n'),
      );
      assert.deepEqual(routeSummary(a), [
        { owner: 'app', methods: 'GET', path: '/any', handler: 'any_method', sse: false },
        { owner: 'app', methods: 'WEBSOCKET', path: '/ws', handler: 'socket', sse: false },
        { owner: 'app', methods: 'HEAD,GET', path: '/health', handler: 'health', sse: false },
        { owner: 'app', methods: 'GET', path: '/computed', handler: undefined, sse: false },
      ]);
      a.dispose();
    });
  });

  describe('imports', () => {
    it('reads single, aliased, parenthesised, relative, wildcard and __future__ imports', async () => {
      const a = await analyze(
        [
          '"""Doc."""',
          'from __future__ import annotations',
          'import os, sys as system',
          'from fastapi import (',
          '    Depends,',
          '    FastAPI as F,',
          ')',
          'from . import deps',
          'from ..core.streaming import stream_tokens',
          'from x import *',
          'try:',
          '    import orjson',
          'except ImportError:',
          '    orjson = None',
          '',
        ].join('\n'),
      );
      const shapes = a.imports.map((s) => ({
        kind: s.kind,
        module: s.module,
        names: s.names.map((n) => (n.alias ? `${n.name} as ${n.alias}` : n.name)),
        p: s.parenthesized,
        m: s.multiline,
        top: s.topLevel,
        w: s.wildcard,
      }));
      assert.deepEqual(shapes, [
        { kind: 'future', module: '__future__', names: ['annotations'], p: false, m: false, top: true, w: false },
        { kind: 'import', module: '', names: ['os', 'sys as system'], p: false, m: false, top: true, w: false },
        { kind: 'from', module: 'fastapi', names: ['Depends', 'FastAPI as F'], p: true, m: true, top: true, w: false },
        { kind: 'from', module: '.', names: ['deps'], p: false, m: false, top: true, w: false },
        { kind: 'from', module: '..core.streaming', names: ['stream_tokens'], p: false, m: false, top: true, w: false },
        { kind: 'from', module: 'x', names: [], p: false, m: false, top: true, w: true },
        { kind: 'import', module: '', names: ['orjson'], p: false, m: false, top: false, w: false },
      ]);
      assert.equal(a.bindings.get('F'), 'fastapi.FastAPI');
      assert.equal(a.bindings.get('system'), 'sys');
      assert.equal(a.bindings.get('deps'), '.deps');
      assert.equal(a.bindings.get('stream_tokens'), '..core.streaming.stream_tokens');
      a.dispose();
    });
  });

  describe('SSE routes', () => {
    it('tells event-stream handlers from the rest', async () => {
      const a = await analyze(
        [
          'from fastapi import FastAPI',
          'from fastapi.responses import StreamingResponse as SR',
          'from starlette.responses import StreamingResponse',
          'from .streaming import stream_tokens, streaming_response',
          'app = FastAPI()',
          '@app.get("/a")',
          'async def a():',
          '    return streaming_response(stream_tokens(gen()))',
          '@app.get("/b")',
          'async def b():',
          '    return SR(gen(), media_type="text/event-stream")',
          '@app.get("/c")',
          'async def c():',
          '    return StreamingResponse(gen(), media_type="text/plain")',
          '@app.get("/d")',
          'async def d():',
          '    return streaming_response(gen(), media_type="application/x-ndjson")',
          '@app.get("/e")',
          'async def e():',
          '    return {"ok": True}',
          '',
        ].join('\n'),
      );
      assert.deepEqual(
        a.routes.map((r) => [r.path, r.streamsSse]),
        [
          ['/a', true],
          ['/b', true],
          ['/c', false],
          ['/d', false],
          ['/e', false],
        ],
      );
      a.dispose();
    });
  });

  describe('module layout', () => {
    it('finds the __main__ block and the comments that belong to it', async () => {
      const source =
        'import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\n\n# Run with: python main.py\nif __name__ == "__main__":\n    uvicorn.run(app)\n';
      const a = await analyze(source);
      assert.equal(a.mainBlock?.node.startPosition.row, 5);
      assert.equal(a.mainBlock?.insertionOffset, source.indexOf('# Run'));
      const reversed = await analyze("if '__main__' == __name__:\n    pass\n");
      assert.ok(reversed.mainBlock);
      const other = await analyze('if __name__ != "__main__":\n    pass\n');
      assert.equal(other.mainBlock, undefined);
      a.dispose();
      reversed.dispose();
      other.dispose();
    });

    it('reports line endings, indentation, syntax errors and top-level names', async () => {
      const crlfTabs = await analyze('import os\r\n\r\nclass A:\r\n\tx = 1\r\n\r\ndef f():\r\n\treturn 1\r\n');
      assert.equal(crlfTabs.lineEnding, '\r\n');
      assert.equal(crlfTabs.indentUnit, '\t');
      assert.deepEqual([...crlfTabs.topLevelNames].sort(), ['A', 'f', 'os']);
      assert.deepEqual(crlfTabs.syntaxErrors, []);
      const twoSpaces = await analyze('if True:\n  if True:\n    pass\n');
      assert.equal(twoSpaces.indentUnit, '  ');
      const broken = await analyze('from fastapi import FastAPI\napp = FastAPI(\ndef f(:\n');
      assert.ok(broken.syntaxErrors.length > 0);
      assert.equal(broken.syntaxErrors[0]!.startPoint.row >= 1, true);
      for (const x of [crlfTabs, twoSpaces, broken]) {
        x.dispose();
      }
    });

    it('reads async generator functions and counts positions in UTF-16 code units', async () => {
      const source =
        's = "é😀"\nasync def tokens(prompt: str, *, n: int = 3) -> AsyncIterator[str]:\n    async def inner():\n        yield 1\n    yield prompt\n\nasync def not_gen():\n    async def inner():\n        yield 1\n    return inner\n';
      const a = await analyze(source);
      const [tokens, notGen] = a.functions;
      assert.deepEqual([tokens?.name, tokens?.isAsync, tokens?.isGenerator], ['tokens', true, true]);
      assert.deepEqual([notGen?.name, notGen?.isGenerator], ['not_gen', false]);
      assert.deepEqual(
        tokens?.parameters.map((p) => p.name),
        ['prompt', 'n'],
      );
      assert.equal(tokens?.span.start, source.indexOf('async def tokens'));
      a.dispose();
    });
  });
});
