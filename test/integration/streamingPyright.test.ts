/**
 * pyright in strict mode on the generated package, on each Python stack: pointed at that stack's interpreter
 * (`--pythonpath`), so the FastAPI, Starlette and Pydantic types it checks against are the ones that stack
 * installs, and a probe shows that pyright resolved imports from that stack's own site-packages.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatDiagnostics, pyrightStrict, pyrightStrictErrorsByFile } from '../support/pyright';
import { PYTHON_STACKS, type PythonStack, type StackName } from '../support/python';
import { writeGeneratedStreaming } from '../support/streamingPackage';
import { makeTempDir } from '../support/tempdir';

/** An import only each stack's Pydantic has: field_validator came with Pydantic 2, ModelField left with it. */
const ONLY_ON: Record<StackName, string> = {
  current: 'from pydantic import field_validator as field_validator',
  oldest: 'from pydantic.fields import ModelField as ModelField',
};

for (const stack of PYTHON_STACKS) {
  describe(`generated streaming package under pyright strict ${stack.tag}`, function () {
    this.timeout(120_000);
    pyrightSuite(stack);
  });
}

function pyrightSuite(stack: PythonStack): void {
  let dir: string;
  let executable: string;

  before(async () => {
    dir = await makeTempDir('streaming-pyright');
    executable = (await stack.interpreter()).executable;
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("resolves imports from this stack's own site-packages", async () => {
    const file = path.join(dir, 'probe.py');
    const names = Object.keys(ONLY_ON) as StackName[];
    await writeFile(file, `${names.map((name) => ONLY_ON[name]).join('\n')}\n`);
    const result = await pyrightStrict(file, executable);
    const failingLines = new Set(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.range.start.line));
    const unresolved = names.filter((_, line) => failingLines.has(line));
    assert.deepEqual(
      unresolved,
      names.filter((name) => name !== stack.name),
      `pyright strict:\n${formatDiagnostics(result.diagnostics)}`,
    );
  });

  for (const minor of [9, 10, 12]) {
    it(`the generated package for Python 3.${minor}: zero errors in every file, and a strict-mode error where one is added`, async () => {
      const folder = path.join(dir, `package-3${minor}`);
      await writeGeneratedStreaming(folder, { pythonTarget: { major: 3, minor } });
      const clean = await pyrightStrictErrorsByFile(folder, executable, { pythonVersion: `3.${minor}` });
      assert.deepEqual(Object.fromEntries(clean), {}, 'pyright strict errors per file');
      await writeGeneratedStreaming(folder, {
        pythonTarget: { major: 3, minor },
        transform: (file, text) => (file === 'tokens.py' ? `${text}\n\ndef untyped(value):\n    return value\n` : text),
      });
      const broken = await pyrightStrictErrorsByFile(folder, executable, { pythonVersion: `3.${minor}` });
      assert.deepEqual([...broken.keys()], ['tokens.py'], 'only the file with the untyped function is flagged');
    });
  }
}
