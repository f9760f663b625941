/**
 * The endpoint planner's decisions at their edges: which target a named file gives, the refusals and their
 * messages, a route another route or mount would answer first, where code goes in a factory and a router's
 * module, the imports a route adds, and the migration of an untouched 0.1 module. Each test names the Stryker
 * mutants it kills (`npm run test:mutation -- plan`).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { planAddEndpoint, type AddEndpointPlan, type AddEndpointRequest } from '../../src/core/plan/endpoint';
import { renderPackageFiles } from '../../src/core/codegen/python/package';
import { unresolvedUrlNote } from '../../src/core/plan/endpoint/routePlacement';

const lines = (...all: string[]): string => all.map((l) => `${l}\n`).join('');
const plan = (files: Record<string, string>, request: AddEndpointRequest = {}) => planAddEndpoint(new Map(Object.entries(files)), request);

type Planned = Extract<AddEndpointPlan, { status: 'planned' }>;
function planned(result: AddEndpointPlan): Planned {
  assert.equal(result.status, 'planned', result.status === 'refused' ? result.message : result.status);
  return result as Planned;
}
function after(result: AddEndpointPlan, file: string): string {
  const change = planned(result).changes.find((c) => c.path === file);
  assert.ok(change, `no change to ${file}`);
  return change.after;
}
function refusal(result: AddEndpointPlan): { reason: string; message: string } {
  assert.equal(result.status, 'refused', result.status);
  const { reason, message } = result as Extract<AddEndpointPlan, { status: 'refused' }>;
  return { reason, message };
}

/** An app factory whose own catch-all route would answer /stream first; `app` is the app it makes. */
const FACTORY = lines(
  'from fastapi import FastAPI',
  '',
  '',
  'def create_app() -> FastAPI:',
  '    application = FastAPI()',
  '',
  '    @application.get("/{page}")',
  '    def page(page: str) -> str:',
  '        return page',
  '',
  '    return application',
  '',
  '',
  'app = create_app()',
);

describe('resolveTarget edges (mutation-tested)', () => {
  const APP_AND_ROUTER = lines('from fastapi import APIRouter, FastAPI', '', 'app = FastAPI()', 'router = APIRouter()');

  // Kills: the apps-before-routers choice in a named file (its filter removed, forced, or inverted; `apps.length > 0`
  // forced false) and a router's kind emptied (it would count as an app).
  it('a named file with an app and a router: the app', async () => {
    const { endpoint } = planned(await plan({ 'main.py': APP_AND_ROUTER }, { target: { file: 'main.py' } }));
    assert.deepEqual([endpoint.owner, endpoint.ownerKind], ['app', 'app']);
  });

  // Kills: the named file's refusals (none, several: `choices.length` checks removed, reasons and messages emptied).
  it('a named file with several routers, or none: refused, saying which', async () => {
    assert.deepEqual(
      refusal(await plan({ 'r.py': lines('from fastapi import APIRouter', 'a = APIRouter()', 'b = APIRouter()') }, { target: { file: 'r.py' } })),
      {
        reason: 'ambiguous-target',
        message: 'r.py has several: a, b. Choose one with --app r.py:VARIABLE.',
      },
    );
    assert.deepEqual(refusal(await plan({ 'x.py': 'x = 1\n' }, { target: { file: 'x.py' } })), {
      reason: 'no-app',
      message: 'No FastAPI app or APIRouter found in x.py.',
    });
  });

  // Kills: the router lookup for a named variable (`r.id === id` forced), the known names listed (router ids
  // dropped), and `known.length > 0` (forced or `>=`) choosing between the two refusals.
  it('a variable the file does not define: refused, listing what it has', async () => {
    assert.deepEqual(refusal(await plan({ 'main.py': APP_AND_ROUTER }, { target: { file: 'main.py', id: 'nope' } })), {
      reason: 'unknown-target',
      message: 'main.py has no FastAPI app or APIRouter named nope; it has app, router.',
    });
    assert.deepEqual(refusal(await plan({ 'x.py': 'x = 1\n' }, { target: { file: 'x.py', id: 'nope' } })), {
      reason: 'no-app',
      message: 'No FastAPI app or APIRouter found in x.py.',
    });
  });

  // Kills: a factory's kind in the named file (`app.kind === 'factory'` forced or inverted, its strings emptied), the
  // app's `createdBy` dropped, and preferredTargets' filter (factories, `createdBy !== undefined && ...`).
  it('a named file with a factory and the app it makes: the factory', async () => {
    const factory = lines(
      'from fastapi import FastAPI',
      '',
      '',
      'def create_app() -> FastAPI:',
      '    application = FastAPI()',
      '    return application',
      '',
      '',
      'app = create_app()',
    );
    for (const target of [{ target: { file: 'main.py' } }, {}]) {
      const { endpoint } = planned(await plan({ 'main.py': factory }, target));
      assert.deepEqual([endpoint.owner, endpoint.ownerKind], ['create_app', 'factory'], JSON.stringify(target));
    }
  });

  // Kills: nulBytePosition's `index < 0` turned into `<= 0` (a NUL as the first character missed), the reason
  // emptied, and the syntax error's 1-based column (`column + 1`).
  it('refuses a NUL byte at offset 0, and says the 1-based line and column of a syntax error', async () => {
    assert.deepEqual(refusal(await plan({ 'main.py': `\0${APP_AND_ROUTER}` })), {
      reason: 'syntax-error',
      message: 'main.py contains a NUL byte (\\x00) at line 1, column 1: Python refuses to run a file that holds one; remove it first.',
    });
    assert.deepEqual(refusal(await plan({ 'main.py': lines('from fastapi import FastAPI', 'app = FastAPI()', 'def f(:', '    pass') })), {
      reason: 'syntax-error',
      message: 'main.py has a syntax error at line 3, column 7; fix it first, so the endpoint is not added to a file that cannot run.',
    });
  });
});

