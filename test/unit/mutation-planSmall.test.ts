/**
 * The small planner modules at their edges: the token source and protocol parsers, the message for a route the
 * imported app would never run, the editor's picks when the workspace has no app, and the Python target read
 * from a project's files. Each test names the Stryker mutants it kills (`npm run test:mutation -- plan`).
 */
import assert from 'node:assert/strict';
import type { PlannedEndpoint } from '../../src/core/plan/endpoint';
import { hasEndpointTarget, minimalAppFile, missingAppPicks } from '../../src/core/plan/missingApp';
import { parseProtocol, PROTOCOLS, supportsResumable } from '../../src/core/plan/protocol';
import { projectPythonTarget, readPythonTarget } from '../../src/core/plan/projectPythonTarget';
import { insertBlocks, lineStartOf, reindent } from '../../src/core/plan/pythonLayout';
import { servingCandidates } from '../../src/core/plan/servingCandidates';
import { formatTokenSource, parseTokenSource } from '../../src/core/plan/tokenSource';
import { unreachableMessage } from '../../src/core/plan/unreachableMessage';
import type { EndpointVerification } from '../../src/core/plan/verifyEndpoint';
import type { RouteCaptor } from '../../src/core/python/appProbe';
import type { ProjectFiles } from '../../src/core/workspace/projectFiles';

const files = (record: Record<string, string>): Map<string, string> => new Map(Object.entries(record));

describe('token sources and protocols as typed (mutation-tested)', () => {
  // Kills: each branch of parseTokenSource (the demo check, the SDK list, the identifier regex's anchors and
  // character classes) and formatTokenSource's three cases.
  it('parses demo, an SDK, or a Python name, refusing anything else; formats each back', () => {
    assert.deepEqual(parseTokenSource('demo'), { kind: 'demo' });
    assert.deepEqual(parseTokenSource('groq'), { kind: 'sdk', provider: 'groq' });
    assert.deepEqual(parseTokenSource('_my_tokens2'), { kind: 'function', name: '_my_tokens2' });
    for (const text of ['', '2tokens', 'my-tokens', 'a b', 'x.y', 'tokens!', '!tokens', 'démo']) {
      assert.equal(parseTokenSource(text), undefined, text);
    }
    for (const text of ['demo', 'anthropic', 'my_tokens']) {
      assert.equal(formatTokenSource(parseTokenSource(text)!), text);
    }
  });

  // Kills: parseProtocol's list check, supportsResumable (every protocol), and the chat protocols' POST.
  it('parses the three protocols only; each can be resumable; the chat ones are POST', () => {
    assert.deepEqual(['sse', 'ai-sdk', 'openai', 'SSE', ''].map(parseProtocol), ['sse', 'ai-sdk', 'openai', undefined, undefined]);
    assert.deepEqual((['sse', 'ai-sdk', 'openai'] as const).map(supportsResumable), [true, true, true]);
    assert.deepEqual([PROTOCOLS.sse.method, PROTOCOLS['ai-sdk'].method, PROTOCOLS.openai.method], [undefined, 'POST', 'POST']);
  });
});

