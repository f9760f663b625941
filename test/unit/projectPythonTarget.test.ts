import assert from 'node:assert/strict';
import { projectPythonTarget } from '../../src/core/plan/projectPythonTarget';

const target = (files: Record<string, string>) => projectPythonTarget(new Map(Object.entries(files)));

describe('projectPythonTarget', () => {
  it('reads the lower bound of requires-python', () => {
    assert.deepEqual(target({ 'pyproject.toml': '[project]\nname = "x"\nrequires-python = ">=3.10"\n' }), { major: 3, minor: 10 });
    assert.deepEqual(target({ 'pyproject.toml': '[project]\nrequires-python = ">=3.11,<4"\n' }), { major: 3, minor: 11 });
    assert.deepEqual(target({ 'pyproject.toml': '[project]\nrequires-python = "~=3.12"\n' }), { major: 3, minor: 12 });
    assert.deepEqual(target({ 'pyproject.toml': '[project]\nrequires-python = "==3.13.*"\n' }), { major: 3, minor: 13 });
  });

  it('prefers requires-python to ruff, and reads ruff\u2019s target-version from pyproject, ruff.toml or .ruff.toml', () => {
    assert.deepEqual(target({ 'pyproject.toml': '[project]\nrequires-python = ">=3.10"\n[tool.ruff]\ntarget-version = "py312"\n' }), { major: 3, minor: 10 });
    assert.deepEqual(target({ 'pyproject.toml': '[tool.ruff]\ntarget-version = "py312"\n' }), { major: 3, minor: 12 });
    assert.deepEqual(target({ 'ruff.toml': 'target-version = "py311"\n' }), { major: 3, minor: 11 });
    assert.deepEqual(target({ '.ruff.toml': 'target-version = "py310"\n' }), { major: 3, minor: 10 });
  });

  it('is 3.9 when nothing says, or what says it cannot be read', () => {
    assert.deepEqual(target({}), { major: 3, minor: 9 });
    assert.deepEqual(target({ 'pyproject.toml': '[project\nbroken' }), { major: 3, minor: 9 });
    assert.deepEqual(target({ 'pyproject.toml': '[project]\nrequires-python = "<4"\n' }), { major: 3, minor: 9 });
  });
});
