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

  it('gives every hint in order, each app under its import root: entrypoint, Procfile, Dockerfile, then __main__ blocks', async () => {
    const workspace = new PythonWorkspace(
      new Map([
        // Not Python, yet named like the module (it would give 'lib' as the root): mutant 213 (endsWith('.py') -> true).
        ['lib/notes/web', ''],
        ['lib/notes/__init__.py', ''],
        // A Python file at the root ('') that is not the module: mutants 213 (|| and !== module).
        ['run.py', 'import uvicorn\n\nif __name__ == "__main__":\n    uvicorn.run(app="notes.web:api", app_dir="./backend/")\n'],
        ['src/notes/__init__.py', ''],
        ['src/notes/web.py', 'app = None\n'],
        // Not read: a test file, a non-Python file, and a module that never says __main__ (mutants 46).
        ['tests/test_run.py', 'import uvicorn\nif __name__ == "__main__":\n    uvicorn.run("tests.x:app")\n'],
        ['notes.txt', 'import uvicorn\nif __name__ == "__main__": uvicorn.run("x:app")'],
        ['serve.py', 'import uvicorn\nuvicorn.run("served:app")\n'],
        // Says __main__ without a __main__ block (mutants 190-191: no block to read).
        ['banner.py', 'print("__main__")\n'],
        // A __main__ block without app_dir: its root is looked up (mutants 50); other calls with strings are not uvicorn.run (196).
        [
          'dev.py',
          'import uvicorn\n\nif __name__ == "__main__":\n    print("other.mod:app")\n    uvicorn.run("notes.web:app", "./x:app")\n    uvicorn.run("./notes.web:app")\n    uvicorn.run("notes.web:make()")\n    uvicorn.run("missing.mod:app")\n',
        ],
      ]),
    );
    try {
      const hints = await serveHints(
        workspace,
        new Map([
          ['pyproject.toml', '[tool.fastapi]\nentrypoint = "notes.web:app"\n'],
          ['Procfile', 'release: alembic upgrade head\nweb: uvicorn missing.mod:app\n'],
          ['Dockerfile', 'CMD ["gunicorn", "-k", "uvicorn.workers.UvicornWorker", "notes.web:app"]\n'],
        ]),
      );
      assert.deepEqual(hints, [
        { target: { appDir: 'src', app: 'notes.web:app', factory: false }, source: 'pyproject.toml [tool.fastapi] entrypoint' },
        { target: { appDir: '', app: 'missing.mod:app', factory: false }, source: 'Procfile' },
        { target: { appDir: '', app: 'notes.web:app', factory: false }, source: 'Dockerfile' },
        // app_dir given: kept (mutants 50, 204).
        { target: { appDir: 'backend', app: 'notes.web:api', factory: false }, source: 'run.py' },
        { target: { appDir: 'src', app: 'notes.web:app', factory: false }, source: 'dev.py' },
        // Not in the workspace: no import root (mutant 218).
        { target: { appDir: '', app: 'missing.mod:app', factory: false }, source: 'dev.py' },
      ]);
    } finally {
      workspace.dispose();
    }
  });

  it('reads only string entrypoints naming an attribute, trimmed', () => {
    // Mutants 64 (the ':' check, includes(''), trim removed).
    assert.equal(fastapiEntrypoint('[tool.fastapi]\nentrypoint = "main"\n'), undefined);
    assert.equal(fastapiEntrypoint('[tool.fastapi]\nentrypoint = " main:app "\n'), 'main:app');
  });

  it('reads Procfile lines: comments, unnamed lines and spaced names', () => {
    // Mutants 75 (trim().startsWith('#') -> endsWith, no trim; colon <= 0 -> < 0), 78 (the name's trim).
    assert.deepEqual(procfileCommands('# web: uvicorn a:app\n  # web: uvicorn b:app\n: uvicorn c:app\nworker: celery\nweb : uvicorn d:app\n'), [
      ['uvicorn', 'd:app'],
      ['celery'],
    ]);
    assert.deepEqual(procfileCommands(undefined), []);
  });

  it('reads Dockerfile instructions: indented, continued mid-word, exec form of strings only', () => {
    // Mutants 85 (continuation -> ''), 88 (^ removed, \s* -> \S*), 97 (the all-strings check).
    assert.deepEqual(dockerfileCommands('RUN echo CMD uvicorn no:app\n  CMD uvicorn\\\nmain:app\n'), [['uvicorn', 'main:app']]);
    assert.deepEqual(dockerfileCommands('ENTRYPOINT ["uvicorn", 1]\n'), [['[uvicorn,', '1]']]);
    assert.deepEqual(dockerfileCommands('CMD [uvicorn\n'), [['[uvicorn']]);
    assert.deepEqual(dockerfileCommands(undefined), []);
  });

  it("reads uvicorn's and gunicorn's options: flags, values that look like apps, --chdir, factories", () => {
    const target = (line: string) => uvicornTargetInWords(shellWords(line));
    // 163 (i <= length reads past the end): no app at all.
    assert.equal(target('uvicorn --reload'), undefined);
    // 165 (--factory before the app), 171 (a flag that takes no value, -> true / endsWith).
    assert.deepEqual(target('uvicorn --factory --reload shop:make'), { appDir: '', app: 'shop:make', factory: true });
    // 173 (a value option's value looks like an app): --header's and gunicorn -n's.
    assert.deepEqual(target('uvicorn --header server:catalyst main:app'), { appDir: '', app: 'main:app', factory: false });
    assert.deepEqual(target('gunicorn -n web:api -k uvicorn.workers.UvicornWorker api.main:app'), { appDir: '', app: 'api.main:app', factory: false });
    // gunicorn's long options take a value too (--name web:api), its flags do not (--preload), nor `--opt=value`.
    assert.deepEqual(target('gunicorn --name web:api --worker-class uvicorn.workers.UvicornWorker api.main:app'), {
      appDir: '',
      app: 'api.main:app',
      factory: false,
    });
    assert.deepEqual(target('gunicorn --preload --name=web:api -k uvicorn.workers.UvicornWorker api.main:app'), {
      appDir: '',
      app: 'api.main:app',
      factory: false,
    });
    assert.deepEqual(target('gunicorn -k uvicorn.workers.UvicornWorker --preload api.main:app')?.app, 'api.main:app');
    // 173 (^-[a-zA-Z] without $): gunicorn's -w4 carries its value.
    assert.deepEqual(target('gunicorn -k uvicorn.workers.UvicornWorker -w4 api.main:app'), { appDir: '', app: 'api.main:app', factory: false });
    // 173 (start < 0 side): uvicorn's own single-letter flags take no value.
    assert.deepEqual(target('uvicorn -q api.main:app'), { appDir: '', app: 'api.main:app', factory: false });
    // 169 (--chdir), and normaliseDir: backslashes, a leading './', trailing slashes, dots inside a name.
    assert.deepEqual(target("gunicorn --chdir '.\\services\\api.v2//' -k uvicorn.workers.UvicornWorker api:app"), {
      appDir: 'services/api.v2',
      app: 'api:app',
      factory: false,
    });
    assert.deepEqual(target('uvicorn --app-dir=. main:app')?.appDir, '');
    assert.deepEqual(target('uvicorn --app-dir services/api.v2 main:app')?.appDir, 'services/api.v2');
    // 176 (the app pattern's anchors), 179-180 (a factory called with ()).
    assert.equal(target('uvicorn ./main:app'), undefined);
    assert.equal(target('uvicorn main:app.v2'), undefined);
    assert.deepEqual(target('uvicorn "main:create()"'), { appDir: '', app: 'main:create', factory: true });
    // 156-157 (gunicorn$, the uvicorn-word check), 160 (words before the server are not its arguments).
    assert.equal(target('hypercorn uvicorn_app:app'), undefined);
    assert.equal(target('gunicorn_start -k uvicorn.workers.UvicornWorker api:app'), undefined);
    assert.deepEqual(target('tasks:web uvicorn main:app')?.app, 'main:app');
    assert.deepEqual(target('tasks:web gunicorn -k uvicorn.workers.UvicornWorker main:app')?.app, 'main:app');
  });

  it('keeps a trailing backslash, a leading escape and a # inside a word', () => {
    // Mutants 245 (a backslash at the end), 246 (an escape that starts a word), 250 ('#' inside a word).
    assert.deepEqual(shellWords('a\\'), ['a\\']);
    assert.deepEqual(shellWords('\\$HOME x#y'), ['$HOME', 'x#y']);
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
