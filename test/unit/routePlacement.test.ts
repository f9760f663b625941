/**
 * Where add-endpoint puts a route so that it is the one FastAPI runs, the URL it reports (prefixes through
 * constants, settings, nested routers, factories, namespace packages), and which apps count as the project's.
 * The served behaviour of the same layouts is checked on a real uvicorn in test/integration/addEndpoint.test.ts.
 */
import assert from 'node:assert/strict';
import { planAddEndpoint, type AddEndpointPlan, type AddEndpointRequest } from '../../src/core/plan/endpoint';
import { servedInOrder } from '../../src/core/python/routeOrder';
import { PythonWorkspace } from '../../src/core/python/workspace';

const lines = (...all: string[]) => all.map((l) => `${l}\n`).join('');
const files = (record: Record<string, string>) => new Map(Object.entries(record));

type Planned = Extract<AddEndpointPlan, { status: 'planned' }>;

async function plan(record: Record<string, string>, request: AddEndpointRequest = {}): Promise<Planned> {
  const result = await planAddEndpoint(files(record), request);
  assert.equal(result.status, 'planned', result.status === 'refused' ? result.message : result.status);
  return result as Planned;
}

function after(result: Planned, file: string): string {
  const found = result.changes.find((c) => c.path === file);
  assert.ok(found, `no change to ${file}`);
  return found.after;
}

function assertBefore(text: string, first: string, second: string): void {
  assert.ok(text.includes(first) && text.includes(second), text);
  assert.ok(text.indexOf(first) < text.indexOf(second), `${first} before ${second}:\n${text}`);
}

const ROUTER = (prefix: string, ...body: string[]) => lines('from fastapi import APIRouter', '', `router = APIRouter(${prefix})`, '', '', ...body);