describe('a route another one would answer first (mutation-tested)', () => {
  const API = lines('from fastapi import APIRouter', '', 'router = APIRouter()');
  const mainWith = (handler: string) =>
    lines(
      'from fastapi import FastAPI',
      'from .api import router',
      '',
      'app = FastAPI()',
      '',
      '',
      '@app.get("/items/{item_id}")',
      `def ${handler}(item_id: str) -> str:`,
      '    return item_id',
      '',
      '',
      'app.include_router(router, prefix="/items")',
    );
  const onRouter = { target: { file: 'app/api.py', id: 'router' } };
  const CAPTURED =
    'GET /items/stream would be answered by GET /items/{item_id} (item) at app/main.py:7 before the new route in app/api.py (FastAPI tries routes in order), ' +
    'so it would never run. Choose another --route, or add it to app with --app app/main.py:app, where it goes above item.';

  // Kills: capturedBy's served test (forced, `||`, the file check forced: a route of the same handler name in
  // another file is not the new one), the request line, the route's description and its alternative
  // (`by.handler ?? 'that route'` as `&&`), and deferReachability's plan with the reason.
  it('an app route in another module: refused with where it is and what to do, or planned with the reason when deferred', async () => {
    const files = { 'app/__init__.py': '', 'app/main.py': mainWith('item'), 'app/api.py': API };
    assert.deepEqual(refusal(await plan(files, onRouter)), { reason: 'route-unreachable', message: CAPTURED });
    assert.equal(planned(await plan(files, { ...onRouter, deferReachability: true })).unreachableBySource, CAPTURED);
    const sameName = refusal(await plan({ ...files, 'app/main.py': mainWith('stream') }, onRouter));
    assert.equal(sameName.reason, 'route-unreachable');
  });

  // Kills: the mount's description and alternative (`by.kind === 'mount'` forced false, its string emptied).
  it('a mount in front: refused, saying to add the route to the app above it', async () => {
    const main = lines(
      'from fastapi import FastAPI',
      'from starlette.staticfiles import StaticFiles',
      'from .api import router',
      '',
      'app = FastAPI()',
      'app.mount("/items", StaticFiles(directory="static"))',
      'app.include_router(router, prefix="/items")',
    );
    assert.deepEqual(refusal(await plan({ 'app/__init__.py': '', 'app/main.py': main, 'app/api.py': API }, onRouter)), {
      reason: 'route-unreachable',
      message:
        'GET /items/stream would be answered by the mount at "/items" (app/main.py:6), which takes every request under it before the new route in app/api.py ' +
        '(FastAPI tries routes in order), so it would never run. Add the route to app with --app app/main.py:app (it goes above the mount), or choose a --route outside "/items".',
    });
  });

  // Kills: the "included at" part (`via.file !== file || ...` turned into `&&` or either side forced false).
  it('a route of another router included first: refused, saying where it is included', async () => {
    const other = lines(
      'from fastapi import APIRouter',
      '',
      'other = APIRouter()',
      '',
      '',
      '@other.get("/{anything}")',
      'def anything(anything: str) -> str:',
      '    return anything',
    );
    const main = lines(
      'from fastapi import FastAPI',
      'from .api import router',
      'from .other import other',
      '',
      'app = FastAPI()',
      'app.include_router(other, prefix="/items")',
      'app.include_router(router, prefix="/items")',
    );
    assert.deepEqual(refusal(await plan({ 'app/__init__.py': '', 'app/main.py': main, 'app/api.py': API, 'app/other.py': other }, onRouter)), {
      reason: 'route-unreachable',
      message:
        'GET /items/stream would be answered by GET /items/{anything} (anything) at app/other.py:6, included at app/main.py:6, before the new route in app/api.py ' +
        '(FastAPI tries routes in order), so it would never run. Choose another --route, or add it to other with --app app/other.py:other, where it goes above anything.',
    });
  });

  // Kills: placeBefore's router lookup (`r.id === target.id` forced: an app target would take a router's prefix).
  it('an app target in a module that also has a prefixed router: placed above its own catch-all route', async () => {
    const main = lines(
      'from fastapi import APIRouter, FastAPI',
      '',
      'app = FastAPI()',
      'router = APIRouter(prefix="/x")',
      '',
      '',
      '@app.get("/{page}")',
      'def page(page: str) -> str:',
      '    return page',
    );
    const text = after(await plan({ 'main.py': main }, { target: { file: 'main.py', id: 'app' } }), 'main.py');
    assert.ok(text.indexOf('@app.get("/stream")') < text.indexOf('@app.get("/{page}")'), text);
  });

  // Kills: unresolvedUrlNote's text (the prefixes listed, 'that expression' for one, 'those expressions' for several).
  it('notes a URL whose prefixes cannot be read', () => {
    assert.equal(unresolvedUrlNote('/v1/stream'), undefined);
    assert.equal(
      unresolvedUrlNote('<settings.API>/stream'),
      "The URL's prefix settings.API is not a constant Catalyst can read, so the full URL is not known: the route is served at {prefix}/stream with {prefix} what that expression evaluates to.",
    );
    assert.equal(
      unresolvedUrlNote('<A>/<get_b()>/stream'),
      "The URL's prefix A, get_b() is not a constant Catalyst can read, so the full URL is not known: the route is served at {prefix}/{prefix}/stream with {prefix} what those expressions evaluate to.",
    );
  });
});

