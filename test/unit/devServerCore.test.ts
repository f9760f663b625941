/**
 * The editor's dev server and preview decisions, pure: the interpreter message (which Python, where it was
 * chosen, what it lacks), where a setting was read from, "the server is older than the code" for a 404, the
 * palette's route list and the choices when no app exists.
 */
import assert from 'node:assert/strict';
import { describeOrigin, interpreterProblemMessage, settingOrigin } from '../../src/core/devServer/interpreterProblem';
import { routeTheServerLacks, staleServerMessage, type SourceRoute } from '../../src/core/devServer/staleServer';
import { hasEndpointTarget, MINIMAL_APP, minimalAppFile, missingAppPicks } from '../../src/core/plan/missingApp';
import { MANUAL_URL_LABEL, routePicks, validatePreviewUrl } from '../../src/core/preview/routePicks';
import { probeModules } from '../../src/core/python/interpreter';

describe('dev server: the interpreter message', () => {
  const setting = { kind: 'setting', key: 'catalyst.python.path', scope: 'Workspace' } as const;

  it('names the interpreter, where it was chosen and each missing package', () => {
    const message = interpreterProblemMessage(
      { command: '/venv/bin/python', executable: '/venv/bin/python3.12', version: '3.12.1', missing: ['fastapi', 'uvicorn'] },
      setting,
      { remote: false },
    );
    assert.equal(
      message,
      'The dev server cannot start: the Python tried, /venv/bin/python = /venv/bin/python3.12 (Python 3.12.1, from catalyst.python.path in Workspace settings), cannot import fastapi and uvicorn. Install them into that environment (pip install fastapi uvicorn) or select an interpreter that has them.',
    );
  });

  it('says nothing when the interpreter has both, and why when it does not run', () => {
    assert.equal(interpreterProblemMessage({ command: 'python3', version: '3.11.2', missing: [] }, setting, { remote: false }), undefined);
    assert.match(
      interpreterProblemMessage(
        { command: '/nope/python', failure: 'not found', missing: ['fastapi', 'uvicorn'] },
        { kind: 'python-extension' },
        { remote: false },
      )!,
      /the Python tried, \/nope\/python \(from the interpreter selected in the Python extension\), does not run: not found/,
    );
  });

  it('says where an unset setting was looked for, and that local User settings do not reach a remote window', () => {
    const local = describeOrigin({ kind: 'default', key: 'catalyst.python.path' }, false);
    const remote = describeOrigin({ kind: 'default', key: 'catalyst.python.path' }, true);
    assert.match(local, /not set in the Workspace Folder, Workspace or User settings/);
    assert.doesNotMatch(local, /remote window/);
    assert.match(remote, /Workspace or Remote settings this window reads \(a value in your local User settings does not apply in a remote window\)/);
    assert.equal(describeOrigin({ kind: 'setting', key: 'k', scope: 'User' }, true), 'k in Remote (or User) settings');
  });

  it('reads the scope a value comes from, the most specific first, ignoring empty values', () => {
    const set = (value: unknown) => value !== undefined && value !== '';
    assert.equal(settingOrigin({ key: 'k', globalValue: 'a', workspaceValue: 'b', workspaceFolderValue: 'c' }, set), 'Workspace Folder');
    assert.equal(settingOrigin({ key: 'k', globalValue: 'a', workspaceValue: 'b' }, set), 'Workspace');
    assert.equal(settingOrigin({ key: 'k', workspaceValue: 'b', workspaceFolderValue: 'b' }, set), 'Workspace', 'a single-folder window');
    assert.equal(settingOrigin({ key: 'k', globalValue: 'a', workspaceValue: '' }, set), 'User');
    assert.equal(settingOrigin({ key: 'k', defaultValue: '' }, set), undefined);
    assert.equal(settingOrigin(undefined, set), undefined);
  });

  it('probes a real interpreter: what it lacks, by name, without importing anything', async function () {
    this.timeout(20_000);
    const probe = await probeModules('/usr/bin/python3', ['json', 'catalyst_no_such_module']);
    assert.deepEqual(probe.missing, ['catalyst_no_such_module']);
    assert.match(probe.version ?? '', /^3\.\d+\.\d+$/);
    assert.deepEqual((await probeModules('/nonexistent/python3', ['json'])).failure, 'not found');
  });
});

