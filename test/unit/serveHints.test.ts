import assert from 'node:assert/strict';
import { importRootOf, streamingModuleFile } from '../../src/core/plan/modulePaths';
import { serveCommand } from '../../src/core/plan/serveCommand';
import { servingCandidates } from '../../src/core/plan/servingCandidates';
import { dockerfileCommands, fastapiEntrypoint, procfileCommands, serveHints, shellWords, uvicornTargetInWords } from '../../src/core/python/serveHints';
import { PythonWorkspace } from '../../src/core/python/workspace';
import { declaresFastapiCli, requirementExtras } from '../../src/core/workspace/dependencies';

describe('serve hints: how the project says its app is served', () => {
  it('reads [tool.fastapi] entrypoint with a TOML parser, and nothing from invalid TOML', () => {
    assert.equal(fastapiEntrypoint('[tool.fastapi]\nentrypoint = "shop.asgi:app"\n'), 'shop.asgi:app');
    assert.equal(fastapiEntrypoint('[tool.fastapi]\n# entrypoint = "x:app"\n'), undefined);
    assert.equal(fastapiEntrypoint('[tool.fastapi\nentrypoint = "x:app"'), undefined);
    assert.equal(fastapiEntrypoint('[tool]\nfastapi = { entrypoint = "a.b:api" }\n'), 'a.b:api');
  });

  it('finds the app in uvicorn and gunicorn command lines, with --app-dir and --factory, past options that take values', () => {
    const target = (line: string) => uvicornTargetInWords(shellWords(line));
    assert.deepEqual(target('uvicorn --app-dir src notes.web:application --host 0.0.0.0 --port ${PORT:-8000}'), {
      appDir: 'src',
      app: 'notes.web:application',
      factory: false,
    });
    assert.deepEqual(target('python -m uvicorn --host 0.0.0.0 --port 80 shop.app:create_app --factory'), {
      appDir: '',
      app: 'shop.app:create_app',
      factory: true,
    });
    assert.deepEqual(target('gunicorn -w 4 -k uvicorn.workers.UvicornWorker -b :8000 api.main:app'), { appDir: '', app: 'api.main:app', factory: false });
    assert.deepEqual(target('/venv/bin/uvicorn "--app-dir=./backend" main:app'), { appDir: 'backend', app: 'main:app', factory: false });
    assert.equal(target('celery -A tasks worker'), undefined);
    assert.equal(target('gunicorn app:app'), undefined, 'a WSGI server is not uvicorn');
  });

  it('reads Procfile processes (web first) and Dockerfile CMD/ENTRYPOINT in exec and shell form, continued lines joined', () => {
    assert.deepEqual(procfileCommands('worker: celery -A tasks worker\nweb: uvicorn main:app\n'), [
      ['uvicorn', 'main:app'],
      ['celery', '-A', 'tasks', 'worker'],
    ]);
    assert.deepEqual(dockerfileCommands('FROM python\nCMD ["uvicorn", "gateway.entry:api", "--port", "80"]\n'), [
      ['uvicorn', 'gateway.entry:api', '--port', '80'],
    ]);
    assert.deepEqual(dockerfileCommands('FROM python\nCMD uvicorn app.main:app \\\n    --host 0.0.0.0\n'), [['uvicorn', 'app.main:app', '--host', '0.0.0.0']]);
  });

  it('splits words as a shell does: quotes, escapes, comments', () => {
    assert.deepEqual(shellWords(`a 'b c' "d \\"e\\"" f\\ g # h`), ['a', 'b c', 'd "e"', 'f g']);
  });

  it('reads uvicorn.run("pkg.mod:app", factory=True) in a __main__ block only, through the module\'s imports', async () => {
    const workspace = new PythonWorkspace(
      new Map([
        ['run.py', 'import uvicorn\n\nif __name__ == "__main__":\n    uvicorn.run("service.http:make_app", factory=True, reload=True)\n'],
        ['other.py', 'from uvicorn import run\n\nrun("not.main:app")\nif __name__ == "__main__":\n    run(app)\n'],
        ['service/__init__.py', ''],
        ['service/http.py', 'def make_app(): ...\n'],
      ]),
    );
    try {
      assert.deepEqual(await serveHints(workspace, new Map()), [{ target: { appDir: '', app: 'service.http:make_app', factory: true }, source: 'run.py' }]);
    } finally {
      workspace.dispose();
    }
  });

  it("orders candidates: the project's hints, the source's app, then modules that make an instance (usual names first), each once", async () => {
    const files = new Map([
      ['Procfile', ''],
      ['pkg/__init__.py', ''],
      ['pkg/routes.py', 'from fastapi import APIRouter\n\nrouter = APIRouter()\n'],
      [
        'pkg/launcher.py',
        'from fastapi import FastAPI\nfrom pkg.routes import router\n\ndef create_app(x):\n    app = FastAPI()\n    app.include_router(router)\n    return app\n',
      ],
      ['pkg/main.py', 'from pkg.launcher import create_app\n\napp = create_app(1)\n'],
      ['pkg/serve.py', 'import uvicorn\nfrom pkg.main import app\n\nuvicorn.run(app)\n'],
      ['tests/test_app.py', 'from pkg.main import app\nclient = make(app)\n'],
    ]);
    const candidates = await servingCandidates(files, { file: 'pkg/routes.py', id: 'router' }, new Map([['Procfile', 'web: uvicorn pkg.main:app']]));
    assert.deepEqual(
      candidates.map((c) => [c.kind, c.target.app, c.target.factory]),
      [
        ['declared', 'pkg.main:app', false],
        ['source', 'pkg.launcher:create_app', true],
        ['instance', 'pkg.main', false],
        ['instance', 'pkg.routes', false],
      ],
      'pkg/serve.py starts a server when imported, and tests are not the app',
    );
  });
});

