/**
 * The route index a new route is checked against before anything is planned (plan/endpoint/routeIndex.ts): the
 * URL a client requests for it, and the existing routes at that path through the target and through whatever
 * includes it, each once. Each test names the Stryker mutants it kills (`npm run test:mutation -- plan`).
 */
import assert from 'node:assert/strict';
import { buildRouteIndex, type RouteIndex } from '../../src/core/plan/endpoint/routeIndex';
import { PythonWorkspace, type TargetRef } from '../../src/core/python/workspace';

const lines = (...all: string[]): string => all.map((l) => `${l}\n`).join('');

async function withIndex(files: Record<string, string>, target: TargetRef, use: (index: RouteIndex) => void): Promise<void> {
  const workspace = new PythonWorkspace(new Map(Object.entries(files)));
  try {
    const analysis = await workspace.module(target.file);
    assert.ok(analysis, target.file);
    use(await buildRouteIndex(workspace, target, analysis));
  } finally {
    workspace.dispose();
  }
}

/** Each match as `file:line path`, the line 1-based. */
function described(index: RouteIndex, route: string, files: Record<string, string>): string[] {
  return index.matches(route).map((m) => `${m.file}:${files[m.file]!.slice(0, m.route.span.start).split('\n').length} ${m.path}`);
}

describe('the route index a new route is checked against (mutation-tested)', () => {
  // Kills: the factory's app added as an owner (its filter removed or forced: another app's route would count, `createdBy === target.id` inverted, the
  // owner's file or id changed), the owners loop emptied, and the app tables' prefix ('' -> another string); the
  // factory's own route is in both tables, so uniqueRoutes' dedup (its key, the `has` check) is needed too.
  it('a factory: its own routes and those added to the app it makes at module level, each once; the URL as given', async () => {
    const files = {
      'main.py': lines(
        'from fastapi import FastAPI',
        '',
        '',
        'def create_app() -> FastAPI:',
        '    application = FastAPI()',
        '',
        '    @application.get("/x")',
        '    def inner() -> None:',
        '        pass',
        '',
        '    return application',
        '',
        '',
        'app = create_app()',
        '',
        '',
        '@app.get("/x")',
        'def outer() -> None:',
        '    pass',
        '',
        '',
        '@app.get("/y")',
        'def other() -> None:',
        '    pass',
        '',
        '',
        'admin = FastAPI()',
        '',
        '',
        '@admin.get("/x")',
        'def on_admin() -> None:',
        '    pass',
      ),
    };
    await withIndex(files, { file: 'main.py', id: 'create_app' }, (index) => {
      assert.deepEqual(described(index, '/x', files), ['main.py:7 /x', 'main.py:17 /x']);
      assert.deepEqual(described(index, '/z', files), []);
      assert.equal(index.url('/x'), '/x');
    });
  });

  // Kills: the router branch (`!router` forced), its own table's prefix, each inclusion's table and its prefix
  // (inclusion prefix + router prefix, either side dropped), the URL through the serving app, and the dedup of
  // the router's route reached both through the router and through the app that includes it.
  it("a router included with a prefix: its own routes and the including app's at the full path, each once; the URL with both prefixes", async () => {
    const files = {
      'main.py': lines(
        'from fastapi import FastAPI',
        'from items import router',
        '',
        'app = FastAPI()',
        'app.include_router(router, prefix="/v1")',
        '',
        '',
        '@app.get("/v1/api/x")',
        'def on_app() -> None:',
        '    pass',
        '',
        '',
        '@app.get("/api/x")',
        'def unprefixed() -> None:',
        '    pass',
      ),
      'items.py': lines(
        'from fastapi import APIRouter',
        '',
        'router = APIRouter(prefix="/api")',
        '',
        '',
        '@router.get("/x")',
        'def on_router() -> None:',
        '    pass',
      ),
    };
    await withIndex(files, { file: 'items.py', id: 'router' }, (index) => {
      assert.deepEqual(described(index, '/x', files), ['items.py:6 /api/x', 'main.py:8 /v1/api/x']);
      assert.equal(index.url('/x'), '/v1/api/x');
    });
  });

  // Kills: the URL of a router no app includes (`serving ? … : routerPrefix`: its router prefix alone).
  it('a router nothing includes: its own routes, and the URL with its own prefix', async () => {
    const files = {
      'items.py': lines(
        'from fastapi import APIRouter',
        '',
        'router = APIRouter(prefix="/api")',
        '',
        '',
        '@router.post("/x")',
        'def on_router() -> None:',
        '    pass',
      ),
    };
    await withIndex(files, { file: 'items.py', id: 'router' }, (index) => {
      assert.deepEqual(described(index, '/x', files), ['items.py:6 /api/x']);
      assert.equal(index.url('/x'), '/api/x');
    });
  });

  // Kills: the serving app's table (its `!tables.some` check forced or inverted, its prefix compared or used):
  // a router included through another router reaches the app only through servingApp, whose prefix no
  // inclusion table has.
  it("a router included through another router: the serving app's routes at the full path too", async () => {
    const files = {
      'main.py': lines(
        'from fastapi import APIRouter, FastAPI',
        '',
        'inner = APIRouter(prefix="/in")',
        'outer = APIRouter()',
        'outer.include_router(inner, prefix="/b")',
        'app = FastAPI()',
        'app.include_router(outer, prefix="/a")',
        '',
        '',
        '@app.get("/a/b/in/x")',
        'def on_app() -> None:',
        '    pass',
      ),
    };
    await withIndex(files, { file: 'main.py', id: 'inner' }, (index) => {
      assert.deepEqual(described(index, '/x', files), ['main.py:10 /a/b/in/x']);
      assert.equal(index.url('/x'), '/a/b/in/x');
    });
  });

  // Kills: the router lookup (`r.id === target.id` forced: an app in a module with a prefixed router would also
  // take the app's route at the router's prefix plus the path for one at the path).
  it('an app in a module that also has a prefixed router: its routes at their own path', async () => {
    const files = {
      'main.py': lines(
        'from fastapi import APIRouter, FastAPI',
        '',
        'app = FastAPI()',
        'router = APIRouter(prefix="/r")',
        '',
        '',
        '@app.get("/x")',
        'def on_app() -> None:',
        '    pass',
        '',
        '',
        '@app.get("/r/x")',
        'def under_r() -> None:',
        '    pass',
      ),
    };
    await withIndex(files, { file: 'main.py', id: 'app' }, (index) => {
      assert.deepEqual(described(index, '/x', files), ['main.py:7 /x']);
      assert.equal(index.url('/x'), '/x');
    });
  });

  // Kills: the inclusions' tables (the loop emptied, `inclusion.prefix + routerPrefix` -> `-`): a router
  // included only by another router that no app includes is reached through no serving app, only through them.
  it("a router included only by a router no app includes: that router's routes at the full path; the URL with its own prefix", async () => {
    const files = {
      'main.py': lines(
        'from fastapi import APIRouter',
        '',
        'inner = APIRouter(prefix="/in")',
        'outer = APIRouter()',
        'outer.include_router(inner, prefix="/o")',
        '',
        '',
        '@outer.get("/o/in/x")',
        'def on_outer() -> None:',
        '    pass',
      ),
    };
    await withIndex(files, { file: 'main.py', id: 'inner' }, (index) => {
      assert.deepEqual(described(index, '/x', files), ['main.py:8 /o/in/x']);
      assert.equal(index.url('/x'), '/in/x');
    });
  });
});
