import assert from 'node:assert/strict';
import { projectPythonTarget } from '../../src/core/python/pythonTarget';

const target = (files: Record<string, string>) => projectPythonTarget(new Map(Object.entries(files)));

describe('projectPythonTarget', () => {
  it('reads the lower bound of requires-python', () => {
    assert.equal(target({ 'pyproject.toml': '[project]\nname = "x"\nrequires-python = ">=3.10"\n' }), '3.10');
    assert.equal(target({ 'pyproject.toml': '[project]\nrequires-python = ">=3.11,<4"\n' }), '3.11');
    assert.equal(target({ 'pyproject.toml': '[project]\nrequires-python = "~=3.12"\n' }), '3.12');
    assert.equal(target({ 'pyproject.toml': '[project]\nrequires-python = "==3.13.*"\n' }), '3.13');
  });

  it('prefers requires-python to ruff, and reads ruff\u2019s target-version from pyproject, ruff.toml or .ruff.toml', () => {
    assert.equal(target({ 'pyproject.toml': '[project]\nrequires-python = ">=3.10"\n[tool.ruff]\ntarget-version = "py312"\n' }), '3.10');
    assert.equal(target({ 'pyproject.toml': '[tool.ruff]\ntarget-version = "py312"\n' }), '3.12');
    assert.equal(target({ 'ruff.toml': 'target-version = "py311"\n' }), '3.11');
    assert.equal(target({ '.ruff.toml': 'target-version = "py310"\n' }), '3.10');
  });

  it('is 3.9 when nothing says, or what says it cannot be read', () => {
    assert.equal(target({}), '3.9');
    assert.equal(target({ 'pyproject.toml': '[project\nbroken' }), '3.9');
    assert.equal(target({ 'pyproject.toml': '[project]\nrequires-python = "<4"\n' }), '3.9');
  });
});
