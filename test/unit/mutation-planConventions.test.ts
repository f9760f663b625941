/**
 * The conventions a new route follows (routeConventions.ts): its siblings' shared tags and dependencies, and
 * tags where a generate_unique_id_function on the way to an app may read them. Each test names the Stryker
 * mutants it kills (`npm run test:mutation -- plan`).
 */
import assert from 'node:assert/strict';
import { routeConventions } from '../../src/core/plan/endpoint/routeConventions';
import { PythonWorkspace } from '../../src/core/python/workspace';

const lines = (...all: string[]): string => all.map((l) => `${l}\n`).join('');

async function conventions(files: Record<string, string>, file: string, id: string) {
  const workspace = new PythonWorkspace(new Map(Object.entries(files)));
  try {
    return await routeConventions(workspace, { file, id, analysis: await workspace.module(file)! });
  } finally {
    workspace.dispose();
  }
}

const HEAD = 'from fastapi import APIRouter, Depends, FastAPI';

describe('routeConventions (mutation-tested)', () => {
  // Kills: sharedKeyword's agreement (`every` same text), the first value's checks (missing, empty list or tuple,
  // spanning lines), the sibling filter (the owner's routes only, websockets left out), decoratorCall for a
  // decorator and for an add_api_route call, and the tags keyword and note.
  it('copies the tags every sibling route has, and only then', async () => {
    const app = (...routes: string[]) => ({ 'main.py': lines(HEAD, 'app = FastAPI()', 'other = APIRouter()', ...routes) });
    const shared = await conventions(
      app(
        '@app.get("/a", tags=["items"])',
        'def a() -> None: ...',
        'app.add_api_route("/b", a, tags=["items"])',
        '@app.websocket("/ws")',
        'async def ws() -> None: ...',
        '@other.get("/c", tags=["other"])',
        'def c() -> None: ...',
      ),
      'main.py',
      'app',
    );
    assert.deepEqual(shared, { keywords: ['tags=["items"]'], notes: ['The route has tags=["items"], as every other route of app has.'] });
    for (const [routes, why] of [
      [['@app.get("/a", tags=["items"])', 'def a() -> None: ...', '@app.get("/b", tags=["other"])', 'def b() -> None: ...'], 'different'],
      [['@app.get("/a", tags=["items"])', 'def a() -> None: ...', '@app.get("/b")', 'def b() -> None: ...'], 'one without'],
      [['@app.get("/a")', 'def a() -> None: ...', '@app.get("/b", tags=["items"])', 'def b() -> None: ...'], 'the first without'],
      [['@app.get("/a", tags=[])', 'def a() -> None: ...'], 'an empty list'],
      [['@app.get("/a", tags=())', 'def a() -> None: ...'], 'an empty tuple'],
      [['@app.get("/a", tags=[', '    "items",', '])', 'def a() -> None: ...'], 'over several lines'],
      [[], 'no siblings'],
      [['@app.get("/a", tags=["items"])', 'def a() -> None: ...', 'app.add_api_route("/b", a)'], 'an add_api_route call without'],
    ] as const) {
      assert.deepEqual(await conventions(app(...routes), 'main.py', 'app'), { keywords: [], notes: [] }, why);
    }
  });

  // Kills: isEmptyList's node check (an identifier has no named children either, and is no empty list).
  it('copies tags given by a name', async () => {
    const main = lines(HEAD, 'app = FastAPI()', '@app.get("/a", tags=TAGS)', 'def a() -> None: ...');
    assert.deepEqual((await conventions({ 'main.py': main }, 'main.py', 'app')).keywords, ['tags=TAGS']);
  });

  // Kills: the dependencies keyword and its note.
  it('copies the dependencies every sibling route declares', async () => {
    const main = lines(
      HEAD,
      'app = FastAPI()',
      '@app.get("/a", dependencies=[Depends(auth)])',
      'def a() -> None: ...',
      '@app.get("/b", dependencies=[Depends(auth)])',
      'def b() -> None: ...',
    );
    assert.deepEqual(await conventions({ 'main.py': main }, 'main.py', 'app'), {
      keywords: ['dependencies=[Depends(auth)]'],
      notes: ['The route has dependencies=[Depends(auth)], as every other route of app has (so it is guarded as they are).'],
    });
  });

  // Kills: untaggedIdFunction on the owner's constructor (FastAPI(...), APIRouter(...), an annotated assignment),
  // the default tag and its note, and the owner's own tags (hasTags: an empty list gives none).
  it('tags the route where the app or router has a generate_unique_id_function and gives no tags', async () => {
    const withApp = (constructor: string) => ({ 'main.py': lines(HEAD, constructor) });
    assert.deepEqual(await conventions(withApp('app = FastAPI(generate_unique_id_function=lambda r: r.tags[0])'), 'main.py', 'app'), {
      keywords: ['tags=["streaming"]'],
      notes: [
        'The route has tags=["streaming"]: app in main.py sets generate_unique_id_function, which is called for every route and may read its tags (a route without them would stop the app from starting), and the routes of app do not share tags to copy.',
      ],
    });
    assert.deepEqual((await conventions(withApp('app: FastAPI = FastAPI(generate_unique_id_function=f)'), 'main.py', 'app')).keywords, ['tags=["streaming"]']);
    assert.deepEqual((await conventions(withApp('app = FastAPI(generate_unique_id_function=f, tags=[])'), 'main.py', 'app')).keywords, ['tags=["streaming"]']);
    assert.deepEqual((await conventions(withApp('app = FastAPI(generate_unique_id_function=f, tags=["x"])'), 'main.py', 'app')).keywords, []);
    assert.deepEqual((await conventions(withApp('app = FastAPI()'), 'main.py', 'app')).keywords, []);
  });

  // Kills: the way up through include_router (its tags, its own generate_unique_id_function, the app's), the
  // include statement read as a call, and the visited set (routers including each other).
  it('follows the router up through every include_router to the apps', async () => {
    const main = (...rest: string[]) => ({ 'main.py': lines(HEAD, 'router = APIRouter()', ...rest) });
    const keywords = async (files: Record<string, string>) => (await conventions(files, 'main.py', 'router')).keywords;
    assert.deepEqual(await keywords(main('app = FastAPI(generate_unique_id_function=f)', 'app.include_router(router)')), ['tags=["streaming"]']);
    assert.deepEqual(await keywords(main('app = FastAPI(generate_unique_id_function=f)', 'app.include_router(router, tags=["x"])')), []);
    assert.deepEqual(
      await keywords(
        main('app = FastAPI(generate_unique_id_function=f)', 'outer = APIRouter(tags=["x"])', 'outer.include_router(router)', 'app.include_router(outer)'),
      ),
      [],
    );
    const viaInclude = await conventions(main('app = FastAPI()', 'app.include_router(router, generate_unique_id_function=f)'), 'main.py', 'router');
    assert.match(viaInclude.notes[0] ?? '', /^The route has tags=\["streaming"\]: the include_router call in main\.py sets generate_unique_id_function/);
    assert.deepEqual(await keywords(main('a = APIRouter()', 'a.include_router(router)', 'router.include_router(a)')), [], 'a cycle ends');
    // Kills: an include_router with tags and its own id function (`!taggedThere` forced), and the search going on
    // past an inclusion that leads to no id function (`found !== undefined` forced).
    assert.deepEqual(await keywords(main('app = FastAPI()', 'app.include_router(router, tags=["x"], generate_unique_id_function=f)')), []);
    assert.deepEqual(
      await keywords(main('plain = FastAPI()', 'plain.include_router(router)', 'app = FastAPI(generate_unique_id_function=f)', 'app.include_router(router)')),
      ['tags=["streaming"]'],
    );
    // Kills: the router's own constructor found by its id (`r.id === id` inverted finds another router's).
    const second = lines(HEAD, 'a = APIRouter()', 'router = APIRouter(generate_unique_id_function=f)');
    assert.deepEqual((await conventions({ 'main.py': second }, 'main.py', 'router')).keywords, ['tags=["streaming"]']);
  });

  // Kills: ownerConstructor for a factory and for the app a factory makes (`createdBy`), the factory body's
  // assignment to its own variable only.
  it("reads a factory's FastAPI(...) for the factory and for the app it makes", async () => {
    const main = lines(
      HEAD,
      '',
      '',
      'def create_app() -> FastAPI:',
      '    other = FastAPI()',
      '    application = FastAPI(generate_unique_id_function=f)',
      '    return application',
      '',
      '',
      'app = create_app()',
    );
    assert.match((await conventions({ 'main.py': main }, 'main.py', 'create_app')).notes[0] ?? '', /: create_app in main\.py sets generate_unique_id_function/);
    assert.match((await conventions({ 'main.py': main }, 'main.py', 'app')).notes[0] ?? '', /: app in main\.py sets generate_unique_id_function/);
    const other = main.replace(
      '    other = FastAPI()\n    application = FastAPI(generate_unique_id_function=f)',
      '    other = FastAPI(generate_unique_id_function=f)\n    application = FastAPI()',
    );
    assert.deepEqual((await conventions({ 'main.py': other }, 'main.py', 'create_app')).keywords, []);
  });
});
