/**
 * Finding a Python that can import FastAPI and uvicorn, and failing loudly, naming what to install, when none can.
 * Uses real interpreters: each Python stack's (the ones the integration tests use), and candidates that cannot work.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findPython, probeModules, pythonCandidates, PythonNotFoundError } from '../../src/core/python/interpreter';
import { nginxBinary } from '../support/nginx';
import { requireCoverage } from '../support/pythonCoverage';
import { PYTHON_STACKS } from '../support/python';

describe('findPython', function () {
  this.timeout(30_000);

  for (const stack of PYTHON_STACKS) {
    describe(stack.tag, () => {
      it('returns the first candidate that imports the modules, with its executable and version', async () => {
        const working = (await stack.interpreter()).command;
        const found = await findPython(['json'], ['/nonexistent/python3', working]);
        assert.equal(found.command, working);
        assert.match(found.version, /^3\.\d+\.\d+$/);
        assert.ok(found.executable.length > 0);
      });

      it('skips an interpreter that lacks a module and tells why', async () => {
        const working = (await stack.interpreter()).command;
        await assert.rejects(findPython(['catalyst_no_such_module'], ['/nonexistent/python3', working]), (error: unknown) => {
          assert.ok(error instanceof PythonNotFoundError);
          assert.deepEqual(
            error.tried.map((t) => t.command),
            ['/nonexistent/python3', working],
          );
          assert.equal(error.tried[0]!.problem, 'not found');
          // Exactly the last stderr line (Stryker, interpreter.ts: stderr not trimmed, `||` -> `&&`, `{ stderr }`
          // -> {} all gave the whole error message, which the old /ModuleNotFoundError.../ match accepted).
          assert.equal(error.tried[1]!.problem, "ModuleNotFoundError: No module named 'catalyst_no_such_module'");
          return true;
        });
      });

      // Kills (Stryker, interpreter.ts): the probe's import lines joined without '\n' (a SyntaxError), and
      // probeModules' missing list ('' entries of an empty line kept: the filter -> true, removed).
      it('imports several modules; probeModules names only what is missing', async () => {
        const working = (await stack.interpreter()).command;
        assert.equal((await findPython(['json', 'os'], [working])).command, working);
        assert.deepEqual((await probeModules(working, ['json', 'os'])).missing, []);
        assert.deepEqual((await probeModules(working, ['json', 'catalyst_no_such_module'])).missing, ['catalyst_no_such_module']);
        // Kills: a failed probe's missing list (every module asked about -> []).
        assert.deepEqual(await probeModules('/nonexistent/python3', ['json']), { command: '/nonexistent/python3', failure: 'not found', missing: ['json'] });
      });
    });
  }

  // Kills (Stryker, interpreter.ts): the tried commands joined without '\n', and the error's name -> ''.
  it('fails with a message naming what to install and where to point CATALYST_PYTHON', async () => {
    await assert.rejects(findPython(['fastapi', 'uvicorn'], ['/nonexistent/python3', '/nonexistent/python']), (error: unknown) => {
      assert.ok(error instanceof PythonNotFoundError);
      assert.equal(error.name, 'PythonNotFoundError');
      assert.equal(
        error.message,
        'No Python interpreter can import fastapi, uvicorn.\n' +
          '  /nonexistent/python3: not found\n' +
          '  /nonexistent/python: not found\n' +
          'Install them (Debian: apt-get install python3-fastapi python3-uvicorn; elsewhere: pip install fastapi uvicorn) ' +
          'or point CATALYST_PYTHON at an interpreter that has them.',
      );
      return true;
    });
  });

  it('tries an explicit choice first, then CATALYST_PYTHON, PATH and the system interpreter, without duplicates', () => {
    assert.deepEqual(pythonCandidates({ env: { CATALYST_PYTHON: '/opt/py/bin/python' }, preferred: '/venv/bin/python' }), [
      '/venv/bin/python',
      '/opt/py/bin/python',
      'python3',
      '/usr/bin/python3',
      'python',
    ]);
    assert.deepEqual(pythonCandidates({ env: { CATALYST_PYTHON: '' } }), ['python3', '/usr/bin/python3', 'python']);
    assert.deepEqual(pythonCandidates({ env: { CATALYST_PYTHON: 'python3' } }), ['python3', '/usr/bin/python3', 'python']);
  });

  // Kills (Stryker, interpreter.ts): the project's environment names ('.venv', 'venv' -> '').
  it("the project's virtual environments come after an explicit choice, the usual names first", () => {
    const root = mkdtempSync(path.join(tmpdir(), 'catalyst-venvs-'));
    try {
      for (const name of ['env', 'venv', '.venv']) {
        mkdirSync(path.join(root, name, 'bin'), { recursive: true });
        writeFileSync(path.join(root, name, 'bin', 'python'), '');
      }
      assert.deepEqual(pythonCandidates({ env: {}, preferred: '/chosen/python', projectRoot: root }).slice(0, 4), [
        '/chosen/python',
        path.join(root, '.venv', 'bin', 'python'),
        path.join(root, 'venv', 'bin', 'python'),
        path.join(root, 'env', 'bin', 'python'),
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('nginxBinary (test harness)', () => {
  it('fails naming the package to install when nginx is missing', () => {
    assert.throws(() => nginxBinary(['/nonexistent/nginx']), {
      message: 'nginx is required for the proxy tests and was not found (looked in /nonexistent/nginx). Install it: apt-get install nginx-light',
    });
  });

  it('finds the installed nginx', () => {
    assert.match(nginxBinary(), /\/nginx$/);
  });
});

describe('requireCoverage (test harness)', function () {
  this.timeout(30_000);

  it('fails naming the package to install when the interpreter lacks coverage.py', async () => {
    await assert.rejects(requireCoverage('/nonexistent/python3'), /coverage\.py is required[\s\S]*apt-get install python3-coverage/);
  });

  for (const stack of PYTHON_STACKS) {
    it(`accepts the interpreter the integration tests use ${stack.tag}`, async () => {
      await requireCoverage((await stack.interpreter()).command);
    });
  }
});
