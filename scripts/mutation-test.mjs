// Mutation testing of the pure core with Stryker (`npm run test:mutation -- FOLDER [stryker options]`), one
// folder of src/core at a time, e.g. `npm run test:mutation -- sse` or `-- plan --mutate src/core/plan/routePath.ts`.
// Not part of `npm test`: a folder takes minutes, on 2 cores. The configuration and the equivalent mutants left
// alive are in stryker.config.mjs.
//
// Stryker's mocha runner 9.6 loads Mocha's CLI helpers by path without an extension (`lib/cli/options`), and
// Mocha 12 renamed them to `.cjs` (upstream: stryker-js pull request 6021, "support Mocha v12"). Until a release
// has it, this script patches the installed runner in place, once, so it finds either name.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { integrationOnly } from '../stryker.config.mjs';

const require = createRequire(import.meta.url);
const CORE = 'src/core';
/** A run that takes longer than this is stopped (the machine is shared): `MUTATION_TIME_BOX_MINUTES` overrides it. */
const timeBoxMinutes = Number(process.env.MUTATION_TIME_BOX_MINUTES ?? 45);

patchMochaRunnerForMocha12();

const [folder, ...strykerArgs] = process.argv.slice(2);
const folders = readdirSync(CORE, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
if (folder === undefined || !(folders.includes(folder) || folder === 'core')) {
  console.error(`Usage: npm run test:mutation -- FOLDER [stryker options], FOLDER one of: ${folders.join(', ')}, or core (all)`);
  process.exit(2);
}
const glob = folder === 'core' ? `${CORE}/**/*.ts` : `${CORE}/${folder}/**/*.ts`;
// A folder's run leaves out the files only integration tests can judge (stryker.config.mjs); `--mutate` names files as given.
const mutate = strykerArgs.includes('--mutate') ? [] : ['--mutate', [glob, ...integrationOnly.map((file) => `!${file}`)].join(',')];
const args = ['run', ...mutate, '--incremental', ...strykerArgs];
const started = Date.now();
const stryker = spawn(process.execPath, [path.join(path.dirname(require.resolve('@stryker-mutator/core/package.json')), 'bin/stryker.js'), ...args], {
  stdio: 'inherit',
  env: { ...process.env, MUTATION_FOLDER: folder },
  detached: true,
});
const timer = setTimeout(() => {
  console.error(`test:mutation: stopped after the ${timeBoxMinutes}-minute time box`);
  process.kill(-stryker.pid, 'SIGTERM');
}, timeBoxMinutes * 60_000);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.kill(-stryker.pid, signal));
}
stryker.on('exit', (code, signal) => {
  clearTimeout(timer);
  console.log(`test:mutation: ${folder} took ${Math.round((Date.now() - started) / 1000)} s`);
  process.exit(code ?? (signal ? 1 : 0));
});

function patchMochaRunnerForMocha12() {
  const runner = path.dirname(require.resolve('@stryker-mutator/mocha-runner/package.json'));
  const wrapper = path.join(runner, 'dist/src/lib-wrapper.js');
  const source = readFileSync(wrapper, 'utf8');
  const marker = '/* catalyst: mocha 12 .cjs */';
  if (source.includes(marker)) return;
  const cliPath = /`\$\{mochaRoot\}\/lib\/cli\/([a-z-]+)`/g;
  const patched = source.replace(cliPath, (_, name) => `cliModule('${name}')`);
  if (patched === source) throw new Error(`${wrapper}: no Mocha CLI path to patch; is the runner newer? Drop this patch.`);
  const helper = `${marker}\nconst cliModule = (name) => [\`\${mochaRoot}/lib/cli/\${name}.cjs\`, \`\${mochaRoot}/lib/cli/\${name}\`].find((file) => existsSync(file) || existsSync(\`\${file}.js\`));\n`;
  writeFileSync(wrapper, patched.replace("import Mocha from 'mocha';", `import Mocha from 'mocha';\nimport { existsSync } from 'fs';\n${helper}`));
}
