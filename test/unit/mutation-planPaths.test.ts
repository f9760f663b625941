/**
 * Module paths, the serve command and the migration of 0.1.x/0.2.x imports at their edges: which file
 * `fastapi dev` is given, where the streaming package goes, how one module imports another, and how each
 * legacy import is rewritten or refused. Each test names the Stryker mutants it kills
 * (`npm run test:mutation -- plan`).
 */
import assert from 'node:assert/strict';
import {
  importModuleFor,
  importRootOf,
  importsOwnPackageAbsolutely,
  normaliseFile,
  packageFolder,
  streamingModuleFile,
  uvicornTargetFor,
} from '../../src/core/plan/modulePaths';
import { readServeConfigFiles, readServeDeclarations, serveCommand } from '../../src/core/plan/serveCommand';
import { migrateLegacyImports, namesImportedFromPackage, type LegacyModules } from '../../src/core/plan/streamingMigration';
import { PythonWorkspace } from '../../src/core/python/workspace';
import { memoryProjectFiles, type ProjectFiles } from '../../src/core/workspace/projectFiles';

/** Runs `body` with a workspace of `files`, disposed after. */
async function withWorkspace<T>(files: Record<string, string>, body: (workspace: PythonWorkspace) => Promise<T> | T): Promise<T> {
  const workspace = new PythonWorkspace(new Map(Object.entries(files)));
  try {
    return await body(workspace);
  } finally {
    workspace.dispose();
  }
}

describe('serveCommand edges (mutation-tested)', () => {
  const app = (name: string, appDir = '') => ({ appDir, app: name, factory: false });
  const fastapi = (pythonFiles: string[]) => ({ fastapiCli: true, pythonFiles: new Set(pythonFiles) });

  // Kills: the package form of the module file (`${base}${parts}/__init__.py` emptied, its '/' join emptied),
  // and the parent-package check's '/' join (a three-level module).
  it('gives fastapi dev a package module and a module three levels down', () => {
    assert.deepEqual(serveCommand(app('shop:app'), fastapi(['shop/__init__.py'])).args, ['dev', 'shop/__init__.py', '--app', 'app']);
    assert.deepEqual(serveCommand(app('shop.api:app'), fastapi(['shop/__init__.py', 'shop/api/__init__.py'])).args, [
      'dev',
      'shop/api/__init__.py',
      '--app',
      'app',
    ]);
    assert.deepEqual(serveCommand(app('a.b.c:app'), fastapi(['a/__init__.py', 'a/b/__init__.py', 'a/b/c.py'])).args, ['dev', 'a/b/c.py', '--app', 'app']);
    assert.equal(serveCommand(app('a.b.c:app'), fastapi(['a/__init__.py', 'a/b/c.py'])).program, 'uvicorn', 'a/b is no package');
  });

  // Kills: `moduleFile === undefined` turned into false (a module the workspace does not hold given to fastapi dev).
  it('keeps uvicorn for a module the workspace does not hold', () => {
    assert.deepEqual(serveCommand(app('gone:app'), fastapi(['main.py'])), { program: 'uvicorn', args: ['gone:app'] });
  });

  // Kills: the app folder's own-package check (`appDir !== ''` flipped or either side forced, its path emptied).
  it('keeps uvicorn when the app folder is itself a package, fastapi dev when it is not', () => {
    assert.equal(serveCommand(app('web:app', 'src'), fastapi(['src/web.py', 'src/__init__.py'])).program, 'uvicorn');
    assert.deepEqual(serveCommand(app('web:app', 'src'), fastapi(['src/web.py'])).args, ['dev', 'src/web.py', '--app', 'app']);
    // A top-level module with an `__init__.py` beside it at the workspace folder: no app folder to walk past.
    assert.deepEqual(serveCommand(app('web:app'), fastapi(['web.py', '__init__.py'])).args, ['dev', 'web.py', '--app', 'app']);
  });
});

