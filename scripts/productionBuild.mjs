// @ts-check
// The production build both packages start from: a clean dist/ (a development build leaves source maps and the
// extension-host suite's bundles there), then `node esbuild.mjs --production` (minified, no source maps).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs `command` in the repository; returns its stdout, throws when it fails. stderr goes to ours. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.signal ?? result.status}`);
  return result.stdout;
}

export function productionBuild() {
  rmSync(path.join(repoRoot, 'dist'), { recursive: true, force: true });
  run(process.execPath, ['esbuild.mjs', '--production']);
}
