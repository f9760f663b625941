/**
 * `check` over the corpus of real-world layouts in test/fixtures/corpus/<layout>/ (shapes of public FastAPI +
 * LLM projects, written for the tests): each layout's expected.json lists exactly the calls a careful reader
 * flags (file, line, code), and `check --json`'s findings must equal it. Recall and precision over the whole
 * corpus are what the README reports (see "How the corpus is counted" there).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { makeTempDir } from '../support/tempdir';

export const CORPUS = path.join(__dirname, '../fixtures/corpus');

interface Expected {
  readonly about: string;
  /** `says`: words the finding's message must carry (why no quick fix is offered, the route that reaches it). */
  /** Files `check --fix` must leave byte for byte (no fix keeps the behaviour there). */
  readonly fixLeaves?: readonly string[];
  readonly findings: ReadonlyArray<{ readonly file: string; readonly line: number; readonly code: string; readonly says?: readonly string[] }>;
}

/** The layouts, read when the file loads: mocha declares one test per layout. */
export const LAYOUTS: readonly string[] = readdirSync(CORPUS, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

export async function expectedFindings(layout: string): Promise<Expected> {
  return JSON.parse(await readFile(path.join(CORPUS, layout, 'expected.json'), 'utf8')) as Expected;
}

/** `file:line code` of every LLM finding `check --json` prints for the layout, in its order, with its message. */
export async function checkedFindings(layout: string): Promise<Map<string, string>> {
  let stdout = '';
  let stderr = '';
  await main(['check', '--json', '.'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: path.join(CORPUS, layout) });
  const findings = JSON.parse(stdout) as Array<{ file: string; line: number; code: string; message: string }>;
  assert.doesNotMatch(stderr, /skipped/, stderr);
  return new Map(findings.filter((f) => f.code.startsWith('llm-')).map((f) => [`${f.file}:${f.line} ${f.code}`, f.message]));
}

const rows = (expected: Expected) => expected.findings.map((f) => `${f.file}:${f.line} ${f.code}`);

describe('check on the real-world corpus (test/fixtures/corpus)', function () {
  this.timeout(60_000);
  const counts = { truePositives: 0, falsePositives: 0, falseNegatives: 0 };

  after(() => {
    const recall = counts.truePositives / (counts.truePositives + counts.falseNegatives);
    const precision = counts.truePositives / (counts.truePositives + counts.falsePositives || 1);
    // Printed for the README's figures; the rows above assert them exactly.
    console.log(`      corpus: recall ${recall.toFixed(2)}, precision ${precision.toFixed(2)} (${JSON.stringify(counts)})`);
  });

  it('has at least 12 layouts, each with an expectation', async () => {
    assert.ok(LAYOUTS.length >= 12, LAYOUTS.join());
    for (const layout of LAYOUTS) {
      assert.ok((await expectedFindings(layout)).about, layout);
    }
  });

  for (const layout of LAYOUTS) {
    it(layout, async () => {
      const expected = await expectedFindings(layout);
      const messages = await checkedFindings(layout);
      const found = [...messages.keys()];
      const wanted = rows(expected);
      counts.truePositives += found.filter((f) => wanted.includes(f)).length;
      counts.falsePositives += found.filter((f) => !wanted.includes(f)).length;
      counts.falseNegatives += wanted.filter((f) => !found.includes(f)).length;
      assert.deepEqual([...found].sort(), [...wanted].sort(), expected.about);
      if (expected.fixLeaves) {
        const copy = await makeTempDir(`corpus-${layout}`);
        await cp(path.join(CORPUS, layout), copy, { recursive: true });
        let stderr = '';
        await main(['check', '--fix', '.'], { stdout: () => undefined, stderr: (t) => (stderr += t), cwd: copy });
        for (const file of expected.fixLeaves) {
          assert.equal(await readFile(path.join(copy, file), 'utf8'), await readFile(path.join(CORPUS, layout, file), 'utf8'), `${file}\n${stderr}`);
        }
      }
      for (const f of expected.findings) {
        for (const words of f.says ?? []) {
          assert.ok(messages.get(`${f.file}:${f.line} ${f.code}`)?.includes(words), `${f.file}:${f.line} ${f.code} says "${words}"`);
        }
      }
    });
  }
});
