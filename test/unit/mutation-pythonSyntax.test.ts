/**
 * The small tree readers of src/core/python (syntax.ts, imports.ts, scopeBindings.ts, routeProtocol.ts,
 * servedPaths.ts) on the inputs that tell their branches apart: names in strings, comments and longer names,
 * definitions that hide a yield or an import, comments between `with` items. Each test names the Stryker mutants
 * it kills (`npm run test:mutation -- python --mutate src/core/python/syntax.ts`).
 */
import assert from 'node:assert/strict';
import { analyzePythonModule, type ModuleAnalysis } from '../../src/core/python/analysis';
import type { SyntaxNode } from '../../src/core/python/parser';
import { routeIsResumable, routeProtocol } from '../../src/core/python/routeProtocol';
import { scopeBindings } from '../../src/core/python/scopeBindings';
import { needsWorkspaceForPaths, servedRoutePaths } from '../../src/core/python/servedPaths';
import {
  children,
  containsYield,
  dottedText,
  keywordArgument,
  methodCallsNamed,
  positionalArguments,
  requiredField,
  stringValue,
} from '../../src/core/python/syntax';

const lines = (...all: string[]) => all.map((l) => `${l}\n`).join('');

async function withModule<T>(source: string, body: (analysis: ModuleAnalysis) => T | Promise<T>): Promise<T> {
  const analysis = await analyzePythonModule(source);
  try {
    return await body(analysis);
  } finally {
    analysis.dispose();
  }
}

/** The expression of the module's first statement (an expression statement). */
const firstExpression = (analysis: ModuleAnalysis): SyntaxNode => children(children(analysis.root)[0])[0]!;

describe('python syntax readers (mutation-tested)', () => {
  // Kills: requiredField's `if (!child)` -> false (it would return null for a field the node lacks).
  it('requiredField names the node and the field a node lacks', async () => {
    await withModule('f(x)\n', (analysis) => {
      const call = firstExpression(analysis);
      assert.equal(requiredField(call, 'function').text, 'f');
      assert.throws(() => requiredField(call, 'object'), /call without its required field 'object'/);
    });
  });

  // Kills: methodCallsNamed's `at >= 0` -> `at > 0` (a name at offset 0 ends the search) and each condition of
  // its filter -> true (`identifier?.type === 'identifier'`, the start and end offsets, the attribute's field,
  // `call?.type === 'call'`, the call's function field) and its `&&` -> `||`.
  it('methodCallsNamed finds x.send(...) only: not in strings, comments, longer names, bare calls or references', async () => {
    const source = lines(
      'send = 1',
      'x.send(1)',
      '"x.send(2)"',
      '# x.send(3)',
      'x.resend(4)',
      'x.sender(5)',
      'send(6)',
      'f(x.send)',
      'send.x(7)',
      'x.send',
      'y.send(8).z.send(9)',
    );
    await withModule(source, (analysis) => {
      const found = methodCallsNamed(analysis.root, ['send', 'send']);
      assert.deepEqual(
        found.map((f) => [f.call.text, f.methodName.startIndex]),
        [
          ['x.send(1)', source.indexOf('send(1)')],
          ['y.send(8)', source.indexOf('send(8)')],
          ['y.send(8).z.send(9)', source.indexOf('send(9)')],
        ],
      );
    });
  });

  // Kills: containsYield's `NEW_SCOPES.has(n.type)` -> false and its walk's end (`n.id !== node.id` -> true).
  it('containsYield counts a yield in the body, not in a nested function, lambda or class', async () => {
    const source = lines(
      'def nested():',
      '    def inner():',
      '        yield 1',
      '    f = lambda: (yield)',
      '    class C:',
      '        x = (yield)',
      '    return inner',
      '',
      'def direct():',
      '    if True:',
      '        yield 1',
    );
    await withModule(source, (analysis) => {
      const bodies = analysis.functions.filter((fn) => fn.name === 'nested' || fn.name === 'direct').map((fn) => requiredField(fn.node, 'body'));
      assert.deepEqual(
        bodies.map((body) => containsYield(body)),
        [false, true],
      );
    });
  });

  // Kills: stringValue's `parts.every` -> `some` and -> true (one computed part makes the whole computed), the
  // escape check (-> false) and the interpolation branch. An f-string's `{{` was read as two braces before (the
  // escape check looked for escape_sequence only; `namedChildCount > 0` -> true survived).
  it('stringValue reads plain and concatenated strings, and refuses f-string fields, escapes, {{ and bytes', async () => {
    const source = lines('"a" \'b\'', '"a" f"{b}"', 'f"{x}"', '"a\\n"', 'b"x"', 'f"plain"', 'x', 'f"/{{id}}"');
    await withModule(source, (analysis) => {
      const values = children(analysis.root).map((statement) => stringValue(children(statement)[0]));
      assert.deepEqual(values, ['ab', undefined, undefined, undefined, undefined, 'plain', undefined, undefined]);
      assert.equal(stringValue(null), undefined);
    });
  });

  // Kills: dottedText's `node.type === 'identifier'` -> true (a call's or a spaced attribute's text would come
  // back as written) and `object === undefined` -> false.
  it('dottedText joins identifiers and attributes only', async () => {
    await withModule(lines('a . b .c', 'f()', 'f().b', 'a'), (analysis) => {
      const values = children(analysis.root).map((statement) => dottedText(children(statement)[0]));
      assert.deepEqual(values, ['a.b.c', undefined, undefined, 'a']);
    });
  });

  // Kills: keywordArgument's `arg.type === 'keyword_argument'` -> true and the name comparison, and the
  // positional filter's removed kinds (list and dictionary splats, comments -> '').
  it('keywordArgument and positionalArguments tell arguments apart; a non-call has neither', async () => {
    const source = lines('f(', '    a,', '    # note', '    *rest,', '    **more,', '    b,', '    key=1,', '    other=2,', ')');
    await withModule(source, (analysis) => {
      const call = firstExpression(analysis);
      assert.deepEqual(
        positionalArguments(call).map((arg) => arg.text),
        ['a', 'b'],
      );
      assert.equal(keywordArgument(call, 'other')?.text, '2');
      assert.equal(keywordArgument(call, 'a'), undefined);
      assert.equal(keywordArgument(call, 'missing'), undefined);
      const name = requiredField(call, 'function');
      assert.equal(keywordArgument(name, 'key'), undefined);
      assert.deepEqual(positionalArguments(name), []);
    });
  });
});