describe('the message for a route the imported app would never run (mutation-tested)', () => {
  const endpoint = { method: 'GET', file: 'web/routes.py' } as PlannedEndpoint;
  const unreachable = (captor?: RouteCaptor): string =>
    unreachableMessage(
      {
        status: 'unreachable',
        python: '.venv/bin/python',
        served: { url: '/api/stream', serve: { app: 'web.main:app' } },
        ...(captor ? { captor } : {}),
      } as unknown as Extract<EndpointVerification, { status: 'unreachable' }>,
      endpoint,
    );

  // Kills: the no-captor message (its condition, its text), the route's description (methods joined by '/', the
  // name and place joined, `:line` only with a line, the parentheses only with a detail) and the advice naming it.
  it('names the route that answers first, where it is, and what to do', () => {
    assert.equal(
      unreachable(),
      'GET /api/stream would not reach the new route in web/routes.py: the route table of web.main:app (imported with .venv/bin/python) answers that path with nothing (404) before it. Nothing was written. Choose another --route.',
    );
    assert.equal(
      unreachable({ kind: 'route', path: '/{full_path:path}', methods: ['GET', 'HEAD'], name: 'spa', file: 'web/frontend.py', line: 10 }),
      "GET /api/stream would be answered by GET/HEAD /{full_path:path} (spa, web/frontend.py:10) in web.main:app's route table (imported with .venv/bin/python) before the new route in web/routes.py: Starlette tries routes in order, so it would never run. Nothing was written. Choose another --route, or add the route where it comes before spa (web/frontend.py).",
    );
    assert.equal(
      unreachable({ kind: 'route', path: '/{p}', methods: ['GET'], file: 'x.py' }),
      "GET /api/stream would be answered by GET /{p} (x.py) in web.main:app's route table (imported with .venv/bin/python) before the new route in web/routes.py: Starlette tries routes in order, so it would never run. Nothing was written. Choose another --route, or add the route where it comes before that route (x.py).",
    );
    assert.equal(
      unreachable({ kind: 'route', path: '/{p}', methods: ['GET'] }),
      "GET /api/stream would be answered by GET /{p} in web.main:app's route table (imported with .venv/bin/python) before the new route in web/routes.py: Starlette tries routes in order, so it would never run. Nothing was written. Choose another --route, or add the route where it comes before that route.",
    );
  });

  // Kills: the mount's description and advice (its kind checks, '' shown as '/', the place only when known).
  it('a mount: says it takes every request under it, and to choose a route outside it', () => {
    assert.equal(
      unreachable({ kind: 'mount', path: '', methods: [], file: 'web/main.py', line: 7 }),
      'GET /api/stream would be answered by the mount at "/" (web/main.py:7), which takes every request under it in web.main:app\'s route table (imported with .venv/bin/python) before the new route in web/routes.py: Starlette tries routes in order, so it would never run. Nothing was written. Choose a --route outside "/", or add the route to the app before that mount.',
    );
    assert.equal(
      unreachable({ kind: 'mount', path: '/api', methods: [] }),
      'GET /api/stream would be answered by the mount at "/api", which takes every request under it in web.main:app\'s route table (imported with .venv/bin/python) before the new route in web/routes.py: Starlette tries routes in order, so it would never run. Nothing was written. Choose a --route outside "/api", or add the route to the app before that mount.',
    );
  });
});

describe('the editor’s picks when the workspace has no app (mutation-tested)', () => {
  // Kills: hasEndpointTarget's test-file filter (removed or inverted) and its `length > 0` (forced, `>=`).
  it('an app counts, one in test code does not', async () => {
    const app = 'from fastapi import FastAPI\n\napp = FastAPI()\n';
    assert.equal(await hasEndpointTarget(files({ 'main.py': app })), true);
    assert.equal(await hasEndpointTarget(files({ 'tests/conftest.py': app, 'util.py': 'x = 1\n' })), false);
    assert.equal(await hasEndpointTarget(files({})), false);
  });

  // Kills: the usual names tried in order, the fallback name, the Python and test-file filters, and the order
  // (top-level files first: the depth comparison's sign, then by name).
  it('offers to create the first free usual file, then every Python file outside tests, top-level first', () => {
    assert.equal(minimalAppFile(files({})), 'main.py');
    assert.equal(minimalAppFile(files({ 'main.py': '', 'app.py': '' })), 'api.py');
    assert.equal(minimalAppFile(files({ 'main.py': '', 'app.py': '', 'api.py': '', 'server.py': '' })), 'catalyst_app.py');
    const picks = missingAppPicks(files({ 'pkg/b.py': '', 'z.py': '', 'a.py': '', 'pkg/sub/c.py': '', 'README.md': '', 'tests/test_a.py': '', 'main.py': '' }));
    assert.deepEqual(picks[0], {
      label: 'Create app.py with a FastAPI app',
      description: 'app = FastAPI(), then add the endpoint to it',
      value: { kind: 'create', file: 'app.py' },
    });
    assert.deepEqual(picks[1], { label: 'a.py', description: 'holds the app', value: { kind: 'file', file: 'a.py' } });
    assert.deepEqual(
      picks.slice(1).map((p) => p.label),
      ['a.py', 'main.py', 'z.py', 'pkg/b.py', 'pkg/sub/c.py'],
    );
  });
});

