/**
 * Entry point of the extension-host test suite: VS Code `require`s this file in the extension host (as
 * `extensionTestsPath`) and awaits `run()`. It runs every bundled `*.test.js` beside it with mocha's
 * programmatic API and reports to the runner that started the host (test/host/run.mjs, or desktop.mjs):
 *   - `CATALYST_HOST_RESULT`: a JSON file rewritten after every test (counts, the test in progress, failures),
 *     so the runner can say where a timed-out run was stuck;
 *   - the log: mocha's spec reporter prints through console.log, which the workbench forwards.
 */
import Mocha from 'mocha';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';

/**
 * Prefix of every line the suite prints. The workbench forwards its own log through the same channel as the
 * extension host's console; the runner shows only the suite's lines unless asked for everything.
 */
const SUITE_LINE = '[suite] ';

function say(...args: unknown[]): void {
  for (const line of format(...args).split('\n')) {
    console.log(SUITE_LINE + line);
  }
}

/** Runs first: it checks that nothing activated the extension before a Python file was opened. */
const FIRST = 'activation.test.js';

interface Progress {
  passed: number;
  failed: number;
  pending: number;
  current?: string;
  finished: boolean;
  failures: { title: string; error: string }[];
}

export async function run(): Promise<void> {
  // The spec reporter prints through Base.consoleLog; route it through `say` so every line carries the prefix.
  Mocha.reporters.Base.consoleLog = say;
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60_000,
    slow: 5_000,
    color: false,
    reporter: 'spec',
    ...(process.env.CATALYST_SUITE_GREP ? { grep: process.env.CATALYST_SUITE_GREP } : {}),
  });
  const files = readdirSync(__dirname)
    .filter((name) => name.endsWith('.test.js'))
    .sort((a, b) => Number(b === FIRST) - Number(a === FIRST) || a.localeCompare(b));
  for (const file of files) {
    mocha.addFile(path.join(__dirname, file));
  }

  const progress: Progress = { passed: 0, failed: 0, pending: 0, finished: false, failures: [] };
  const resultFile = process.env.CATALYST_HOST_RESULT;
  const report = () => {
    if (resultFile) writeFileSync(resultFile, JSON.stringify(progress, null, 2));
  };
  report();

  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    runner.on(Mocha.Runner.constants.EVENT_TEST_BEGIN, (test) => {
      progress.current = test.fullTitle();
      report();
    });
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, () => {
      progress.passed += 1;
      report();
    });
    runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, () => {
      progress.pending += 1;
      report();
    });
    // Also fires for failing hooks, which count as failures.
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test, error: Error) => {
      progress.failed += 1;
      progress.failures.push({ title: test.fullTitle(), error: error.stack ?? String(error) });
      report();
    });
  });
  progress.finished = true;
  delete progress.current;
  report();
  say(`${progress.passed} passed, ${progress.failed} failed, ${progress.pending} pending`);
  if (failures > 0) {
    throw new Error(`${failures} extension-host test(s) failed`);
  }
  if (progress.passed === 0) {
    throw new Error('no extension-host test ran');
  }
}