describe('preview: the server is older than the code', () => {
  const routes: SourceRoute[] = [
    { methods: ['GET'], path: '/stream', file: 'main.py', line: 9 },
    { methods: ['POST'], path: '/items/{item_id}/chat', file: 'app/items.py', line: 20 },
  ];

  it('a 404 for a method and path the source serves (path parameters matched) is the stale server', () => {
    assert.equal(routeTheServerLacks({ status: 404, method: 'GET', url: 'http://127.0.0.1:8000/stream?prompt=hi' }, routes), routes[0]);
    assert.equal(routeTheServerLacks({ status: 404, method: 'post', url: 'http://127.0.0.1:8000/items/7/chat' }, routes), routes[1]);
  });

  it('any other status, another method or a path the source does not have is not', () => {
    assert.equal(routeTheServerLacks({ status: 200, method: 'GET', url: 'http://127.0.0.1:8000/stream' }, routes), undefined);
    assert.equal(routeTheServerLacks({ status: 404, method: 'POST', url: 'http://127.0.0.1:8000/stream' }, routes), undefined);
    assert.equal(routeTheServerLacks({ status: 404, method: 'GET', url: 'http://127.0.0.1:8000/other' }, routes), undefined);
    assert.equal(routeTheServerLacks({ status: 404, method: 'GET', url: 'not a url' }, routes), undefined);
  });

  it('says the server is older than the code, or that the file is not saved', () => {
    const request = { method: 'GET', url: 'http://127.0.0.1:8000/stream?prompt=hi' };
    assert.equal(
      staleServerMessage(request, routes[0]!, false),
      'http://127.0.0.1:8000 answers 404 for GET /stream, which main.py:10 defines: the server is older than the code. Restart it to serve the route.',
    );
    assert.match(staleServerMessage(request, routes[0]!, true), /main\.py is not saved/);
  });
});

describe('preview: the palette route list', () => {
  it('each stream route once, with where it is written and its URL, then a manual URL last', () => {
    const picks = routePicks(
      [
        { method: 'GET', path: '/stream', file: 'main.py', line: 3 },
        { method: 'POST', path: '/api/chat', file: 'chat.py', line: 10 },
        { method: 'GET', path: '/stream', file: 'main.py', line: 3 },
      ],
      'http://127.0.0.1:8123',
    );
    assert.deepEqual(
      picks.map((p) => [p.label, p.description, p.detail]),
      [
        ['GET /stream', 'main.py:4', 'http://127.0.0.1:8123/stream'],
        ['POST /api/chat', 'chat.py:11', 'http://127.0.0.1:8123/api/chat'],
        [MANUAL_URL_LABEL, 'a stream on any server', undefined],
      ],
    );
    assert.deepEqual(picks[1]!.value, { kind: 'route', url: 'http://127.0.0.1:8123/api/chat', method: 'POST' });
    assert.deepEqual(
      routePicks([]).map((p) => p.value),
      [{ kind: 'manual' }],
    );
  });

  it('accepts http and https URLs only', () => {
    assert.equal(validatePreviewUrl('http://127.0.0.1:8000/stream'), undefined);
    assert.equal(validatePreviewUrl(' https://example.test/x '), undefined);
    assert.match(validatePreviewUrl('127.0.0.1:8000')!, /full URL|http/);
    assert.match(validatePreviewUrl('ftp://x/y')!, /Only http/);
  });
});

describe('add endpoint: no app yet', () => {
  it('finds an app, a factory or a router, but not one in test code', async () => {
    assert.equal(await hasEndpointTarget(new Map([['main.py', MINIMAL_APP]])), true);
    assert.equal(await hasEndpointTarget(new Map([['api.py', 'from fastapi import APIRouter\nrouter = APIRouter()\n']])), true);
    assert.equal(
      await hasEndpointTarget(
        new Map([
          ['tests/test_app.py', MINIMAL_APP],
          ['util.py', 'x = 1\n'],
        ]),
      ),
      false,
    );
    assert.equal(await hasEndpointTarget(new Map()), false);
  });

  it('offers to create main.py (or the next free name) first, then the Python files outside tests', () => {
    const files = new Map([
      ['pkg/models.py', ''],
      ['util.py', ''],
      ['tests/test_x.py', ''],
    ]);
    assert.deepEqual(
      missingAppPicks(files).map((p) => p.value),
      [
        { kind: 'create', file: 'main.py' },
        { kind: 'file', file: 'util.py' },
        { kind: 'file', file: 'pkg/models.py' },
      ],
    );
    assert.equal(minimalAppFile(new Map([['main.py', 'print(1)\n']])), 'app.py');
    assert.match(missingAppPicks(files)[0]!.label, /^Create main\.py with a FastAPI app$/);
    assert.doesNotMatch(
      missingAppPicks(files)
        .map((p) => `${p.label} ${p.description ?? ''}`)
        .join('\n'),
      /--app/,
    );
  });
});
