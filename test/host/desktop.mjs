// @ts-check
// Runs the same extension-host suite (dist/test/suite) in desktop VS Code through @vscode/test-electron, for
// machines that can download VS Code (this one cannot: use `npm run test:host`, which runs it in code-server).
//
//   node test/host/desktop.mjs [--version stable|insiders|1.95.0] [--grep PATTERN]
//
// Linux without a display needs one, e.g. `xvfb-run -a npm run test:desktop`. Workbench screenshots are only
// taken by the code-server runner; here the suite skips them.
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runTests } from '@vscode/test-electron';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values: flags } = parseArgs({
  options: {
    version: { type: 'string', default: process.env.CATALYST_VSCODE_VERSION ?? 'stable' },
    grep: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});

async function main() {
  if (!flags['no-build']) {
    const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('build failed');
  }
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'catalyst-desktop-'));
  const workspace = path.join(runDir, 'workspace');
  const resultFile = path.join(runDir, 'result.json');
  await cp(path.join(repoRoot, 'test', 'fixtures', 'host-workspace'), workspace, { recursive: true });
  await mkdir(path.join(repoRoot, '.artifacts', 'host'), { recursive: true });
  let exitCode = 1;
  try {
    exitCode = await runTests({
      version: flags.version,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'dist', 'test', 'suite', 'index.js'),
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir',
        path.join(runDir, 'user-data'),
        '--extensions-dir',
        path.join(runDir, 'extensions'),
      ],
      extensionTestsEnv: {
        CATALYST_HOST_RESULT: resultFile,
        CATALYST_ARTIFACTS_DIR: path.join(repoRoot, '.artifacts', 'host'),
        ...(flags.grep ? { CATALYST_SUITE_GREP: flags.grep } : {}),
      },
    });
  } catch (error) {
    console.error(`[desktop] ${error instanceof Error ? error.message : error}`);
  }
  const result = await readFile(resultFile, 'utf8').then(JSON.parse, () => undefined);
  await rm(runDir, { recursive: true, force: true });
  const passed = result?.passed ?? 0;
  const failed = result?.failed ?? 0;
  console.log(`${passed} passed, ${failed} failed`);
  return exitCode === 0 && passed > 0 && failed === 0 && result?.finished === true ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`[desktop] ${error instanceof Error ? error.stack : error}`);
    console.log('0 passed, 0 failed');
    process.exit(1);
  },
);