describe('where the code goes (mutation-tested)', () => {
  // Kills: the factory anchor (a route inside the factory that would answer first), and the module-level code
  // above the factory (`moduleLevel.length > 0` forced false: the helper would be missing).
  it('in a factory: above the route that would answer first, the helpers above the factory; the next route below the first', async () => {
    const first = after(await plan({ 'main.py': FACTORY }), 'main.py');
    const helper = first.indexOf('async def demo_tokens(');
    const factory = first.indexOf('def create_app() -> FastAPI:');
    assert.ok(helper >= 0 && helper < factory, first);
    assert.ok(first.includes(lines('    application = FastAPI()', '', '    @application.get("/stream")')), first);
    assert.ok(first.indexOf('    @application.get("/stream")') < first.indexOf('    @application.get("/{page}")'), first);
    const second = after(await plan({ 'main.py': first }, { route: '/more' }), 'main.py');
    assert.ok(second.includes(lines('        return streaming_response(stream_tokens(answer))', '', '    @application.get("/more")')), second);
  });

  // Kills: a catch-all route at module level after `app = create_app()` taken as the anchor inside the factory.
  it('in a factory whose app gets routes at module level: above the return', async () => {
    const text = after(
      await plan({
        'main.py': lines(
          'from fastapi import FastAPI',
          '',
          '',
          'def create_app() -> FastAPI:',
          '    application = FastAPI()',
          '    return application',
          '',
          '',
          'app = create_app()',
          '',
          '',
          '@app.get("/{page}")',
          'def page(page: str) -> str:',
          '    return page',
        ),
      }),
      'main.py',
    );
    assert.ok(text.includes(lines('        return streaming_response(stream_tokens(answer))', '', '    return application')), text);
    assert.ok(text.endsWith(lines('app = create_app()', '', '', '@app.get("/{page}")', 'def page(page: str) -> str:', '    return page')), text);
  });

  // Kills: the inclusion candidates (`inclusion.router === target.id && top-level`: either side forced, or `||`):
  // another router's inclusion, and one inside a function, are not places the route must precede.
  it("a router's route goes at the end when only another router's, or a nested, inclusion follows", async () => {
    const source = lines(
      'from fastapi import APIRouter, FastAPI',
      '',
      'router = APIRouter()',
      'other = APIRouter()',
      'app = FastAPI()',
      'app.include_router(other)',
      '',
      '',
      'def register(application: FastAPI) -> None:',
      '    application.include_router(router)',
    );
    const text = after(await plan({ 'main.py': source }, { target: { file: 'main.py', id: 'router' } }), 'main.py');
    assert.ok(text.indexOf('def register(') < text.indexOf('async def demo_tokens('), text);
    assert.ok(text.endsWith('    return streaming_response(stream_tokens(answer))\n'), text);
  });
});