describe('the Python target read from a project (mutation-tested)', () => {
  const target = (record: Record<string, string>) => projectPythonTarget(files(record));

  // Kills: lowerBound's operators and anchors (`<=3.12`, `!=3.10` and text around are no lower bound), a two-digit
  // patch version (`\\d+` -> `\\d`), the highest of several bounds (Math.max), `>` read as its own minor, and the
  // ruff regex's anchors and trim.
  it('reads the highest lower bound, ignores upper bounds and exclusions, and a ruff target with spaces', () => {
    assert.deepEqual(target({ 'pyproject.toml': '[project]\nrequires-python = ">=3.9, >3.11"\n' }), { major: 3, minor: 11 });
    assert.deepEqual(target({ 'pyproject.toml': '[project]\nrequires-python = " >= 3.10.2 "\n' }), { major: 3, minor: 10 });
    assert.deepEqual(target({ 'pyproject.toml': '[project]\nrequires-python = ">=3.11.10"\n' }), { major: 3, minor: 11 });
    assert.deepEqual(target({ 'pyproject.toml': '[project]\nrequires-python = "<=3.12, !=3.10"\n' }), { major: 3, minor: 9 });
    assert.deepEqual(target({ 'pyproject.toml': '[project]\nrequires-python = "x>=3.12"\n' }), { major: 3, minor: 9 });
    assert.deepEqual(target({ 'pyproject.toml': '[project]\nrequires-python = ">=3.12x"\n' }), { major: 3, minor: 9 });
    assert.deepEqual(target({ 'pyproject.toml': '[project]\nrequires-python = 3\n' }), { major: 3, minor: 9 });
    assert.deepEqual(target({ 'ruff.toml': 'target-version = " py311 "\n' }), { major: 3, minor: 11 });
    assert.deepEqual(target({ 'ruff.toml': 'target-version = "xpy311"\n' }), { major: 3, minor: 9 });
    assert.deepEqual(target({ 'ruff.toml': 'target-version = "py311x"\n' }), { major: 3, minor: 9 });
    assert.deepEqual(target({ 'ruff.toml': 'target-version = 311\n', '.ruff.toml': 'target-version = "py312"\n' }), { major: 3, minor: 12 });
  });

  // Kills: readPythonTarget's files (each source read, an unreadable one left out, not failing the rest).
  it('reads the configuration files through the project, leaving out one it cannot read', async () => {
    const texts: Record<string, string> = { 'ruff.toml': 'target-version = "py312"\n' };
    const project: ProjectFiles = {
      root: '/project',
      readDirectory: () => Promise.resolve([]),
      readFile: (name) =>
        name === 'pyproject.toml'
          ? Promise.reject(new Error('EACCES'))
          : Promise.resolve(texts[name] === undefined ? undefined : new TextEncoder().encode(texts[name])),
    };
    assert.deepEqual(await readPythonTarget(project), { major: 3, minor: 12 });
  });
});