describe('readServeConfigFiles, readServeDeclarations (mutation-tested)', () => {
  const project = (files: Record<string, string>) => memoryProjectFiles('/p', new Map(Object.entries(files)));

  // Kills: the loop over SERVE_HINT_FILES emptied, and `source !== undefined` turned into false.
  it('reads the configuration files that exist, and only those', async () => {
    const files = await readServeConfigFiles(project({ 'pyproject.toml': '[project]\n', Dockerfile: 'FROM python\n', 'main.py': '' }));
    assert.deepEqual([...files].sort(), [
      ['Dockerfile', 'FROM python\n'],
      ['pyproject.toml', '[project]\n'],
    ]);
  });

  // Kills: the requirements-file filter (file kind, `^requirements.*\.txt$` loosened or its anchors dropped),
  // the read text kept, the folder read's fallback to [] and its loop emptied.
  it('finds the FastAPI CLI in top-level requirements*.txt files only', async () => {
    const declares = async (files: Record<string, string>) => (await readServeDeclarations(project(files), new Map())).fastapiCli;
    assert.equal(await declares({ 'requirements.txt': 'fastapi[standard]\n' }), true);
    assert.equal(await declares({ 'requirements-dev.txt': 'fastapi-cli\n' }), true);
    assert.equal(await declares({ 'requirements.txt': 'fastapi\n' }), false);
    assert.equal(await declares({ 'dev-requirements.txt': 'fastapi-cli\n' }), false, 'not requirements*.txt');
    assert.equal(await declares({ 'requirements.txt.bak': 'fastapi-cli\n' }), false, 'not ending in .txt');
    // A folder named like a requirements file is not read, even where reading its name would give text.
    const folder: ProjectFiles = {
      root: '/p',
      readDirectory: () => Promise.resolve([{ name: 'requirements.txt', kind: 'directory' }]),
      readFile: () => Promise.resolve(new TextEncoder().encode('fastapi-cli\n')),
    };
    assert.equal((await readServeDeclarations(folder, new Map())).fastapiCli, false, 'a folder, not a file');
    // Kills: `source !== undefined` forced (a listed file gone by the time it is read).
    const gone: ProjectFiles = {
      ...folder,
      readDirectory: () => Promise.resolve([{ name: 'requirements.txt', kind: 'file' }]),
      readFile: () => Promise.resolve(undefined),
    };
    assert.deepEqual(await readServeDeclarations(gone, new Map()), { fastapiCli: false });
    const failing: ProjectFiles = { root: '/p', readDirectory: () => Promise.reject(new Error('EACCES')), readFile: () => Promise.resolve(undefined) };
    assert.deepEqual(await readServeDeclarations(failing, new Map()), { fastapiCli: false });
  });

  // Kills: the pyproject read ('pyproject.toml' emptied), passed on only when there is one, and the entrypoint
  // spread (`entrypoint !== undefined` flipped or forced, `{ entrypoint }` emptied).
  it('reads the CLI and the entrypoint from pyproject.toml', async () => {
    const pyproject = '[project]\ndependencies = ["fastapi[standard]"]\n[tool.fastapi]\nentrypoint = "shop.main:app"\n';
    assert.deepEqual(await readServeDeclarations(project({}), new Map([['pyproject.toml', pyproject]])), { fastapiCli: true, entrypoint: 'shop.main:app' });
    const result = await readServeDeclarations(project({}), new Map([['Procfile', 'web: uvicorn main:app\n']]));
    assert.deepEqual(result, { fastapiCli: false });
    assert.equal('entrypoint' in result, false);
  });
});