describe('the imports a route adds (mutation-tested)', () => {
  const APP = lines('from fastapi import FastAPI', '', 'app = FastAPI()');

  // Kills: the BaseModel check (`bindings.get('BaseModel') !== 'pydantic.BaseModel'` forced, its strings emptied): a
  // file that has both `import pydantic` and `from pydantic import BaseModel` keeps `BaseModel`.
  it('a POST body model says BaseModel where the file imports it by name, and adds pydantic and Request otherwise', async () => {
    const both = after(
      await plan(
        { 'main.py': lines('import pydantic', 'from pydantic import BaseModel', 'from fastapi import FastAPI', '', 'app = FastAPI()') },
        { method: 'POST' },
      ),
      'main.py',
    );
    assert.match(both, /^class StreamRequest\(BaseModel\):$/m);
    assert.ok(
      both.startsWith(
        lines(
          'import asyncio',
          'from collections.abc import AsyncIterator',
          '',
          'import pydantic',
          'from pydantic import BaseModel',
          'from fastapi import FastAPI, Request',
        ),
      ),
      both,
    );
    // Kills: the pydantic import (`bodyModel && !pydanticModule` forced false, its request emptied) and the
    // Request import of a POST route (`method === 'POST'` forced false, its request emptied).
    const plain = after(await plan({ 'main.py': APP }, { method: 'POST' }), 'main.py');
    assert.ok(plain.includes(lines('from fastapi import FastAPI, Request')), plain);
    assert.ok(plain.includes(lines('from pydantic import BaseModel')), plain);
  });

  // Kills: AsyncIterator for a resumable route (its request emptied: here no helper imports it), and fastapi's
  // Response for a resumable or an openai route (`protocol === 'openai' || resumable` as `&&` or forced false).
  it('a resumable route imports AsyncIterator and Response; an openai route Response and Request', async () => {
    const source = lines('from fastapi import FastAPI', '', 'app = FastAPI()', '', '', 'async def tokens(prompt: str):', '    yield prompt');
    const resumable = after(await plan({ 'main.py': source }, { resumable: true, source: { kind: 'function', name: 'tokens' } }), 'main.py');
    assert.ok(resumable.startsWith(lines('from collections.abc import AsyncIterator', '', 'from fastapi import FastAPI, Response', '')), resumable);
    const openai = after(await plan({ 'main.py': APP }, { protocol: 'openai' }), 'main.py');
    assert.ok(openai.includes(lines('from fastapi import FastAPI, Request, Response')), openai);
  });

  // Kills: the conflict message's one/several wording (`length === 1` forced) and the list's separator.
  it('refuses names the module already uses, naming each', async () => {
    assert.deepEqual(refusal(await plan({ 'main.py': lines('from fastapi import FastAPI', '', 'app = FastAPI()', 'EventStreamResponse = 1') })), {
      reason: 'name-conflict',
      message: 'main.py already uses the name EventStreamResponse (now a local definition), which the endpoint imports. Rename it first.',
    });
    assert.deepEqual(
      refusal(await plan({ 'main.py': lines('from fastapi import FastAPI', '', 'app = FastAPI()', 'EventStreamResponse = 1', 'stream_tokens = 2') })),
      {
        reason: 'name-conflict',
        message:
          'main.py already uses the names EventStreamResponse (now a local definition), stream_tokens (now a local definition), which the endpoint imports. Rename them first.',
      },
    );
  });
});