describe("generated code fitted into a user's file (mutation-tested)", () => {
  // Kills: reindent's blank-line check (`trim()` dropped: a line of spaces would keep them) and the spaces left
  // over after whole levels (' ' -> '').
  it('reindents by levels, keeps spaces past a level, and empties blank lines', () => {
    assert.equal(reindent('a:\n   \n    b\n      c', '\t', '>'), '>a:\n\n>\tb\n>\t  c');
  });

  // Kills: insertBlocks' separation from the code above only when there is code above (`contentEnd > 0` forced or
  // `>=`), every trailing line break of a block dropped (`\n+$` -> `\n$`), and the blank lines below only before
  // code (`trim()` dropped: blank lines below count as none).
  it('inserts into an empty file without blank lines above, joins blocks by the blank lines asked, none before only blank lines', () => {
    assert.equal(insertBlocks('', 0, ['x = 1'], { eol: '\n', blankLines: 2 }).newText, 'x = 1\n');
    assert.equal(insertBlocks('', 0, ['a\n\n', 'b'], { eol: '\n', blankLines: 1 }).newText, 'a\n\nb\n');
    assert.deepEqual(insertBlocks('a = 1\n\n', 6, ['x = 1'], { eol: '\r\n', blankLines: 2 }), { start: 6, end: 6, newText: '\r\n\r\nx = 1\r\n' });
  });

  // Kills: lineStartOf's search from the character before the offset (`offset - 1` -> `+ 1`): the line break
  // at the offset ends the line the offset is on.
  it('the start of the line an offset is on, its line break included', () => {
    assert.equal(lineStartOf('ab\ncd', 2), 0);
    assert.equal(lineStartOf('ab\ncd', 3), 3);
  });
});

describe('the apps asked whether they serve a route (mutation-tested)', () => {
  const lines = (...all: string[]): string => all.map((l) => `${l}\n`).join('');
  const project = files({
    'a/b/deep.py': 'app = make()\n',
    'top.py': 'api = Gateway().api\n',
    'main.py': lines('from fastapi import FastAPI', '', 'app = FastAPI()'),
    'server.py': lines('from fastapi import FastAPI', 'from uvicorn import run', '', 'app = FastAPI()', 'run(app)'),
    'rerun.py': lines('app = make()', 'runner()'),
    'pkg/__main__.py': 'app = make()\n',
    'notes.txt': 'app = make()\n',
    'broken.py': 'app = make(\n',
    'tests/test_app.py': 'app = make()\n',
    'consts.py': lines('settings.debug = make()', 'x = 1'),
    'lonely.py': lines('from fastapi import APIRouter', '', 'router = APIRouter()'),
  });
  const asked = async (target: { file: string; id: string }, targetFirst: boolean): Promise<string[]> =>
    (await servingCandidates(project, target, files({ Procfile: 'web: uvicorn main:app' }), { targetFirst })).map(
      (c) => `${c.kind} ${c.target.appDir}|${c.target.app}|${c.target.factory} ${c.source}`,
    );

  // Kills: the named target first (`targetFirst` forced false, its entry), each target asked once (the filter
  // removed, `&&` -> `||`), the source's app pushed only when found (forced true), and the instance modules:
  // .py files only (not notes.txt), not tests, not a __main__.py in a package (`endsWith` -> `startsWith`), not
  // one with a syntax error, a plain name assigned a call or an attribute (`Gateway().api`; not `settings.debug`,
  // not `x = 1`), not one that starts a server at import (`run(app)`, while `runner()` does not: the regex's
  // anchors), the usual names first and then the shallower files (the depth comparison's sign and its '/').
  it("the named target, the declared, the source's app, then module-level instances: usual names, then shallower, each once", async () => {
    const instances = [
      'instance |main|false main.py',
      'instance |top|false top.py',
      'instance |rerun|false rerun.py',
      'instance |lonely|false lonely.py',
      'instance a/b|deep|false a/b/deep.py',
    ];
    assert.deepEqual(await asked({ file: 'main.py', id: 'app' }, true), ['named |main:app|false main.py', ...instances]);
    assert.deepEqual(await asked({ file: 'main.py', id: 'app' }, false), ['declared |main:app|false Procfile', ...instances]);
    assert.deepEqual(await asked({ file: 'lonely.py', id: 'router' }, false), ['declared |main:app|false Procfile', ...instances]);
  });
});