describe('module paths edges (mutation-tested)', () => {
  const header = '# Generated by Catalyst Streaming 0.3.0. This file is yours: edit it freely.\n# catalyst-streaming: generated version=0.3.0\n';

  // Kills: `analysis?.apps` (a target file the workspace does not hold), the app lookup's id check, the guard
  // against inclusion cycles (`seen`), and `if (served)` forced (an inclusion that leads to no app ends the search).
  it('uvicornTargetFor: the named app, through inclusions past a router no app includes, and never loops', async () => {
    const main = [
      'from fastapi import APIRouter, FastAPI',
      'r = APIRouter()',
      'orphan = APIRouter()',
      'orphan.include_router(r)',
      'app = FastAPI()',
      'admin = FastAPI()',
      'app.include_router(r)',
      'a = APIRouter()',
      'b = APIRouter()',
      'a.include_router(b)',
      'b.include_router(a)',
      'inner = APIRouter()',
      'outer = APIRouter()',
      'outer.include_router(inner)',
      'app.include_router(outer)',
      '',
    ].join('\n');
    await withWorkspace({ 'main.py': main }, async (workspace) => {
      assert.deepEqual(await uvicornTargetFor(workspace, { file: 'main.py', id: 'admin' }), { appDir: '', app: 'main:admin', factory: false });
      assert.deepEqual(await uvicornTargetFor(workspace, { file: 'main.py', id: 'r' }), { appDir: '', app: 'main:app', factory: false });
      assert.equal(await uvicornTargetFor(workspace, { file: 'main.py', id: 'a' }), undefined);
      // Kills: the visited key emptied (every router after the first would count as visited).
      assert.deepEqual(await uvicornTargetFor(workspace, { file: 'main.py', id: 'inner' }), { appDir: '', app: 'main:app', factory: false });
      assert.equal(await uvicornTargetFor(workspace, { file: 'gone.py', id: 'app' }), undefined);
    });
  });

  // Kills: `location?.trim()` turned into `location` (a blank location taken as one) and `location.trim()` into
  // `location` (spaces kept in the path).
  it('streamingModuleFile: a blank location is none; a location is trimmed', async () => {
    await withWorkspace({ 'main.py': '' }, (workspace) => {
      assert.equal(streamingModuleFile(workspace, 'main.py', '   '), 'streaming.py');
      assert.equal(streamingModuleFile(workspace, 'main.py', ' lib '), 'lib/streaming.py');
      assert.equal(streamingModuleFile(workspace, 'main.py', './'), 'streaming.py');
    });
  });

  // Kills: the preferred package's own `__init__.py` path emptied (another package chosen though the target's
  // own exists).
  it('streamingModuleFile: keeps the package of the target when it exists, though a shallower one could be imported', async () => {
    const files = { 'app/__init__.py': '', 'app/main.py': '', 'app/streaming/__init__.py': header, 'streaming/__init__.py': header };
    await withWorkspace(files, (workspace) => assert.equal(streamingModuleFile(workspace, 'app/main.py'), 'app/streaming.py'));
  });

  // Kills: existingStreamingPackage's filter (the top-level `streaming/__init__.py` name, the generated header),
  // its sort (shallowest first, then by name) and its importability check.
  it('streamingModuleFile: reuses the shallowest generated package the target can import', async () => {
    const files = {
      'api/__init__.py': '',
      'api/main.py': '',
      'lib/__init__.py': '',
      'lib/deep/__init__.py': '',
      'lib/deep/streaming/__init__.py': header,
      'mine/__init__.py': '',
      'mine/streaming/__init__.py': '"""a package of the user\'s"""\n',
      'a-b/streaming/__init__.py': header,
      'lib/streaming/__init__.py': header,
      'zz/__init__.py': '',
      'zz/streaming/__init__.py': header,
    };
    await withWorkspace(files, (workspace) => assert.equal(streamingModuleFile(workspace, 'api/main.py'), 'lib/streaming.py'));
    await withWorkspace({ 'api/__init__.py': '', 'api/main.py': '', 'streaming/__init__.py': header }, (workspace) =>
      assert.equal(streamingModuleFile(workspace, 'api/main.py'), 'streaming.py'),
    );
    await withWorkspace({ 'api/__init__.py': '', 'api/main.py': '', 'streaming/__init__.py': 'x = 1\n' }, (workspace) =>
      assert.equal(streamingModuleFile(workspace, 'api/main.py'), 'api/streaming.py', 'not generated: not reused'),
    );
  });

  // Kills: importRootOf's package form (`${modulePath}/__init__.py`), packageFolder's `$` anchor, normaliseFile's
  // backslash replacement and its leading `./` (anchored) removal.
  it('importRootOf, packageFolder, normaliseFile at their edges', () => {
    assert.equal(importRootOf('src/shop/__init__.py', 'shop'), 'src');
    assert.equal(packageFolder('my.pyx/streaming.py'), 'my.pyx/streaming');
    assert.equal(normaliseFile('.\\app\\main.py'), 'app/main.py');
    assert.equal(normaliseFile('./'), '');
    assert.equal(normaliseFile('../x.py'), '../x.py');
  });

  // Kills: importModuleFor's `absolute = false` default, its identifier check, the to-side package check, and the
  // common-prefix loop's bounds and comparison (how many dots, what follows them).
  it('importModuleFor: relative within a package by the shortest way up, absolute otherwise', async () => {
    const files = {
      'shop/__init__.py': '',
      'shop/main.py': '',
      'shop/streaming.py': '',
      'shop/a/__init__.py': '',
      'shop/a/x.py': '',
      'shop/b/__init__.py': '',
      'shop/b/streaming.py': '',
      'shop/api/__init__.py': '',
      'shop/api/streaming.py': '',
      'shop/api/v1/__init__.py': '',
      'shop/api/v1/routes.py': '',
      'app/__init__.py': '',
      'app/main.py': '',
      'app.py': '',
      'main.py': '',
      'my-streaming.py': '',
    };
    await withWorkspace(files, (workspace) => {
      const name = (from: string, to: string) => importModuleFor(workspace, from, to);
      assert.equal(name('shop/main.py', 'shop/streaming.py'), '.streaming');
      assert.equal(importModuleFor(workspace, 'shop/main.py', 'shop/streaming.py', true), 'shop.streaming');
      assert.equal(name('shop/api/v1/routes.py', 'shop/streaming.py'), '...streaming');
      assert.equal(name('shop/main.py', 'shop/api/streaming.py'), '.api.streaming');
      assert.equal(name('shop/api/__init__.py', 'shop/api/streaming.py'), '.streaming');
      assert.equal(name('shop/a/x.py', 'shop/b/streaming.py'), '..b.streaming');
      assert.equal(name('shop/api/v1/routes.py', 'shop/api/__init__.py'), '...api');
      assert.equal(name('main.py', 'shop/streaming.py'), 'shop.streaming');
      assert.equal(name('app/main.py', 'app.py'), 'app', 'a top-level module is imported by its name');
      assert.equal(name('main.py', 'my-streaming.py'), undefined, 'not an identifier');
    });
  });

  // Kills: importsOwnPackageAbsolutely's filter (top-level `from` statements only) and its relative check
  // (`startsWith('.')` turned into `endsWith`, `some` into `every`).
  it('importsOwnPackageAbsolutely: a top-level absolute import of its own package, and no relative one', async () => {
    const check = (text: string) =>
      withWorkspace({ 'shop/__init__.py': '', 'shop/main.py': text }, async (workspace) =>
        importsOwnPackageAbsolutely(workspace, 'shop/main.py', await workspace.module('shop/main.py')!),
      );
    assert.equal(await check('from shop.api import x\n'), true);
    assert.equal(await check('from shop.api import x\nfrom .db import y\n'), false);
    assert.equal(await check('from shop.api import x\ntry:\n    from .db import y\nexcept ImportError:\n    pass\n'), true, 'a nested import does not count');
    assert.equal(await check('import shop.api\nfrom fastapi import FastAPI\n'), false);
  });
});