describe('migrating an untouched 0.1 module while planning (mutation-tested)', () => {
  const legacy = () => readFile(path.join(__dirname, '..', 'fixtures', 'workspaces', 'legacy-untouched', 'app', 'streaming.py'), 'utf8');
  const APP = lines('from fastapi import FastAPI', '', 'app = FastAPI()');

  // Kills: the deletion's change (`after: ''`, `edits: []`, its description) and the note for one module and no
  // importing file (`legacy.length === 1`, `|| 'no other file'`).
  it('deletes the module in the same change, and says so', async () => {
    const text = await legacy();
    const result = planned(await plan({ 'main.py': APP, 'streaming.py': text }));
    assert.deepEqual(result.changes[0], {
      path: 'streaming.py',
      kind: 'delete',
      before: text,
      after: '',
      edits: [],
      description: 'delete streaming.py (generated by an earlier version, never edited): the streaming package replaces it',
    });
    assert.equal(
      result.notes[0],
      'streaming.py (generated by an earlier version, never edited) is replaced by the streaming package; the imports of no other file now name its modules.',
    );
  });

  // Kills: the rewritten file's description and the note naming it (several joined by ', ').
  it('rewrites the imports of the module in the same change, and names the file', async () => {
    const result = planned(
      await plan({
        'main.py': lines('from fastapi import FastAPI', 'from streaming import format_sse', '', 'app = FastAPI()'),
        'streaming.py': await legacy(),
      }),
    );
    assert.deepEqual(
      result.changes.slice(0, 2).map((c) => [c.path, c.kind, c.description]),
      [
        ['streaming.py', 'delete', 'delete streaming.py (generated by an earlier version, never edited): the streaming package replaces it'],
        ['main.py', 'modify', 'import from the streaming package in main.py'],
      ],
    );
    assert.match(result.notes[0]!, /the imports of main\.py now name its modules\.$/);
    const two = planned(
      await plan({
        'main.py': APP,
        'a.py': 'from streaming import format_sse\n',
        'b.py': 'from streaming import stream_tokens\n',
        'streaming.py': await legacy(),
      }),
    );
    assert.match(two.notes[0]!, /the imports of a\.py, b\.py now name its modules\.$/);
  });

  // Kills: the plan after migration returned as it is when it is not planned (`plan.status !== 'planned'` forced false).
  it('a refusal after the migration is the answer', async () => {
    const taken = lines('from fastapi import FastAPI', '', 'app = FastAPI()', '', '', '@app.get("/stream")', 'def taken() -> str:', '    return ""');
    assert.deepEqual(refusal(await plan({ 'main.py': taken, 'streaming.py': await legacy() })), {
      reason: 'route-taken',
      message: 'The route /stream is already taken by GET /stream in main.py:6 (taken). Choose another path.',
    });
  });
});

