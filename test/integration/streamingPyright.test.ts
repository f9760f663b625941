/**
 * pyright in strict mode on the generated module, against the installed FastAPI and Starlette (the interpreter
 * the integration tests use), so the types checked are the real ones.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderStreamingModule } from '../../src/core/codegen/python/templates/streaming.py';
import { formatDiagnostics, pyrightStrict } from '../support/pyright';
import { testPython } from '../support/python';
import { makeTempDir } from '../support/tempdir';

describe('generated streaming module under pyright strict', function () {
  this.timeout(120_000);
  let dir: string;
  let executable: string;

  before(async () => {
    dir = await makeTempDir('streaming-pyright');
    executable = (await testPython()).executable;
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has zero errors and zero warnings', async () => {
    const file = path.join(dir, 'streaming.py');
    await writeFile(file, await renderStreamingModule());
    const result = await pyrightStrict(file, executable);
    assert.equal(result.errorCount + result.warningCount, 0, `pyright strict:\n${formatDiagnostics(result.diagnostics)}`);
  });

  it('does report strict-mode errors (the check is live): an untyped function appended to the module', async () => {
    const file = path.join(dir, 'streaming_untyped.py');
    await writeFile(file, `${await renderStreamingModule()}\n\ndef untyped(value):\n    return value\n`);
    const result = await pyrightStrict(file, executable);
    assert.ok(result.errorCount > 0, 'strict mode flags a missing parameter type');
    const moduleLines = (await renderStreamingModule()).split('\n').length;
    assert.ok(result.diagnostics.every((d) => d.range.start.line >= moduleLines - 1), 'only the appended lines are flagged');
  });
});