describe('route placement and the URL that serves', () => {
  describe('placement', () => {
    it('goes above the first route whose pattern answers the new path, not above one of another method', async () => {
      const main = lines(
        'from fastapi import FastAPI',
        '',
        'app = FastAPI()',
        '',
        '',
        '@app.delete("/notes/{note_id}")',
        'async def delete_note(note_id: str) -> None: ...',
        '',
        '',
        '# Reads one note.',
        '@app.get("/notes/{note_id}")',
        'async def read_note(note_id: str) -> str: ...',
      );
      const result = await plan({ 'main.py': main }, { route: '/notes/stream' });
      const text = after(result, 'main.py');
      assertBefore(text, '@app.delete("/notes/{note_id}")', '@app.get("/notes/stream")');
      // Above the comment that belongs to the capturing route.
      assertBefore(text, '@app.get("/notes/stream")', '# Reads one note.');
      assert.equal(result.endpoint.url, '/notes/stream');
    });

    it('stays at the end when nothing answers first (an int converter does not take "stream")', async () => {
      const main = lines(
        'from fastapi import FastAPI',
        '',
        'app = FastAPI()',
        '',
        '',
        '@app.get("/items/{item_id:int}")',
        'async def item(item_id: int) -> int: ...',
      );
      const text = after(await plan({ 'main.py': main }, { route: '/items/stream' }), 'main.py');
      assertBefore(text, '@app.get("/items/{item_id:int}")', '@app.get("/items/stream")');
    });

    it('goes above a mount that takes the path, and above an include_router whose routes would answer first', async () => {
      const workspace = {
        'app/__init__.py': '',
        'app/main.py': lines(
          'from fastapi import FastAPI',
          'from fastapi.staticfiles import StaticFiles',
          '',
          'from .routers import items',
          '',
          'app = FastAPI()',
          'app.include_router(items.router)',
          'app.mount("/", StaticFiles(directory="site"), name="site")',
        ),
        'app/routers/__init__.py': '',
        'app/routers/items.py': ROUTER('prefix="/items"', '@router.get("/{item_id}")', 'async def item(item_id: str) -> str: ...'),
      };
      const mounted = after(await plan(workspace, { target: { file: 'app/main.py' } }), 'app/main.py');
      assertBefore(mounted, '@app.get("/stream")', 'app.mount("/"');
      const included = after(await plan(workspace, { target: { file: 'app/main.py' }, route: '/items/stream' }), 'app/main.py');
      assertBefore(included, '@app.get("/items/stream")', 'app.include_router(items.router)');
    });

    it('inside a factory: above the capturing route of its body, indented as the body', async () => {
      const main = lines(
        'from fastapi import FastAPI',
        '',
        '',
        'def create_app() -> FastAPI:',
        '    app = FastAPI()',
        '',
        '    @app.get("/{slug}")',
        '    async def page(slug: str) -> str: ...',
        '',
        '    return app',
      );
      const text = after(await plan({ 'main.py': main }), 'main.py');
      assertBefore(text, '    @app.get("/stream")\n    async def stream(', '    @app.get("/{slug}")');
    });

    it('refuses for an app made by a local factory whose own route answers first, and names the factory', async () => {
      const main = lines(
        'from fastapi import FastAPI',
        '',
        '',
        'def create_app() -> FastAPI:',
        '    application = FastAPI()',
        '',
        '    @application.get("/{slug}")',
        '    async def page(slug: str) -> str: ...',
        '',
        '    return application',
        '',
        '',
        'app = create_app()',
      );
      const result = await planAddEndpoint(files({ 'main.py': main }), { target: { file: 'main.py', id: 'app' } });
      assert.equal(result.status, 'refused', JSON.stringify(result));
      assert.equal((result as { reason: string }).reason, 'route-unreachable');
      assert.match((result as { message: string }).message, /GET \/\{slug\} \(page\) at main\.py:7 .*--app main\.py:create_app/);
      // The way out it names works.
      const text = after(await plan({ 'main.py': main }, { target: { file: 'main.py', id: 'create_app' } }), 'main.py');
      assertBefore(text, '    @application.get("/stream")', '    @application.get("/{slug}")');
    });

    it('refuses when a route of another router, included earlier, answers first; names the way out', async () => {
      const workspace = {
        'main.py': lines(
          'from fastapi import FastAPI',
          '',
          'import notes',
          'import search',
          '',
          'app = FastAPI()',
          'app.include_router(notes.router)',
          'app.include_router(search.router)',
        ),
        'notes.py': ROUTER('prefix="/notes"', '@router.get("/{note_id}")', 'async def read_note(note_id: str) -> str: ...'),
        'search.py': ROUTER('prefix="/notes"'),
      };
      const result = await planAddEndpoint(files(workspace), { target: { file: 'search.py', id: 'router' }, route: '/stream' });
      assert.equal(result.status, 'refused');
      assert.equal((result as { reason: string }).reason, 'route-unreachable');
      assert.match((result as { message: string }).message, /GET \/notes\/\{note_id\} \(read_note\) at notes\.py:6, included at main\.py:7/);
      assert.match((result as { message: string }).message, /--app notes\.py:router/);
      // Another path is fine.
      assert.equal((await plan(workspace, { target: { file: 'search.py', id: 'router' }, route: '/search/stream' })).endpoint.url, '/notes/search/stream');
    });
  });

  describe('route order across modules', () => {
    it('lists routes in the order Starlette tries them: each router where it is included, mounts where they are', async () => {
      const workspace = new PythonWorkspace(
        files({
          'main.py': lines(
            'from fastapi import FastAPI',
            'import a',
            '',
            'app = FastAPI()',
            '',
            '',
            '@app.get("/first")',
            'async def first() -> None: ...',
            '',
            '',
            'app.include_router(a.router, prefix="/a")',
            'app.mount("/static", object())',
            '',
            '',
            '@app.get("/last")',
            'async def last() -> None: ...',
          ),
          'a.py': ROUTER('prefix="/r"', '@router.get("/x")', 'async def x() -> None: ...', '', '', '@router.post("/y")', 'async def y() -> None: ...'),
        }),
      );
      try {
        const order = (await servedInOrder(workspace, { file: 'main.py', id: 'app' })).map((e) => `${e.kind} ${e.methods.join(',')} ${e.path}`);
        assert.deepEqual(order, ['route GET /first', 'route GET /a/r/x', 'route POST /a/r/y', 'mount  /static', 'route GET /last']);
      } finally {
        workspace.dispose();
      }
    });
  });

  describe('the URL: prefixes followed', () => {
    const chatRouter = ROUTER('prefix="/chat"');
    const cases: Array<[string, Record<string, string>, string]> = [
      [
        'a constant imported from another module',
        {
          'app/__init__.py': '',
          'app/config.py': 'API_PREFIX = "/api/v1"\n',
          'app/main.py': lines(
            'from fastapi import FastAPI',
            'from .config import API_PREFIX',
            'from .routers import chat',
            'app = FastAPI()',
            'app.include_router(chat.router, prefix=API_PREFIX)',
          ),
          'app/routers/__init__.py': '',
          'app/routers/chat.py': chatRouter,
        },
        '/api/v1/chat/stream',
      ],
      [
        'a module constant through a module import, built with +',
        {
          'app/__init__.py': '',
          'app/config.py': lines('ROOT = "/api"', 'API_PREFIX = ROOT + "/v2"'),
          'app/main.py': lines(
            'from fastapi import FastAPI',
            'from app import config',
            'from app.routers import chat',
            'app = FastAPI()',
            'app.include_router(chat.router, prefix=config.API_PREFIX)',
          ),
          'app/routers/__init__.py': '',
          'app/routers/chat.py': chatRouter,
        },
        '/api/v2/chat/stream',
      ],
      [
        'a settings attribute with a literal default, through nested routers',
        {
          'app/__init__.py': '',
          'app/core/__init__.py': '',
          'app/core/config.py': lines(
            'from pydantic_settings import BaseSettings',
            '',
            '',
            'class Settings(BaseSettings):',
            '    API_V1_STR: str = "/api/v1"',
            '',
            '',
            'settings = Settings()',
          ),
          'app/main.py': lines(
            'from fastapi import FastAPI',
            'from app.api import api_router',
            'from app.core.config import settings',
            'app = FastAPI()',
            'app.include_router(api_router, prefix=settings.API_V1_STR)',
          ),
          'app/api/__init__.py': lines(
            'from fastapi import APIRouter',
            'from app.routers import chat',
            'api_router = APIRouter()',
            'api_router.include_router(chat.router, prefix="/x")',
          ),
          'app/routers/__init__.py': '',
          'app/routers/chat.py': chatRouter,
        },
        '/api/v1/x/chat/stream',
      ],
      [
        "a router's own prefix from a constant",
        {
          'main.py': lines('from fastapi import FastAPI', 'import chat', 'app = FastAPI()', 'app.include_router(chat.router)'),
          'chat.py': lines('from fastapi import APIRouter', 'PREFIX = "/talk"', 'router = APIRouter(prefix=PREFIX)'),
        },
        '/talk/stream',
      ],
      [
        'a router imported inside the factory that includes it',
        {
          'app/__init__.py': '',
          'app/main.py': lines(
            'from fastapi import FastAPI',
            '',
            '',
            'def create_app() -> FastAPI:',
            '    from .routers import chat',
            '',
            '    app = FastAPI()',
            '    app.include_router(chat.router)',
            '    return app',
          ),
          'app/routers/__init__.py': '',
          'app/routers/chat.py': chatRouter,
        },
        '/chat/stream',
      ],
      [
        'a router in a namespace package (no __init__.py)',
        {
          'main.py': lines('from fastapi import FastAPI', 'from api.routers import chat', 'app = FastAPI()', 'app.include_router(chat.router, prefix="/api")'),
          'api/routers/chat.py': chatRouter,
        },
        '/api/chat/stream',
      ],
    ];
    for (const [name, workspace, url] of cases) {
      it(`${name}: ${url}, served by the app that includes it`, async () => {
        const routerFile = Object.keys(workspace).find((f) => f.endsWith('chat.py'))!;
        const result = await plan(workspace, { target: { file: routerFile, id: 'router' } });
        assert.equal(result.endpoint.url, url);
        assert.ok(result.endpoint.serve, 'endpoint.serve');
        assert.deepEqual(result.notes, []);
      });
    }

    it('a prefix that cannot be read is reported as unknown, never as a wrong URL', async () => {
      const result = await plan(
        {
          'main.py': lines(
            'from fastapi import FastAPI',
            'import chat',
            'from config import prefix_for',
            'app = FastAPI()',
            'app.include_router(chat.router, prefix=prefix_for("chat"))',
          ),
          'config.py': lines('def prefix_for(name: str) -> str:', '    return f"/api/{name}"'),
          'chat.py': ROUTER(''),
        },
        { target: { file: 'chat.py', id: 'router' } },
      );
      assert.equal(result.endpoint.url, '<prefix_for("chat")>/stream');
      assert.deepEqual(result.notes, [
        'The URL\'s prefix prefix_for("chat") is not a constant Catalyst can read, so the full URL is not known: the route is served at {prefix}/stream with {prefix} what that expression evaluates to.',
      ]);
    });
  });

  describe("apps in tests are not the project's apps", () => {
    const project = {
      'main.py': lines('from fastapi import FastAPI', '', 'app = FastAPI()'),
      'tests/conftest.py': lines(
        'import pytest',
        'from fastapi import FastAPI',
        '',
        '',
        '@pytest.fixture',
        'def app() -> FastAPI:',
        '    application = FastAPI()',
        '    return application',
      ),
      'tests/test_api.py': lines('from fastapi import FastAPI', 'stub = FastAPI()'),
      'test_smoke.py': lines('from fastapi import FastAPI', 'smoke = FastAPI()'),
      'service/health_test.py': lines('from fastapi import FastAPI', 'probe = FastAPI()'),
    };
    it('the default target is the one app outside tests/, test_*.py, *_test.py and conftest.py', async () => {
      const result = await plan(project);
      assert.equal(result.endpoint.file, 'main.py');
    });
    it('an app in test code is still a target when named', async () => {
      const result = await plan(project, { target: { file: 'tests/test_api.py' } });
      assert.equal(result.endpoint.file, 'tests/test_api.py');
      assert.equal(result.endpoint.owner, 'stub');
    });
    it('a router included by the app and by a test app is served by the app', async () => {
      const result = await plan(
        {
          'tests/conftest.py': lines('from fastapi import FastAPI', 'import chat', 'test_app = FastAPI()', 'test_app.include_router(chat.router)'),
          'main.py': lines('from fastapi import FastAPI', 'import chat', 'app = FastAPI()', 'app.include_router(chat.router, prefix="/api")'),
          'chat.py': ROUTER(''),
        },
        { target: { file: 'chat.py', id: 'router' } },
      );
      assert.equal(result.endpoint.url, '/api/stream');
      assert.equal(result.endpoint.serve?.app, 'main:app');
    });
  });
});