describe('more planner edges (mutation-tested)', () => {
  const APP = lines('from fastapi import FastAPI', '', 'app = FastAPI()');
  const legacy = () => readFile(path.join(__dirname, '..', 'fixtures', 'workspaces', 'legacy-untouched', 'app', 'streaming.py'), 'utf8');

  // Kills: the "included at" test when the router is included in the module that defines it (`||` as `&&`, either
  // side forced false), and a route's methods joined by '/'.
  it('a route of a router included in its own module first: says where it is included, with all its methods', async () => {
    const main = lines(
      'from fastapi import APIRouter, FastAPI',
      'from .api import router',
      '',
      'other = APIRouter()',
      '',
      '',
      '@other.api_route("/{anything}", methods=["GET", "POST"])',
      'def anything(anything: str) -> str:',
      '    return anything',
      '',
      '',
      'app = FastAPI()',
      'app.include_router(other, prefix="/items")',
      'app.include_router(router, prefix="/items")',
    );
    const files = { 'app/__init__.py': '', 'app/main.py': main, 'app/api.py': lines('from fastapi import APIRouter', '', 'router = APIRouter()') };
    assert.equal(
      refusal(await plan(files, { target: { file: 'app/api.py', id: 'router' } })).message,
      'GET /items/stream would be answered by GET/POST /items/{anything} (anything) at app/main.py:7, included at app/main.py:13, before the new route in app/api.py ' +
        '(FastAPI tries routes in order), so it would never run. Choose another --route, or add it to other with --app app/main.py:other, where it goes above anything.',
    );
  });

  // Kills: a top-level-statement check for the route to precede (forced, inverted): a route inside the factory
  // that makes the named app cannot be preceded from module level, so the plan is refused.
  it('an app made by a local factory whose own route answers first: refused, pointing at the factory', async () => {
    const main = FACTORY;
    assert.deepEqual(refusal(await plan({ 'main.py': main }, { target: { file: 'main.py', id: 'app' } })), {
      reason: 'route-unreachable',
      message:
        'GET /stream would be answered by GET /{page} (page) at main.py:7 before the new route in main.py (FastAPI tries routes in order), so it would never run. ' +
        'Choose another --route, or add it to create_app with --app main.py:create_app, where it goes above page.',
    });
  });

  // Kills: the definition's end (`target.app ?? router`, the router lookup, `offset >= definitionEnd`): a
  // `__main__` block above the router's definition is no place for its route.
  it("a router defined below the __main__ block: its route goes after the router's definition", async () => {
    const text = after(
      await plan(
        { 'main.py': lines('from fastapi import APIRouter', '', 'if __name__ == "__main__":', '    print("hi")', '', 'router = APIRouter()') },
        { target: { file: 'main.py', id: 'router' } },
      ),
      'main.py',
    );
    assert.ok(text.indexOf('router = APIRouter()') < text.indexOf('@router.get("/stream")'), text);
    // Kills: `offset >= definitionEnd` as `>`: a file that ends right after the app's definition, without a newline.
    const unterminated = after(await plan({ 'main.py': 'from fastapi import FastAPI\n\napp = FastAPI()' }), 'main.py');
    assert.ok(unterminated.includes('app = FastAPI()\n\n\n'), unterminated);
    assert.ok(text.endsWith('    return streaming_response(stream_tokens(answer))\n'), text);
  });

  // Kills: an inclusion inside a function taken as a place to insert above (`parent?.type === 'module'` forced):
  // the route would land inside the factory's body at module indentation.
  // The route goes above `app = create_app()`: the factory copies the router's routes when module level calls
  // it, so under `uvicorn main:app` a route added below that line would be a 404.
  it("a router included inside a factory: the route stays at module level, above the factory's call, the factory's body as it was", async () => {
    const source = lines(
      'from fastapi import APIRouter, FastAPI',
      '',
      'router = APIRouter()',
      '',
      '',
      'def create_app() -> FastAPI:',
      '    application = FastAPI()',
      '    application.include_router(router)',
      '    return application',
      '',
      '',
      'app = create_app()',
    );
    const text = after(await plan({ 'main.py': source }, { target: { file: 'main.py', id: 'router' } }), 'main.py');
    assert.ok(
      text.includes(lines('def create_app() -> FastAPI:', '    application = FastAPI()', '    application.include_router(router)', '    return application')),
      text,
    );
    assert.match(text, /^@router\.get\("\/stream"\)$/m);
    assert.ok(text.indexOf('@router.get("/stream")') < text.indexOf('app = create_app()'), text);
  });

  // Kills: planEndpoint's already-present answer (the handler's name, the 1-based line) and a clash's methods
  // joined by '/'.
  it('a second run says where the route is; another method on the path is a clash', async () => {
    const first = after(await plan({ 'main.py': APP }), 'main.py');
    const again = await plan({ 'main.py': first });
    assert.equal(again.status, 'already-present');
    const present = again as Extract<AddEndpointPlan, { status: 'already-present' }>;
    const row = first.split('\n').indexOf('@app.get("/stream")');
    assert.equal(present.endpoint.functionName, 'stream');
    assert.equal(present.line, row);
    assert.equal(present.message, `A streaming endpoint is already there: GET /stream (main.py:${row + 1}). Nothing to do.`);
    const taken = lines(...APP.trimEnd().split('\n'), '', '', '@app.api_route("/stream", methods=["PUT", "PATCH"])', 'def s() -> None:', '    pass');
    assert.equal(
      refusal(await plan({ 'main.py': taken })).message,
      'The route /stream is already taken by PUT/PATCH /stream in main.py:6 (s). Choose another path.',
    );
  });

  // Kills: the free-name search (`moduleShadowing(...) === undefined && foreignAt(...) === undefined` loosened,
  // `asPackage` dropped: a generated sse_streaming/ package is ours, and free), the refusal when no name is free,
  // and, for a named location, the suggestion of a free name or none.
  it('another name for the package when streaming/ is taken, the first free one; refused when none is', async () => {
    const foreign = 'x = 1\n';
    const packageOf = (result: AddEndpointPlan) => planned(result).notes[0]?.replace(/^The streaming package is ([a-z_]+)\/.*$/s, '$1');
    assert.equal(packageOf(await plan({ 'main.py': APP, 'streaming.py': foreign, 'sse_streaming.py': foreign })), 'catalyst_streaming');
    const ours = (await renderPackageFiles(['format_sse'])).find((file) => file.path === '__init__.py')!.text;
    assert.equal(packageOf(await plan({ 'main.py': APP, 'streaming.py': foreign, 'sse_streaming/__init__.py': ours })), 'sse_streaming');
    assert.deepEqual(refusal(await plan({ 'main.py': APP, 'streaming.py': foreign, 'sse_streaming.py': foreign, 'catalyst_streaming.py': foreign })), {
      reason: 'module-conflict',
      message:
        'A streaming package at streaming/ would clash with streaming.py, a module of yours (not generated by Catalyst Streaming), which the package would hide, ' +
        'and so would sse_streaming/, catalyst_streaming/ there. Choose a free name with --module.',
    });
    assert.match(
      refusal(await plan({ 'main.py': APP, 'lib/streaming.py': foreign }, { moduleLocation: 'lib' })).message,
      /Choose a free name, e\.g\. --module lib\/sse_streaming\.py\.$/,
    );
    const none = { 'main.py': APP, 'lib/streaming.py': foreign, 'lib/sse_streaming.py': foreign, 'lib/catalyst_streaming.py': foreign };
    assert.match(refusal(await plan(none, { moduleLocation: 'lib' })).message, /would hide\. Choose a free name with --module\.$/);
  });

  // Kills: a blocked migration (`migration.status === 'blocked'` forced false, its reason dropped): the untouched
  // module is kept, saying why; and a refusal after a migration is the answer (`plan.status !== 'planned'`).
  it('an untouched 0.1 module that cannot be migrated is kept, saying why; a refusal after migrating is returned', async () => {
    const text = await legacy();
    const kept = planned(await plan({ 'main.py': APP, 'streaming.py': text, 'other.py': 'import streaming\n' }));
    assert.deepEqual(
      kept.changes.map((c) => c.path),
      ['main.py'],
    );
    assert.match(
      kept.notes[0]!,
      /^streaming\.py \(generated by an earlier version\) is left as it is, because it cannot be replaced by the streaming package: other\.py imports the module itself \(import streaming\)/,
    );
    assert.equal(
      refusal(await plan({ 'main.py': lines(...APP.trimEnd().split('\n'), 'EventStreamResponse = 1'), 'streaming.py': text })).reason,
      'name-conflict',
    );
  });
});

