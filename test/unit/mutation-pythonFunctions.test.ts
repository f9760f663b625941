/**
 * readFunction (src/core/python/functions.ts) on every kind of parameter, and routeProtocol (routeProtocol.ts) on
 * routes that call the generated encoders by name, by attribute, in either order, or not at all. Each test names
 * the Stryker mutants it kills (`npm run test:mutation -- python --mutate src/core/python/functions.ts`).
 */
import assert from 'node:assert/strict';
import { analyzePythonModule } from '../../src/core/python/analysis';
import { routeProtocol } from '../../src/core/python/routeProtocol';
import { scopeBindings } from '../../src/core/python/scopeBindings';

const lines = (...all: string[]) => all.map((l) => `${l}\n`).join('');

describe('readFunction parameters (mutation-tested)', () => {
  // Kills: the 'identifier', 'default_parameter', typed splat ('list_splat_pattern', 'dictionary_splat_pattern',
  // `||` -> `&&`, -> false) and bare splat cases (labels -> '', their objects -> {}), `inner?.text` and the
  // decorated span (`parent?.type === 'decorated_definition'` -> false).
  it('reads plain, typed, default, splat and typed splat parameters; the span starts at the decorator', async () => {
    const analysis = await analyzePythonModule(
      lines(
        'def plain(a, b: int, c=1, d: str = "x", *args, e, **kw) -> None:',
        '    pass',
        '',
        'def typed(*args: int, **kwargs: str):',
        '    pass',
        '',
        '@decorator',
        'async def gen(*, k):',
        '    yield k',
      ),
    );
    try {
      const [plain, typed, gen] = analysis.functions;
      assert.deepEqual(plain?.parameters, [
        { name: 'a', variadic: false },
        { name: 'b', annotation: 'int', variadic: false },
        { name: 'c', defaultValue: '1', variadic: false },
        { name: 'd', annotation: 'str', defaultValue: '"x"', variadic: false },
        { name: 'args', variadic: true },
        { name: 'e', variadic: false },
        { name: 'kw', variadic: true },
      ]);
      assert.equal(plain?.returnAnnotation, 'None');
      assert.deepEqual(typed?.parameters, [
        { name: 'args', annotation: 'int', variadic: true },
        { name: 'kwargs', annotation: 'str', variadic: true },
      ]);
      assert.equal(typed && 'returnAnnotation' in typed, false);
      assert.deepEqual(gen?.parameters, [{ name: 'k', variadic: false }]);
      assert.equal(gen?.isAsync, true);
      assert.equal(gen?.isGenerator, true);
      assert.equal(plain?.isGenerator, false);
      assert.equal(gen?.span.startPoint.row, 6, 'from the decorator');
      assert.equal(plain?.span.startPoint.row, 0);
    } finally {
      analysis.dispose();
    }
  });
});

describe('routeProtocol (mutation-tested)', () => {
  // Kills: `protocol !== 'sse'` (-> true / `===` / '' / the return emptied: stream_tokens first must not win),
  // `found ??=` -> `&&=`, `protocol ?? null` -> `&&`, the identifier / attribute callee checks, `name === undefined`
  // -> false (a call of a call), `found ?? (streamsSse ...)` -> `&&`, and `route.handler?.node` (a handler defined
  // in another module).
  it('an AI SDK or OpenAI encoder decides; stream_tokens alone is ours; no encoder: the response decides', async () => {
    const analysis = await analyzePythonModule(
      lines(
        'from fastapi import FastAPI',
        'from fastapi.responses import StreamingResponse',
        'import streaming',
        'app = FastAPI()',
        '',
        '@app.get("/ai")',
        'async def ai():',
        '    helper()()',
        '    streaming.stream_tokens(x)',
        '    return streaming.ui_message_stream_response(x)',
        '',
        '@app.get("/openai")',
        'async def openai():',
        '    stream_tokens(x)',
        '    return openai_chat_completion(x)',
        '',
        '@app.get("/ours")',
        'async def ours():',
        '    other(x)',
        '    return stream_tokens(x)',
        '',
        '@app.get("/plain")',
        'async def plain():',
        '    return StreamingResponse(gen(), media_type="text/event-stream")',
        '',
        '@app.get("/json")',
        'async def json():',
        '    return {"a": 1}',
        '',
        'app.add_api_route("/elsewhere", imported_handler)',
      ),
    );
    try {
      assert.deepEqual(
        analysis.routes.map((route) => [route.path, routeProtocol(route)]),
        [
          ['/ai', 'ai-sdk'],
          ['/openai', 'openai'],
          ['/ours', 'sse'],
          ['/plain', 'sse'],
          ['/json', null],
          ['/elsewhere', null],
        ],
      );
    } finally {
      analysis.dispose();
    }
  });
});

describe('scopeBindings (mutation-tested)', () => {
  // Kills: the with_clause branch (-> false, emptied, 'with_clause' -> ''), the as_pattern checks (-> true / false,
  // 'as_pattern' / 'alias' / 'value' -> ''), `if (target)` (-> true / false), chained assignments (`right?.type ===
  // 'assignment'` -> false, the innermost value), and an annotation without a value (`!left`).
  it('binds with-as names, each name of a chained assignment to the innermost value, and annotations', async () => {
    const analysis = await analyzePythonModule(
      lines('with open("f") as f, lock:', '    pass', 'a = b = c = make()', 'x: int = 1', 'y: str', 'def g():', '    z = 2'),
    );
    try {
      assert.deepEqual(
        scopeBindings(analysis.root).map((b) => [b.target.text, b.value?.text ?? null, b.annotation?.text ?? null]),
        [
          ['f', 'open("f")', null],
          ['c', 'make()', null],
          ['b', 'make()', null],
          ['a', 'make()', null],
          ['x', '1', 'int'],
          ['y', null, 'str'],
        ],
      );
    } finally {
      analysis.dispose();
    }
  });
});
