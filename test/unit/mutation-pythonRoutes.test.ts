// Cases for python/routes.ts asked of its RouteResolver directly (routes.test.ts asks the analysis and the
// LLM detection): the methods, paths, owners and native-SSE flags of each decorator form.
import assert from 'node:assert/strict';
import { parsePython, type SyntaxNode } from '../../src/core/python/parser';
import { RouteResolver } from '../../src/core/python/routes';

/** For each function of the module (nested ones too), in order: `name: METHODS path owner/id/kind/prefix sse` per route. */
async function routesIn(source: string): Promise<string[]> {
  const tree = await parsePython(source);
  try {
    const resolver = new RouteResolver(tree.rootNode);
    return tree.rootNode.descendantsOfType('function_definition').flatMap((fn: SyntaxNode | null) =>
      resolver.routesOf(fn!).map((r) => {
        const o = r.ownerInfo;
        const owner = `${r.owner}/${o.id}/${o.kind}/${o.prefix}${o.prefixExpression ? `{${o.prefixExpression.text}}` : ''}${o.createdBy ? `<${o.createdBy}` : ''}`;
        return `${fn!.childForFieldName('name')!.text}: ${r.methods.join(',')} ${r.path ?? r.pathLiteral ?? '?'} ${owner}${r.nativeSse ? ' sse' : ''}`;
      }),
    );
  } finally {
    tree.delete();
  }
}

const IMPORTS = 'from fastapi import APIRouter, FastAPI\nfrom fastapi.sse import EventSourceResponse\n';

describe('RouteResolver: each decorator form', () => {
  it('reads methods= lists and tuples, falls back to GET when one is computed or a name, and websocket_route', async () => {
    const routes = await routesIn(
      IMPORTS +
        'app = FastAPI()\n' +
        '@app.api_route("/a", methods=["get", "Post"])\ndef a(): ...\n' +
        '@app.api_route("/c", methods=["GET", verb])\ndef c(): ...\n' +
        '@app.api_route("/g", methods=METHODS)\ndef g(): ...\n' +
        '@app.api_route("/h", methods=("put",))\ndef h(): ...\n' +
        '@app.websocket_route("/d")\ndef d(): ...\n' +
        '@app.mount("/e")\ndef e(): ...\n' +
        '@app.add_api_route("/f")\ndef f(): ...\n',
    );
    assert.deepEqual(routes, [
      'a: GET,POST /a app/app/app/',
      'c: GET /c app/app/app/',
      // A name (not a literal) gave no methods at all.
      'g: GET /g app/app/app/',
      'h: PUT /h app/app/app/',
      'd: WEBSOCKET /d app/app/app/',
    ]);
  });

  it('reads path=, a non-literal path, and skips decorators that are not owner calls', async () => {
    const routes = await routesIn(
      IMPORTS +
        'app = FastAPI()\n' +
        '@app.get(path="/kw")\ndef kw(): ...\n' +
        '@app.get(PATH)\ndef computed(): ...\n' +
        '@staticmethod\n@make().get("/x")\n@other.get("/y")\n@app.get\n@app["get"]("/z")\ndef none(): ...\n' +
        'def plain(): ...\n',
    );
    assert.deepEqual(routes, ['kw: GET /kw app/app/app/', 'computed: GET ? app/app/app/']);
  });

  it('flags native SSE from response_class (both import paths) or the owner default, only when the handler yields', async () => {
    const routes = await routesIn(
      'from fastapi import APIRouter, FastAPI\nimport fastapi.responses\nfrom fastapi.sse import EventSourceResponse as ESR\n' +
        'app = FastAPI()\nrouter = APIRouter(default_response_class=ESR)\n' +
        '@app.get("/a", response_class=ESR)\nasync def a():\n    yield 1\n' +
        '@app.get("/b", response_class=fastapi.responses.EventSourceResponse)\nasync def b():\n    yield 1\n' +
        '@app.get("/c", response_class=ESR)\nasync def c():\n    return 1\n' +
        '@router.get("/d")\nasync def d():\n    yield 1\n' +
        '@router.get("/e", response_class=Other)\nasync def e():\n    yield 1\n' +
        '@app.get("/f")\nasync def f():\n    yield 1\n',
    );
    assert.deepEqual(routes, [
      'a: GET /a app/app/app/ sse',
      'b: GET /b app/app/app/ sse',
      'c: GET /c app/app/app/',
      'd: GET /d router/router/router/ sse',
      'e: GET /e router/router/router/',
      'f: GET /f app/app/app/',
    ]);
  });

  it('reads owners by annotation, routers with literal and computed prefixes, factories, and inner scopes first', async () => {
    const routes = await routesIn(
      IMPORTS +
        'def create_app() -> FastAPI:\n    return build()\n' +
        'def make():\n    inner = FastAPI()\n    @inner.get("/in")\n    def in_factory(): ...\n    return inner\n' +
        'def not_factory():\n    x = FastAPI()\n    return None\n' +
        'app: FastAPI = build()\nmade = create_app()\nother = not_factory()\n' +
        'api: APIRouter = make_router()\nv1 = APIRouter(prefix="/v1")\nv2 = APIRouter(prefix=settings.PREFIX)\n' +
        '@app.get("/a")\ndef a(): ...\n@made.get("/b")\ndef b(): ...\n@other.get("/x")\ndef x(): ...\n' +
        '@api.get("/c")\ndef c(): ...\n@v1.get("/d")\ndef d(): ...\n@v2.get("/e")\ndef e(): ...\n' +
        'def scoped():\n    app = APIRouter()\n    @app.get("/f")\n    def f(): ...\n',
    );
    assert.deepEqual(routes, [
      'in_factory: GET /in inner/make/app/',
      'a: GET /a app/app/app/',
      'b: GET /b made/made/app/<create_app',
      'c: GET /c api/api/router/',
      'd: GET /d v1/v1/router//v1',
      'e: GET /e v2/v2/router/{settings.PREFIX}',
      'f: GET /f app/app/router/',
    ]);
  });

  it('routeOf gives the first HTTP route, never a websocket one', async () => {
    const tree = await parsePython(IMPORTS + 'app = FastAPI()\n@app.websocket("/ws")\n@app.get("/h")\ndef both(): ...\n@app.websocket("/w")\ndef ws(): ...\n');
    try {
      const resolver = new RouteResolver(tree.rootNode);
      const [both, ws] = tree.rootNode.descendantsOfType('function_definition');
      assert.equal(resolver.routeOf(both!)?.path, '/h');
      assert.equal(resolver.routeOf(ws!), null);
      assert.deepEqual([...resolver.moduleFactories().keys()], []);
    } finally {
      tree.delete();
    }
  });
});
