/**
 * Reading a package's version from a project's lock and requirement files (src/core/python/projectVersions.ts):
 * each row is a set of files and what must be read from them.
 */
import assert from 'node:assert/strict';
import { atLeast, packageVersion, type PackageVersion } from '../../src/core/python/projectVersions';

const ROWS: ReadonlyArray<readonly [string, Record<string, string>, PackageVersion | undefined]> = [
  [
    'uv.lock: the exact version',
    { 'uv.lock': 'version = 1\n\n[[package]]\nname = "starlette"\nversion = "0.45.3"\n' },
    { kind: 'exact', version: '0.45.3', source: 'uv.lock' },
  ],
  [
    'poetry.lock, name spelled differently (PEP 503)',
    { 'poetry.lock': '[[package]]\nname = "Starlette"\nversion = "0.46.2"\noptional = false\n' },
    { kind: 'exact', version: '0.46.2', source: 'poetry.lock' },
  ],
  [
    'a lock wins over requirements',
    { 'requirements.txt': 'starlette==0.40.0\n', 'uv.lock': '[[package]]\nname = "starlette"\nversion = "1.10.0"\n' },
    { kind: 'exact', version: '1.10.0', source: 'uv.lock' },
  ],
  [
    'requirements: extras, markers, comments and hash continuations',
    { 'requirements-prod.txt': '-r base.txt\nstarlette[full]==0.47.2 ; python_version >= "3.9" \\\n    --hash=sha256:00  # pinned\n' },
    { kind: 'exact', version: '0.47.2', source: 'requirements-prod.txt' },
  ],
  [
    'requirements: a range gives its lower bound',
    { 'requirements.txt': 'starlette>=0.46,<2\n' },
    { kind: 'at-least', version: '0.46', source: 'requirements.txt' },
  ],
  ['requirements: a compatible release', { 'requirements.txt': 'starlette~=0.41.0\n' }, { kind: 'at-least', version: '0.41.0', source: 'requirements.txt' }],
  ['requirements: unpinned', { 'requirements.txt': 'fastapi\nstarlette\n' }, undefined],
  ['requirements: a longer name is another package', { 'requirements.txt': 'starlette-context==0.3.6\n' }, undefined],
  [
    'pyproject: PEP 621 dependencies',
    { 'pyproject.toml': '[project]\nname = "x"\ndependencies = ["fastapi>=0.116", "starlette==0.48.0"]\n' },
    { kind: 'exact', version: '0.48.0', source: 'pyproject.toml' },
  ],
  [
    "pyproject: Poetry's caret constraint",
    { 'pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.11"\nstarlette = { version = "^0.46.1", extras = ["full"] }\n' },
    { kind: 'at-least', version: '0.46.1', source: 'pyproject.toml' },
  ],
  // Kills (Stryker, projectVersions.ts): the string form of a Poetry dependency (`typeof value === 'string'` ->
  // false, 'string' -> ''), the default operator of a bare version ('==' -> ''), a table without a version
  // (`typeof constraint === 'string'` -> true), and the tie-break between two files of one rank (its mutants).
  [
    "pyproject: Poetry's bare version",
    { 'pyproject.toml': '[tool.poetry.dependencies]\nstarlette = "0.46.0"\n' },
    { kind: 'exact', version: '0.46.0', source: 'pyproject.toml' },
  ],
  [
    "pyproject: Poetry's path dependency has no version",
    { 'pyproject.toml': '[tool.poetry.dependencies]\nstarlette = { path = "../starlette" }\n' },
    undefined,
  ],
  [
    'two requirement files: the first by name',
    { 'requirements.txt': 'starlette==1.0.0\n', 'requirements-dev.txt': 'starlette==2.0.0\n' },
    { kind: 'exact', version: '2.0.0', source: 'requirements-dev.txt' },
  ],
  ['a broken TOML file says nothing', { 'uv.lock': '[[package\nname = ' }, undefined],
  ['other files are not read', { 'setup.cfg': 'install_requires = starlette==0.40.0\n' }, undefined],
];

describe('packageVersion (the version a project pins)', () => {
  for (const [what, files, expected] of ROWS) {
    it(what, () => {
      assert.deepEqual(packageVersion(new Map(Object.entries(files)), 'starlette'), expected);
    });
  }

  it('atLeast compares release numbers, not text', () => {
    const version = (v: string): PackageVersion => ({ kind: 'exact', version: v, source: 'uv.lock' });
    assert.equal(atLeast(version('0.46'), '0.46.0'), true);
    assert.equal(atLeast(version('0.100.0'), '0.46.0'), true);
    assert.equal(atLeast(version('0.45.9'), '0.46.0'), false);
    assert.equal(atLeast(version('1.0'), '0.46.0'), true);
    assert.equal(atLeast(undefined, '0.46.0'), false);
  });
});
