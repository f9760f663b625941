/**
 * Route order where one module has both an app and a router with routes (so each owner's filter matters), apps
 * made by a factory, inclusion cycles, and the app that serves a router from test code. Each test names the
 * Stryker mutants it kills (`npm run test:mutation -- python`).
 */
import assert from 'node:assert/strict';
import { servedInOrder, servingApp } from '../../src/core/python/routeOrder';
import { PythonWorkspace } from '../../src/core/python/workspace';

const lines = (...all: string[]) => all.map((l) => `${l}\n`).join('');

async function withWorkspace<T>(record: Record<string, string>, body: (workspace: PythonWorkspace) => Promise<T>): Promise<T> {
  const workspace = new PythonWorkspace(new Map(Object.entries(record)));
  try {
    return await body(workspace);
  } finally {
    workspace.dispose();
  }
}

const shown = (entries: Awaited<ReturnType<typeof servedInOrder>>) =>
  entries.map((e) => `${e.kind} ${e.methods.join(',')} ${e.path} ${e.owner}${e.handler ? ` ${e.handler}` : ''}`);

/** An app and a router in one module, each with a route and a mount; the app includes the router. */
const BOTH = lines(
  'from fastapi import APIRouter, FastAPI',
  '',
  'app = FastAPI()',
  'router = APIRouter(prefix="/r")',
  'sub = APIRouter()',
  '',
  '',
  '@sub.get("/sub")',
  'async def in_sub() -> None: ...',
  '',
  '',
  '# Kills: the inclusions\u2019 owner filter (`owners.has(i.owner)` removed): the app does not include sub itself.',
  'router.include_router(sub, prefix="/s")',
  '',
  '',
  '@router.get("/in-router")',
  'async def in_router() -> None: ...',
  '',
  '',
  'router.mount("/router-static", object())',
  '',
  '',
  '@app.post("/in-app")',
  'async def in_app() -> None: ...',
  '',
  '',
  'app.mount("/static", object())',
  'app.include_router(router, prefix="/api")',
  '# Kills: mounts without a known path listed (`m.path !== undefined` replaced by `true`), and an inclusion',
  '# of a router the workspace does not have (the `if (!included) return []` branch, never run before).',
  'app.mount(static_path(), object())',
  'app.include_router(elsewhere.router)',
);

describe('servedInOrder and servingApp (mutation-tested)', () => {
  // Kills: the owner filters of routes, mounts and inclusions (`owners.has(r.owner)` replaced by `true`), the
  // `handler` field, and the router's own prefix (`router ? routerPrefix : ''`).
  it('an app and a router in one module: each serves its own routes and mounts only', () =>
    withWorkspace({ 'main.py': BOTH }, async (workspace) => {
      assert.deepEqual(shown(await servedInOrder(workspace, { file: 'main.py', id: 'app' })), [
        'route POST /in-app app in_app',
        'mount  /static app',
        'route GET /api/r/s/sub sub in_sub',
        'route GET /api/r/in-router router in_router',
        'mount  /api/r/router-static router',
      ]);
      assert.deepEqual(shown(await servedInOrder(workspace, { file: 'main.py', id: 'router' })), [
        'route GET /r/s/sub sub in_sub',
        'route GET /r/in-router router in_router',
        'mount  /r/router-static router',
      ]);
      const included = (await servedInOrder(workspace, { file: 'main.py', id: 'app' }))[3]!;
      const include = BOTH.indexOf('app.include_router');
      assert.equal(included.via.span.start, include, 'an included route is brought by the include_router statement');
      assert.notEqual(included.span.start, include, 'and is written at its decorator');
      assert.deepEqual(await servedInOrder(workspace, { file: 'missing.py', id: 'app' }), []);
    }));

  // Kills: `createdBy` ignored (an app made by a local factory would serve nothing), and the `seen` guard
  // (`seen.has(key)` replaced by `false`: a router including itself would recurse for ever).
  it('an app from a local factory serves the factory\u2019s routes; an inclusion cycle ends', () =>
    withWorkspace(
      {
        'main.py': lines(
          'from fastapi import FastAPI',
          'from loop import router',
          '',
          '',
          'def create_app() -> FastAPI:',
          '    application = FastAPI()',
          '',
          '    @application.get("/made")',
          '    async def made() -> None: ...',
          '',
          '    application.include_router(router)',
          '    return application',
          '',
          '',
          'app = create_app()',
        ),
        'loop.py': lines(
          'from fastapi import APIRouter',
          '',
          'router = APIRouter(prefix="/loop")',
          '',
          '',
          '@router.get("/x")',
          'async def x() -> None: ...',
          '',
          '',
          'router.include_router(router)',
        ),
      },
      async (workspace) => {
        const entries = shown(await servedInOrder(workspace, { file: 'main.py', id: 'app' }));
        assert.equal(entries[0], 'route GET /made create_app made');
        assert.ok(entries.includes('route GET /loop/x router x') && entries.length === 2, entries.join('\n'));
      },
    ));

  // Kills: servingApp's `isTestFile(inclusion.owner.file) && !isTestFile(target.file)` check (replaced by
  // `false`, or either side dropped), the prefix sum (`outer.prefix + inclusion.prefix + own`), and the seen guard.
  it('a router served by a test app only is not served; one in test code is; prefixes add up', () =>
    withWorkspace(
      {
        'app/routes.py': lines('from fastapi import APIRouter', '', 'router = APIRouter(prefix="/own")'),
        'app/orphan.py': lines('from fastapi import APIRouter', '', 'router = APIRouter()'),
        'tests/test_api.py': lines(
          'from fastapi import APIRouter, FastAPI',
          'from app import orphan',
          '',
          'test_app = FastAPI()',
          'helper = APIRouter()',
          'test_app.include_router(orphan.router, prefix="/t")',
          'test_app.include_router(helper, prefix="/h")',
        ),
        'main.py': lines(
          'from fastapi import APIRouter, FastAPI',
          'from app import routes',
          '',
          '# Kills: `if (outer)` replaced by `true`: an inclusion by a router no app serves comes first.',
          'unserved = APIRouter()',
          'unserved.include_router(routes.router, prefix="/nowhere")',
          'app = FastAPI()',
          'app.include_router(routes.router, prefix="/api")',
        ),
      },
      async (workspace) => {
        assert.deepEqual(await servingApp(workspace, { file: 'app/routes.py', id: 'router' }), { app: { file: 'main.py', id: 'app' }, prefix: '/api/own' });
        assert.equal(await servingApp(workspace, { file: 'app/orphan.py', id: 'router' }), undefined);
        assert.deepEqual(await servingApp(workspace, { file: 'tests/test_api.py', id: 'helper' }), {
          app: { file: 'tests/test_api.py', id: 'test_app' },
          prefix: '/h',
        });
        assert.deepEqual(await servingApp(workspace, { file: 'main.py', id: 'app' }), { app: { file: 'main.py', id: 'app' }, prefix: '' });
        assert.equal(await servingApp(workspace, { file: 'main.py', id: 'nothing' }), undefined);
        // Kills: the router lookup by id (`r.id === target.id` replaced by `true`).
        assert.equal(await servingApp(workspace, { file: 'app/routes.py', id: 'nothing' }), undefined);
        assert.equal(await servingApp(workspace, { file: 'main.py', id: 'unserved' }), undefined);
        assert.equal(await servingApp(workspace, { file: 'missing.py', id: 'app' }), undefined);
      },
    ));
});