describe('the names a route defines and imports (mutation-tested)', () => {
  const APP = lines('from fastapi import FastAPI', '', 'app = FastAPI()');

  // Kills: a factory's nested functions counted as taken (the factory check, decorated definitions unwrapped,
  // function names read), a helper's name counted as taken, and a name the module uses for something other
  // than the helper refused.
  it("names the handler apart from the factory's nested functions and the helpers; refuses a helper's name taken", async () => {
    const factory = lines(
      'from fastapi import FastAPI',
      '',
      '',
      'def create_app() -> FastAPI:',
      '    application = FastAPI()',
      '',
      '    @application.get("/x")',
      '    def stream() -> None:',
      '        pass',
      '',
      '    return application',
    );
    assert.equal(planned(await plan({ 'main.py': factory })).endpoint.functionName, 'stream_2');
    assert.equal(planned(await plan({ 'main.py': factory.replace('    @application.get("/x")\n', '') })).endpoint.functionName, 'stream_2');
    assert.equal(planned(await plan({ 'main.py': APP }, { route: '/demo_tokens' })).endpoint.functionName, 'demo_tokens_2');
    assert.deepEqual(refusal(await plan({ 'main.py': `${APP}demo_tokens = 1\n` })), {
      reason: 'name-conflict',
      message: 'main.py already defines demo_tokens, which is not the function the endpoint needs. Rename it, or choose another token source.',
    });
  });

  // Kills: each name made unique against the module's (the body model's, the hook's and the stop companion's
  // `taken.has` checks dropped).
  it('makes the body model, the hook and the stop endpoint unique against what the module defines', async () => {
    const taken = lines(
      ...APP.trimEnd().split('\n'),
      '',
      '',
      'class StreamRequest:',
      '    pass',
      '',
      '',
      'def on_stream_finish() -> None:',
      '    pass',
      '',
      '',
      'def stream_stop() -> None:',
      '    pass',
    );
    const post = after(await plan({ 'main.py': taken }, { method: 'POST' }), 'main.py');
    assert.match(post, /^class StreamRequest_2\(BaseModel\):$/m);
    assert.match(post, /^async def on_stream_finish_2\(/m);
    const resumable = after(await plan({ 'main.py': taken }, { resumable: true }), 'main.py');
    assert.match(resumable, /^async def stream_stop_2\(/m);
    const openai = after(await plan({ 'main.py': APP }, { protocol: 'openai' }), 'main.py');
    assert.equal(openai.includes('openai_chat_completion_stream'), false, 'not resumable: no stream encoder');
  });

  // Kills: the body model for POST sse routes only (`protocol === 'sse'` forced: an ai-sdk route would import
  // pydantic's BaseModel for nothing), the resume companion of an ai-sdk route only, and each protocol's names
  // with and without resumability (streamingNames.ts).
  it('imports what each protocol needs, resumable or not', async () => {
    const aiSdk = after(await plan({ 'main.py': APP }, { protocol: 'ai-sdk' }), 'main.py');
    assert.ok(aiSdk.includes(lines('from streaming.protocols.ai_sdk import UIChatRequest, ui_message_stream_response')), aiSdk);
    assert.equal(aiSdk.includes('pydantic'), false, aiSdk);
    const aiSdkResumable = after(await plan({ 'main.py': APP }, { protocol: 'ai-sdk', resumable: true }), 'main.py');
    for (const name of ['UI_MESSAGE_STREAM_HEADERS,', 'ui_message_stream,', 'ai_sdk_error_event,', 'async def api_chat_resume(']) {
      assert.ok(aiSdkResumable.includes(name), name);
    }
    assert.equal(aiSdkResumable.includes('ui_message_stream_response'), false);
    const openai = after(await plan({ 'main.py': APP }, { protocol: 'openai', resumable: true }), 'main.py');
    for (const name of ['openai_chat_completion_stream,', 'openai_error_event,', 'async def v1_chat_completions_stop(']) {
      assert.ok(openai.includes(name), name);
    }
    assert.equal(openai.includes('_resume('), false, 'no resume companion');
  });
});
