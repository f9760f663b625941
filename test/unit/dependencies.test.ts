import assert from 'node:assert/strict';
import {
  appendRequirement,
  declaresDependency,
  normalisePackageName,
  pyprojectDependencyNames,
  requirementName,
  requirementsFileNames,
} from '../../src/core/workspace/dependencies';

describe('dependency files', () => {
  it('reads the distribution name of PEP 508 requirements', () => {
    assert.equal(requirementName('orjson>=3.9 ; python_version > "3.8"'), 'orjson');
    assert.equal(requirementName('uvicorn[standard]==0.30'), 'uvicorn');
    assert.equal(requirementName('  fastapi'), 'fastapi');
    assert.equal(requirementName('@ https://example.invalid/x.whl'), undefined);
  });

  it('normalises names as PEP 503 does', () => {
    assert.equal(normalisePackageName('Or_JSON'), 'or-json');
    assert.equal(normalisePackageName('typing.extensions'), normalisePackageName('typing_extensions'));
  });

  it('skips comments, blank lines and pip options in requirements files', () => {
    const text = '# web\r\nfastapi==0.110  # pinned\r\n\r\n-r base.txt\r\n--index-url https://example.invalid\r\n-e ./lib\r\nuvicorn\r\n';
    assert.deepEqual(requirementsFileNames(text), ['fastapi', 'uvicorn']);
  });

  it('reads PEP 621, PEP 735 and Poetry dependencies from pyproject.toml', () => {
    const pyproject = `
[project]
name = "svc"
dependencies = ["fastapi>=0.100", "uvicorn"]
[project.optional-dependencies]
fast = ["orjson>=3"]
[dependency-groups]
dev = ["pytest"]
[tool.poetry.dependencies]
httpx = "^0.27"
[tool.poetry.group.lint.dependencies]
ruff = "*"
`;
    assert.deepEqual(pyprojectDependencyNames(pyproject).sort(), ['fastapi', 'httpx', 'orjson', 'pytest', 'ruff', 'uvicorn']);
  });

  it('tells whether a project declares a dependency', () => {
    const requirements = new Map([['requirements.txt', 'fastapi\nuvicorn\n']]);
    assert.equal(declaresDependency({ requirements }, 'orjson'), false);
    assert.equal(declaresDependency({ requirements: new Map([['requirements-prod.txt', 'ORJSON==3.10\n']]) }, 'orjson'), true);
    assert.equal(declaresDependency({ requirements: new Map(), pyproject: '[project]\ndependencies = ["orjson"]\n' }, 'orjson'), true);
    assert.equal(declaresDependency({ requirements: new Map(), pyproject: '[project\nbroken' }, 'orjson'), false, 'invalid TOML declares nothing');
  });

  it('appends a requirement on its own line, keeping the line endings', () => {
    assert.equal(appendRequirement('fastapi\n', 'orjson'), 'fastapi\norjson\n');
    assert.equal(appendRequirement('fastapi', 'orjson'), 'fastapi\norjson\n');
    assert.equal(appendRequirement('fastapi\r\nuvicorn\r\n', 'orjson'), 'fastapi\r\nuvicorn\r\norjson\r\n');
    assert.equal(appendRequirement('', 'orjson'), 'orjson\n');
  });
});
