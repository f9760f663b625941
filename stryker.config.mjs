// Mutation testing of src/core with the unit tests: `npm run test:mutation -- FOLDER` (scripts/mutation-test.mjs).
// Each folder of src/core/workspace, plan, sse and python is held at a mutation score of at least 90%.
// scripts/mutation-test.mjs names the folder, so that each folder keeps its own report and incremental state.
const folder = process.env.MUTATION_FOLDER ?? 'core';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'mocha',
  mochaOptions: {
    // The same requires and spec as `npx mocha` (tsx/cjs, the .py text loader).
    config: '.mocharc.json',
    // It runs the built dist/cli.js, which mutating src/ does not change.
    ignore: ['test/unit/generateCli.test.ts'],
  },
  mutate: ['src/core/**/*.ts'],
  coverageAnalysis: 'perTest',
  // The machine has 2 cores, shared.
  concurrency: 2,
  timeoutMS: 5_000,
  // A static mutant (a module-level constant) runs every unit test; they took 70% of the time for 7% of the
  // mutants. They are left out of the score, which is the mutants a test run per mutant can judge.
  ignoreStatic: true,
  ignorePatterns: ['dist', 'out', 'coverage', '.artifacts', '.vscode-test', '.host', '.venv', 'reports'],
  reporters: ['progress', 'clear-text', 'html', 'json'],
  jsonReporter: { fileName: `reports/mutation/${folder}.json` },
  htmlReporter: { fileName: `reports/mutation/${folder}.html` },
  incrementalFile: `reports/stryker-incremental-${folder}.json`,
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  // The Python stacks are not copied into the sandbox (.stryker-tmp/sandbox-*/), only linked.
  buildCommand: 'ln -s ../../.venv .venv',
  cleanTempDir: 'always',
};
