/**
 * The generated module's own JSON encoder (used when orjson is not installed) against the real orjson: the
 * same bytes for every value of a table and for tens of thousands of random floats and strings, NaN and the
 * infinities written as null (valid JSON, as orjson writes them). Run on both stacks: the current one has
 * orjson and compares; the oldest one (no orjson) must give the very same bytes for the table, all valid JSON.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { loadExeca } from '../support/execa';
import { PYTHON_STACKS, pythonStack } from '../support/python';
import { STREAMING_FIXTURES, writeStreamingApp } from '../support/streamingApp';
import { makeTempDir } from '../support/tempdir';

interface JsonReport {
  readonly orjson: boolean;
  readonly table: readonly { readonly value: string; readonly ours: string; readonly orjson: string | null }[];
  readonly random_checked: number;
  readonly mismatches: readonly unknown[];
  readonly invalid: readonly string[];
}

async function report(python: string, count: number): Promise<JsonReport> {
  const dir = await makeTempDir('streaming-json');
  try {
    await writeStreamingApp(dir);
    const execa = await loadExeca();
    const { stdout } = await execa(python, [path.join(STREAMING_FIXTURES, 'check_json.py'), String(count)], { cwd: dir, env: { PYTHONPATH: dir } });
    return JSON.parse(stdout) as JsonReport;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the generated module without orjson writes what orjson writes', function () {
  this.timeout(120_000);
  let reference: JsonReport;

  before(async () => {
    reference = await report((await pythonStack('current').interpreter()).command, 20_000);
    assert.equal(reference.orjson, true, 'the current stack has orjson');
  });

  it('gives the same bytes as orjson for every value of the table, NaN and Infinity as null', () => {
    const differing = reference.table.filter((row) => row.ours !== row.orjson);
    assert.deepEqual(differing, []);
    const byValue = new Map(reference.table.map((row) => [row.value, row.ours]));
    assert.equal(byValue.get('nan'), 'null');
    assert.equal(byValue.get('inf'), 'null');
    assert.equal(byValue.get("[nan, {'x': -inf}]"), '[null,{"x":null}]');
    assert.equal(byValue.get('1e-05'), '0.00001');
    assert.equal(byValue.get('1e-07'), '1e-7');
  });

  it('gives the same bytes as orjson for 60,000 random floats (any bit pattern) and strings, all valid JSON', () => {
    assert.equal(reference.random_checked, 60_000);
    assert.deepEqual(reference.mismatches, []);
    assert.deepEqual(reference.invalid, []);
  });

  for (const stack of PYTHON_STACKS.filter((s) => s.name !== 'current')) {
    it(`gives the same bytes on the ${stack.name} stack (no orjson there) ${stack.tag}`, async () => {
      const other = await report((await stack.interpreter()).command, 2_000);
      assert.deepEqual(
        other.table.map((row) => [row.value, row.ours]),
        reference.table.map((row) => [row.value, row.ours]),
      );
      assert.deepEqual(other.invalid, []);
    });
  }
});
