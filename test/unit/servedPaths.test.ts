/**
 * The path the Preview CodeLens opens for a route: the one the serving app answers at, with every
 * include_router prefix on the way (constants from other modules read), as add-endpoint prints it.
 */
import assert from 'node:assert/strict';
import { analyzePythonModule } from '../../src/core/python/analysis';
import { servedRoutePaths } from '../../src/core/python/servedPaths';

const lines = (...all: string[]) => all.map((l) => `${l}\n`).join('');

const CHAT = lines(
  'from fastapi import APIRouter',
  '',
  'router = APIRouter(prefix="/chat")',
  '',
  '',
  '@router.get("/stream")',
  'async def stream() -> None: ...',
);

async function pathsIn(files: Record<string, string>, file: string): Promise<string[]> {
  const analysis = await analyzePythonModule(files[file]!);
  try {
    return await servedRoutePaths(new Map(Object.entries(files)), file, analysis.routes);
  } finally {
    analysis.dispose();
  }
}

describe('servedRoutePaths (the Preview CodeLens URL)', () => {
  it('a router included with a constant prefix from another module: the full path the app serves', async () => {
    const paths = await pathsIn(
      {
        'app/__init__.py': '',
        'app/config.py': 'API_PREFIX = "/api/v1"\n',
        'app/routers/__init__.py': '',
        'app/routers/chat.py': CHAT,
        'app/main.py': lines(
          'from fastapi import FastAPI',
          '',
          'from .config import API_PREFIX',
          'from .routers import chat',
          '',
          'app = FastAPI()',
          'app.include_router(chat.router, prefix=API_PREFIX)',
        ),
      },
      'app/routers/chat.py',
    );
    assert.deepEqual(paths, ['/api/v1/chat/stream']);
  });

  it('a router no app includes keeps its own prefix', async () => {
    assert.deepEqual(await pathsIn({ 'chat.py': CHAT }, 'chat.py'), ['/chat/stream']);
  });

  it('a prefix that is not a readable constant keeps the router-only path rather than a placeholder', async () => {
    const paths = await pathsIn(
      {
        'chat.py': CHAT,
        'main.py': lines(
          'from fastapi import FastAPI',
          '',
          'import chat',
          'from config import prefix_for',
          '',
          'app = FastAPI()',
          'app.include_router(chat.router, prefix=prefix_for("x"))',
        ),
        'config.py': 'def prefix_for(name: str) -> str:\n    return f"/{name}"\n',
      },
      'chat.py',
    );
    assert.deepEqual(paths, ['/chat/stream']);
  });

  it("an app's routes are served at their own path", async () => {
    const main = lines('from fastapi import FastAPI', '', 'app = FastAPI()', '', '', '@app.get("/stream")', 'async def stream() -> None: ...');
    assert.deepEqual(await pathsIn({ 'main.py': main }, 'main.py'), ['/stream']);
  });
});