describe('serveCommand: fastapi dev where the project has the FastAPI CLI, uvicorn otherwise', () => {
  const files = new Set(['shop/__init__.py', 'shop/main.py', 'app/main.py', 'src/notes/__init__.py', 'src/notes/web.py']);
  it('uses uvicorn without the CLI, and for a factory', () => {
    assert.deepEqual(serveCommand({ appDir: '', app: 'shop.main:app', factory: false }, { fastapiCli: false, pythonFiles: files }), {
      program: 'uvicorn',
      args: ['shop.main:app'],
    });
    assert.deepEqual(serveCommand({ appDir: '', app: 'shop.main:make', factory: true }, { fastapiCli: true, pythonFiles: files }).program, 'uvicorn');
  });

  it('gives fastapi dev the module file and the app, or nothing when the entrypoint names it', () => {
    assert.deepEqual(
      serveCommand({ appDir: '', app: 'shop.main:app', factory: false }, { fastapiCli: true, pythonFiles: files }, { host: '127.0.0.1', port: 8001 }),
      {
        program: 'fastapi',
        args: ['dev', 'shop/main.py', '--app', 'app', '--host', '127.0.0.1', '--port', '8001'],
      },
    );
    assert.deepEqual(serveCommand({ appDir: 'src', app: 'notes.web:application', factory: false }, { fastapiCli: true, pythonFiles: files }).args, [
      'dev',
      'src/notes/web.py',
      '--app',
      'application',
    ]);
    assert.deepEqual(
      serveCommand({ appDir: '', app: 'app.main:app', factory: false }, { fastapiCli: true, entrypoint: 'app.main:app', pythonFiles: files }).args,
      ['dev'],
    );
  });

  it('keeps uvicorn where the CLI would import the module by another name (a folder without __init__.py)', () => {
    assert.equal(serveCommand({ appDir: '', app: 'app.main:app', factory: false }, { fastapiCli: true, pythonFiles: files }).program, 'uvicorn');
  });

  it('reads fastapi[standard], fastapi[all] and fastapi-cli as the CLI, plain fastapi not', () => {
    const declares = (requirements: string, pyproject?: string) =>
      declaresFastapiCli({ requirements: new Map([['requirements.txt', requirements]]), ...(pyproject ? { pyproject } : {}) });
    assert.equal(declares('fastapi[standard]>=0.115\n'), true);
    assert.equal(declares('FastAPI [ Standard ] \n'), true);
    assert.equal(declares('fastapi-cli\n'), true);
    assert.equal(declares('fastapi>=0.110\nuvicorn[standard]\n'), false);
    assert.equal(declares('', '[project]\ndependencies = ["fastapi[all]"]\n'), true);
    assert.equal(declares('', '[tool.poetry.dependencies]\nfastapi = { version = "*", extras = ["standard"] }\n'), true);
    assert.deepEqual(requirementExtras('uvicorn[standard,Extra_One] ; python_version > "3.8"'), ['standard', 'extra-one']);
  });
});

describe('streaming package placement from the imported module name', () => {
  it('goes to the top package the app imported the route module from', () => {
    const workspace = new PythonWorkspace(new Map([['server/routes/chat.py', '']]));
    try {
      assert.equal(importRootOf('server/routes/chat.py', 'server.routes.chat'), '');
      assert.equal(importRootOf('src/notes/routes.py', 'notes.routes'), 'src');
      assert.equal(importRootOf('src/notes/routes.py', 'other.routes'), undefined);
      assert.equal(streamingModuleFile(workspace, 'server/routes/chat.py', undefined, 'server.routes.chat'), 'server/streaming.py');
      assert.equal(streamingModuleFile(workspace, 'server/routes/chat.py', undefined, 'routes.chat'), 'server/routes/streaming.py');
      assert.equal(streamingModuleFile(workspace, 'main.py', undefined, 'main'), 'streaming.py');
      assert.equal(streamingModuleFile(workspace, 'server/routes/chat.py', 'lib', 'server.routes.chat'), 'lib/streaming.py', 'a named location wins');
    } finally {
      workspace.dispose();
    }
  });
});