describe('readImports and scopeBindings (mutation-tested)', () => {
  // Kills: readImports' skipped definitions (the list -> [], each name -> '', the condition -> true, `&&` -> `||`):
  // an import inside a function, a class or a decorated function binds nothing at module scope.
  it('imports inside definitions are not module imports; nested in try/if they are, not top-level', async () => {
    const source = lines(
      'import os',
      'def f():',
      '    import json',
      'class C:',
      '    import re',
      '@decorator',
      'def g():',
      '    import sys',
      'try:',
      '    import fastapi as fa',
      'except ImportError:',
      '    pass',
    );
    await withModule(source, (analysis) => {
      assert.deepEqual(
        analysis.imports.map((statement) => [statement.names.map((n) => n.local).join(','), statement.topLevel]),
        [
          ['os', true],
          ['fa', false],
        ],
      );
    });
  });

  // Kills: scopeBindings' with_item filter (a comment between parenthesized `with` items) and the as_pattern
  // check (`pattern.type === 'as_pattern'` -> true: `with lock:` binds nothing).
  it('with-statement targets, with a comment between the items and an item without `as`', async () => {
    const source = lines('with (', '    open("a") as first,  # the first', '    lock,', '    open("b") as second,', '):', '    pass');
    await withModule(source, (analysis) => {
      const bindings = scopeBindings(analysis.root);
      assert.deepEqual(
        bindings.map((b) => [b.target.text, b.value?.text, b.annotation]),
        [
          ['first', 'open("a")', null],
          ['second', 'open("b")', null],
        ],
      );
    });
  });
});

describe('routeIsResumable, needsWorkspaceForPaths and served paths (mutation-tested)', () => {
  // Kills: every mutant of routeIsResumable (it had no unit test): `includes` -> true/false, the name -> '',
  // the callee kinds (attribute, identifier -> true/false) and a handler defined elsewhere.
  it('routeIsResumable: resumable_response called by name or attribute; a name that is only mentioned does not count', async () => {
    const source = lines(
      'from fastapi import FastAPI',
      'from . import streaming',
      'from .other import imported_handler',
      'app = FastAPI()',
      '',
      '@app.get("/a")',
      'async def a():',
      '    return resumable_response(events())',
      '',
      '@app.get("/b")',
      'async def b():',
      '    return streaming.resumable_response(events())',
      '',
      '@app.get("/c")',
      'async def c():',
      '    handlers[0]()',
      '    f = resumable_response',
      '    return other.response(events(), "resumable_response")',
      '',
      'app.add_api_route("/d", imported_handler)',
      '',
      '@app.get("/e")',
      'async def e():',
      '    return StreamingResponse(x.constructor(), media_type="text/plain")',
    );
    await withModule(source, (analysis) => {
      assert.deepEqual(
        analysis.routes.map((route) => [route.path, route.handler !== undefined, routeIsResumable(route), routeProtocol(route)]),
        [
          ['/a', true, true, 'sse'],
          ['/b', true, true, 'sse'],
          ['/c', true, false, null],
          ['/d', false, false, null],
          // A method named like an Object.prototype member is no encoder (it was the prototype's function).
          ['/e', true, false, null],
        ],
      );
    });
  });

  // Kills: needsWorkspaceForPaths' `some` -> `every` and its condition -> true.
  it('needsWorkspaceForPaths: a router route among app routes needs the workspace; app routes alone do not', async () => {
    const source = lines(
      'from fastapi import APIRouter, FastAPI',
      'app = FastAPI()',
      'router = APIRouter()',
      '@app.get("/a")',
      'async def a(): ...',
      '@router.get("/r")',
      'async def r(): ...',
    );
    await withModule(source, (analysis) => {
      const appRoutes = analysis.routes.filter((route) => route.ownerKind === 'app');
      assert.equal(needsWorkspaceForPaths(analysis.routes), true);
      assert.equal(needsWorkspaceForPaths(appRoutes), false);
    });
  });

  // A project without __init__.py files (namespace packages) run from its parent folder. (The workspace options
  // -> {} mutant passes it when applied by hand: moduleFile's namespace fallback finds the same modules.)
  it('a router included from a namespace package (no __init__.py) gets the prefix it is included with', async () => {
    const files = new Map(
      Object.entries({
        'app/main.py': lines(
          'from fastapi import FastAPI',
          'from app.routers import chat',
          'app = FastAPI()',
          'app.include_router(chat.router, prefix="/api")',
        ),
        'app/routers/chat.py': lines(
          'from fastapi import APIRouter',
          'router = APIRouter(prefix="/chat")',
          '@router.get("/stream")',
          'async def stream() -> None: ...',
        ),
      }),
    );
    await withModule(files.get('app/routers/chat.py')!, async (analysis) => {
      assert.deepEqual(await servedRoutePaths(files, 'app/routers/chat.py', analysis.routes), ['/api/chat/stream']);
    });
  });
});