describe('legacy import migration edges (mutation-tested)', () => {
  const legacy: LegacyModules = { streaming: 'app/streaming.py', resumable: 'app/resumable.py' };
  const migrate = (files: Record<string, string>, modules = legacy) =>
    withWorkspace({ 'app/__init__.py': '', 'app/streaming.py': '', 'app/resumable.py': '', ...files }, (workspace) => migrateLegacyImports(workspace, modules));

  // Kills: the file filter (`.py` only, never the legacy modules themselves), the pre-check that a file names
  // either module (`some` -> `every`), the check for an import of neither module when there is no resumable
  // one (a relative import past the top), `edits.length > 0` (unchanged files reported), the package module
  // (`$`-anchored last part replaced), aliases kept unless they repeat the name, one statement per submodule
  // in sorted order, the names sorted, and the indent and line ending of a statement inside a block.
  it('rewrites each import of the old modules into one import per submodule, in place and in the file style', async () => {
    const result = await migrate({
      'app/streaming.py': 'from .resumable import StreamStore\n',
      'app/resumable.py': 'from .streaming import EventStreamResponse\n',
      'app/main.py':
        'from __future__ import annotations\n' +
        'from .streaming import stream_tokens, EventStreamResponse as Response_, format_sse as format_sse\n' +
        'from app.resumable import resumable_response\n',
      'app/chat.py':
        'try:\r\n    from .streaming import ChatContentPart, ChatCompletionRequest, ChatCompletionStreamOptions\r\nexcept ImportError:\r\n    pass\r\n',
      'app/notes.txt': 'from app.streaming import format_sse\n',
      'app/doc.py': '# streaming, documented\n',
      'app/far.py': '# streaming\nfrom ...far import format_sse\n',
    });
    assert.equal(result.status, 'migrated');
    assert.deepEqual([...result.files.keys()], ['app/chat.py', 'app/main.py']);
    assert.equal(
      result.files.get('app/main.py'),
      'from __future__ import annotations\n' +
        'from .streaming.events import format_sse\n' +
        'from .streaming.response import EventStreamResponse as Response_\n' +
        'from .streaming.tokens import stream_tokens\n' +
        'from app.streaming.resumable.response import resumable_response\n',
    );
    assert.equal(
      result.files.get('app/chat.py'),
      'try:\r\n    from .streaming.protocols.openai_chat import (\r\n        ChatContentPart,\r\n        ChatCompletionRequest,\r\n' +
        '        ChatCompletionStreamOptions,\r\n    )\r\nexcept ImportError:\r\n    pass\r\n',
    );
    assert.deepEqual(result.names, [
      'ChatCompletionRequest',
      'ChatCompletionStreamOptions',
      'ChatContentPart',
      'EventStreamResponse',
      'format_sse',
      'resumable_response',
      'stream_tokens',
    ]);
    // Without a resumable module, an import that names no module at all stays as it is.
    const alone = await migrate({ 'app/far.py': '# streaming\nfrom ...far import format_sse\n' }, { streaming: 'app/streaming.py' });
    assert.deepEqual(alone, { status: 'migrated', files: new Map(), names: [] });
  });

  // Kills: black's line length taken as `< 88` (a line of exactly 88 columns wrapped).
  it('keeps a line of exactly 88 columns on one line, and wraps one of 89', async () => {
    const line = 'from .streaming.resumable.response import ResumableStreamResponse, DEFAULT_ABANDON_AFTER';
    assert.equal(line.length, 88);
    const result = await migrate({ 'app/main.py': 'from .resumable import ResumableStreamResponse, DEFAULT_ABANDON_AFTER\n' });
    assert.equal(result.status === 'migrated' && result.files.get('app/main.py'), `${line}\n`);
    const longer = await migrate({ 'app/main.py': 'from .resumable import ResumableStreamResponse, DEFAULT_KEEP_FOR, sse_error_event\n' });
    assert.equal(
      longer.status === 'migrated' && longer.files.get('app/main.py'),
      'from .streaming.resumable.response import (\n    ResumableStreamResponse,\n    DEFAULT_KEEP_FOR,\n    sse_error_event,\n)\n',
    );
  });

  // Kills: each refusal (a plain `import` of either module, `import *`, a name the package does not define)
  // removed or its reason emptied.
  it('refuses imports the package cannot stand in for, saying which', async () => {
    assert.deepEqual(await migrate({ 'app/x.py': 'import app.streaming\n' }), {
      status: 'blocked',
      reason: 'app/x.py imports the module itself (import app.streaming), which the package cannot stand in for name by name',
    });
    assert.deepEqual(await migrate({ 'app/x.py': 'import os, app.resumable\n' }), {
      status: 'blocked',
      reason: 'app/x.py imports the module itself (import app.resumable), which the package cannot stand in for name by name',
    });
    assert.deepEqual(await migrate({ 'app/x.py': 'from .streaming import *\n' }), {
      status: 'blocked',
      reason: 'app/x.py imports everything from .streaming (import *)',
    });
    assert.deepEqual(await migrate({ 'app/x.py': 'from .streaming import _helper, format_sse, _other\n' }), {
      status: 'blocked',
      reason: 'app/x.py imports _helper, _other from .streaming, which the package does not define',
    });
  });

  // Kills: namesImportedFromPackage's file filter (`.py` only), its `${packageName}.` prefix check (forced, or
  // without the dot), the package-name filter, and the sort.
  it('namesImportedFromPackage: the package names imported from its submodules, sorted', async () => {
    const files = {
      'app/__init__.py': '',
      'app/streaming/__init__.py': '',
      'app/main.py': 'from .streaming.tokens import stream_tokens\nfrom app.streaming.response import EventStreamResponse as R\n',
      'app/private.py': 'from .streaming.parts import _private, TokenSource\n',
      'app/other.py': '# streaming\nfrom other import format_sse\nfrom app.streamingx.finish import Usage\nimport app.streaming.events\n',
      'app/notes.txt': 'from app.streaming.finish import FinishReason\n',
    };
    const names = await withWorkspace(files, (workspace) => namesImportedFromPackage(workspace, 'app.streaming'));
    assert.deepEqual(names, ['EventStreamResponse', 'TokenSource', 'stream_tokens']);
  });
});
