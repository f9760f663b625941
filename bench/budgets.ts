/**
 * The packages' budgets, measured in one run on what users install (printed, never asserted):
 *   - the .vsix's size (`npm run package`);
 *   - activation in the real extension host, and the first LLM diagnostic after opening a 5,000-line file: the
 *     extension-host suite's budgets file alone (`test:host --vsix FILE --grep budgets`), so the extension is
 *     cold and installed from the .vsix;
 *   - the CLI's cold start: `catalyst-streaming check` on a small file, from the npm tarball installed into an
 *     empty prefix; the median of several runs, next to a bare `node -e 0` on the same machine for scale.
 * Leaves a development build in dist/ again.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Benchmark } from './index';

const REPO_ROOT = path.resolve(__dirname, '..');
const CLI_RUNS = 9;

const SMALL_FILE = `from anthropic import AsyncAnthropic
from fastapi import FastAPI

app = FastAPI()
client = AsyncAnthropic()


@app.get("/chat")
async def chat(prompt: str) -> str:
    message = await client.messages.create(
        model="claude-sonnet-4-5", max_tokens=1024, messages=[{"role": "user", "content": prompt}]
    )
    return message.content[0].text
`;

/** Runs a packaging script with `--out dir`; returns the artifact path it prints last. */
function pack(script: string, dir: string): string {
  const output = execFileSync(process.execPath, [script, '--out', dir], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return output.trim().split('\n').at(-1)!;
}

/** Wall time (ms) of each of `runs` runs of a command; the first run is a warm-up of the disk cache and not kept. */
function timeRuns(command: string, args: readonly string[], cwd: string, runs: number): number[] {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    spawnSync(command, args, { cwd, stdio: 'ignore', env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` } });
    if (i > 0) times.push(performance.now() - started);
  }
  return times;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function row(what: string, value: string, target: string, met: boolean | undefined): string {
  return `| ${what} | ${value} | ${target} | ${met === undefined ? '-' : met ? 'met' : 'MISSED'} |`;
}

export const budgetsBenchmark: Benchmark = {
  name: 'budgets',
  description: '.vsix size, activation and first diagnostic in the real host, CLI cold start (installed packages)',
  async run() {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'catalyst-budgets-'));
    const rows: string[] = [];
    try {
      const vsix = pack('scripts/package.mjs', tmp);
      const tarball = pack('scripts/pack-cli.mjs', tmp);
      const vsixKiB = statSync(vsix).size / 1024;
      rows.push(row('.vsix size', `${vsixKiB.toFixed(0)} KiB`, '<= 1.5 MB', vsixKiB <= 1536));
      rows.push(row('CLI tarball size', `${(statSync(tarball).size / 1024).toFixed(0)} KiB`, '-', undefined));

      // The installed extension, cold, in the real host.
      const host = spawnSync(process.execPath, ['test/host/run.mjs', '--vsix', vsix, '--grep', 'budgets'], { cwd: REPO_ROOT, encoding: 'utf8' });
      process.stdout.write(host.stdout.split('\n').filter((line) => line.includes('[budget]') || line.includes('extension under test')).map((l) => `${l}\n`).join(''));
      const figures = JSON.parse(readFileSync(path.join(REPO_ROOT, '.artifacts', 'host', 'budgets.json'), 'utf8')) as Record<string, number | null>;
      const activation = figures['activation (code loaded + activate() resolved)'] ?? null;
      const fromOpen = figures['open Python file -> activate() resolved'] ?? null;
      const diagnostic = figures['first LLM diagnostic, 5000-line file (open -> published)'] ?? null;
      rows.push(row('activation (VS Code: code loading + activate() resolved)', activation === null ? 'n/a' : `${activation} ms`, '<= 50 ms', activation === null ? undefined : activation <= 50));
      rows.push(row('  opening a Python file -> activate() resolved', fromOpen === null ? 'n/a' : `${fromOpen} ms`, '-', undefined));
      rows.push(row('first LLM diagnostic after opening a 5,000-line file', diagnostic === null ? 'n/a' : `${diagnostic} ms`, '-', undefined));
      if (host.status !== 0) process.stdout.write(`(the host run failed:\n${host.stdout.slice(-2000)}\n${host.stderr.slice(-2000)})\n`);

      // The CLI as installed from the tarball, from an empty folder.
      const prefix = path.join(tmp, 'prefix');
      const work = path.join(tmp, 'work');
      execFileSync('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: tmp, stdio: 'ignore' });
      execFileSync('mkdir', [work]);
      writeFileSync(path.join(work, 'app.py'), SMALL_FILE);
      const cli = timeRuns(path.join(prefix, 'bin', 'catalyst-streaming'), ['check', 'app.py'], work, CLI_RUNS);
      const bareNode = timeRuns(process.execPath, ['-e', '0'], work, CLI_RUNS);
      rows.push(row(`CLI cold start: \`check\` on a 13-line file (median of ${CLI_RUNS})`, `${median(cli).toFixed(0)} ms`, '<= 300 ms', median(cli) <= 300));
      rows.push(row(`  bare \`node -e 0\` on the same machine (median of ${CLI_RUNS})`, `${median(bareNode).toFixed(0)} ms`, '-', undefined));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      execFileSync(process.execPath, ['esbuild.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
    }
    process.stdout.write(`| budget | measured | target | |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n`);
  },
};
