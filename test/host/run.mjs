// @ts-check
// Runs the extension-host test suite (test/suite, compiled to dist/test/suite) inside a real VS Code:
// code-server's extension host, driven by its web workbench in headless Chromium. Offline, loopback only.
//
//   node test/host/run.mjs [--vsix FILE] [--no-build] [--keep] [--grep PATTERN] [--timeout SECONDS] [--coverage DIR] [--verbose]
//
//   --vsix       test the packaged extension: install FILE (from `npm run package`) into the run's code-server
//                extensions folder with code-server's --install-extension, and run the suite against that
//                installed extension instead of the development folder (no coverage: the package has no source maps)
//   --no-build   use dist/ as it is (default: `node esbuild.mjs` first; with --vsix only the suite comes from dist/)
//   --keep       keep the run folder (.host/runs/run-*: workspace copy, code-server.log, workbench.log)
//   --grep       run only the tests whose full title matches
//   --timeout    overall limit in seconds for the run once code-server starts (default 300)
//   --coverage   write the extension bundle's V8 coverage there, for c8 (e.g. coverage/tmp)
//   --verbose    also print the workbench's own log
//
// Exits 0 only when the suite ran at least one test and none failed; the last line printed is
// "N passed, N failed". Everything it starts (code-server and its extension host, terminals, uvicorn, Chromium)
// is killed on exit, on timeout and on SIGINT/SIGTERM.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { installExtension, startCodeServer } from './codeServer.mjs';
import { keepBundleCoverage } from './coverage.mjs';
import { codeServerInstall, ensureHostTools, hostDir, node24Env } from './install.mjs';
import { descendantsOf, killTreeNow } from './processes.mjs';
import { openWorkbench } from './workbench.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = path.join(repoRoot, 'test', 'fixtures', 'host-workspace');
const testsIndex = path.join(repoRoot, 'dist', 'test', 'suite', 'index.js');
const artifactsDir = path.join(repoRoot, '.artifacts', 'host');
/** The temp folder as the machine has it, read before this runner points TMPDIR into the run folder. */
const systemTmp = os.tmpdir();
/** Prefix of the suite's own log lines (test/suite/index.ts); everything else is the workbench talking. */
const SUITE_LINE = '[suite] ';

const { values: flags } = parseArgs({
  options: {
    vsix: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    grep: { type: 'string' },
    timeout: { type: 'string', default: process.env.CATALYST_HOST_TIMEOUT ?? '300' },
    coverage: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const timeoutMs = Number(flags.timeout) * 1000;

/** Pids whose trees are killed synchronously if this process exits by any path. */
const liveTrees = new Set();
process.on('exit', () => liveTrees.forEach((pid) => killTreeNow(pid)));
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.on(sig, () => {
    console.error(`[host] ${sig}: stopping`);
    process.exit(130);
  });
}

function log(message) {
  console.log(`[host] ${message}`);
}

/** Polls `check()` until it returns something truthy (returned); undefined once `deadline` (epoch ms) passes. */
async function pollUntil(check, deadline, intervalMs = 200) {
  while (Date.now() < deadline) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return undefined;
}

async function readResult(file) {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Requests from the suite for what only the runner can do, since the extension host cannot see the workbench:
 * files in the control folder, answered with `<name>.json` and then deleted.
 *
 * `<name>.screenshot` `{"waitForText"?: string}`: once a webview (an iframe of the page) shows the text
 * (waiting at most 15 s), writes `.artifacts/host/<name>.png`; answers `{"found": boolean}`.
 *
 * `<name>.keys` `{"steps": [{"title": string, "type"?: string, "expect"?: string, "press"?: string[]}]}`: a
 * user at the keyboard. For each step, waits (at most 15 s) for the quick input (QuickPick / InputBox) whose
 * title or placeholder says `title`, types `type`, waits for `expect` to show in the quick input (e.g. a validation message), presses
 * the keys. A step `{"notification": string, "click"?: string}` instead waits for a notification (a toast, or an
 * entry of the notifications center, which a headless window without focus shows instead of toasts) showing
 * the text and clicks its button named `click`. Answers `{"done": true}` or `{"done": false, "error": "..."}`.
 */
async function answerControlRequests(controlDir, page) {
  for (const request of await readdir(controlDir).catch(() => [])) {
    const extension = path.extname(request);
    if (extension !== '.screenshot' && extension !== '.keys') continue;
    const name = path.basename(request, extension).replace(/[^\w.-]/g, '_');
    const body = JSON.parse((await readFile(path.join(controlDir, request), 'utf8')) || '{}');
    const answer = extension === '.screenshot' ? await takeScreenshot(page, name, body.waitForText) : await pressKeys(page, body.steps ?? []);
    await writeFile(path.join(controlDir, `${name}.json`), JSON.stringify(answer));
    await rm(path.join(controlDir, request), { force: true });
  }
}

async function takeScreenshot(page, name, waitForText) {
  const target = path.join(artifactsDir, `${name}.png`);
  const found = waitForText === undefined || Boolean(await pollUntil(() => someWebviewShows(page, waitForText), Date.now() + 15_000, 250));
  try {
    await page.screenshot({ path: `${target}.partial.png` });
    await rename(`${target}.partial.png`, target);
    log(`screenshot saved: ${path.relative(repoRoot, target)}${found ? '' : ` (text not shown: ${JSON.stringify(waitForText)})`}`);
  } catch (error) {
    log(`screenshot ${name} failed: ${error instanceof Error ? error.message : error}`);
  }
  return { found };
}

async function pressKeys(page, steps) {
  const quickInput = page.locator('.quick-input-widget');
  try {
    for (const step of steps) {
      if (step.notification !== undefined) {
        // A notification showing the text (a toast, or an entry of the notifications center); its button `click`
        // is clicked, as a user would.
        const item = page.locator('.notification-list-item', { hasText: step.notification }).first();
        await item.waitFor({ state: 'visible', timeout: 15_000 });
        if (step.click !== undefined) await item.getByRole('button', { name: step.click, exact: true }).click({ timeout: 15_000 });
        continue;
      }
      const titled = quickInput.locator('.quick-input-title', { hasText: step.title });
      const placeholder = quickInput.locator(`input[placeholder*=${JSON.stringify(step.title)}]`);
      await titled.or(placeholder).first().waitFor({ state: 'visible', timeout: 15_000 });
      if (step.type !== undefined) await page.keyboard.type(step.type);
      if (step.expect !== undefined) await quickInput.getByText(step.expect).first().waitFor({ state: 'visible', timeout: 15_000 });
      for (const key of step.press ?? []) await page.keyboard.press(key);
    }
    return { done: true };
  } catch (error) {
    return { done: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Whether a webview shows `text`. Webviews are iframes; the main frame (editors, terminal) is left out, since an
 * editor may well show the same words.
 */
async function someWebviewShows(page, text) {
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    const shown = await frame.evaluate((wanted) => document.body?.innerText.includes(wanted) ?? false, text).catch(() => false);
    if (shown) return true;
  }
  return false;
}

async function main() {
  if (!flags['no-build']) {
    const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('build failed');
  }
  if (!existsSync(testsIndex)) throw new Error(`${testsIndex} is missing: is test/suite/esbuild.part.mjs there?`);

  const vsix = flags.vsix ? path.resolve(flags.vsix) : undefined;
  if (vsix && !existsSync(vsix)) throw new Error(`--vsix ${flags.vsix}: no such file (make one with npm run package)`);
  const coverage = vsix ? undefined : flags.coverage;
  if (vsix && flags.coverage) log('--coverage is ignored with --vsix: the packaged bundle has no source maps (coverage comes from the development run)');

  const { node } = await ensureHostTools();
  await mkdir(path.join(hostDir, 'runs'), { recursive: true });
  await pruneOldRuns(path.join(hostDir, 'runs'));
  await mkdir(artifactsDir, { recursive: true });
  const runDir = await mkdtemp(path.join(hostDir, 'runs', 'run-'));
  // An installed extension must find everything in its own folder. Under the repository (the default host
  // folder is <repo>/.host) Node's module resolution would reach the repository's node_modules and hide a file
  // missing from the package, so a .vsix goes into a fresh folder in the system's temp folder, with no
  // node_modules above it.
  const extensionsDir = vsix ? await cleanExtensionsFolder() : undefined;
  const workspace = path.join(runDir, 'workspace');
  const controlDir = path.join(runDir, 'control');
  const resultFile = path.join(runDir, 'result.json');
  const rawCoverageDir = path.join(runDir, 'v8-coverage');
  await cp(fixture, workspace, { recursive: true });
  await mkdir(controlDir);
  // Playwright keeps Chromium's profile in the temp folder: keep that inside the run folder too.
  await mkdir(path.join(runDir, 'tmp'), { recursive: true });
  process.env.TMPDIR = path.join(runDir, 'tmp');
  log(`run folder ${path.relative(repoRoot, runDir)}`);

  // What the workbench loads as the extension under development. With --vsix that is an empty stand-in (VS Code
  // runs extension tests only with some development extension), and the extension under test is the installed one.
  let developmentPath = repoRoot;
  /** @type {string | undefined} */
  let installedPath;
  if (vsix) {
    installedPath = await installExtension({ node: node.node, entry: codeServerInstall().entry, runDir, extensionsDir, env: node24Env(), vsix });
    developmentPath = await writeRunnerStandIn(runDir);
    log(`extension under test: INSTALLED from ${path.relative(repoRoot, vsix) || vsix} into ${path.relative(repoRoot, installedPath)}`);
  } else {
    log(`extension under test: the development folder ${repoRoot}`);
  }

  const env = {
    ...node24Env(),
    // Read by test/suite/index.ts (through the extension host's environment).
    CATALYST_HOST_RESULT: resultFile,
    CATALYST_HOST_CONTROL: controlDir,
    CATALYST_ARTIFACTS_DIR: artifactsDir,
    // Where the suite must find the extension (test/suite/activation.test.ts checks it).
    CATALYST_EXTENSION_UNDER_TEST: installedPath ?? repoRoot,
    ...(flags.grep ? { CATALYST_SUITE_GREP: flags.grep } : {}),
    ...(coverage ? { NODE_V8_COVERAGE: rawCoverageDir } : {}),
  };
  const workbenchLog = createWriteStream(path.join(runDir, 'workbench.log'));
  const started = Date.now();
  const deadline = started + timeoutMs;
  let server;
  let workbench;
  /** An extension host that dies never reports: end the run at once instead of at the timeout. */
  let reportHostCrash = (/** @type {string} */ _text) => {};
  const hostCrashed = new Promise((resolve) => (reportHostCrash = (text) => resolve({ kind: 'host-crash', code: text })));
  let outcome = 'error';
  let exitCode;
  try {
    server = await startCodeServer({ node: node.node, entry: codeServerInstall().entry, runDir, extensionsDir, env });
    liveTrees.add(server.pid);
    log(`code-server ${server.origin} (pid ${server.pid}) up in ${Date.now() - started} ms`);

    workbench = await openWorkbench({
      origin: server.origin,
      port: server.port,
      workspace,
      extensionPath: developmentPath,
      testsPath: testsIndex,
      home: path.join(runDir, 'chromium-home'),
      onLog: (type, text) => {
        workbenchLog.write(`${type}: ${text}\n`);
        if (/Extension host .*terminated unexpectedly/.test(text)) reportHostCrash(text);
        if (text.startsWith(SUITE_LINE)) {
          console.log(text.slice(SUITE_LINE.length));
        } else if (flags.verbose || type === 'pageerror') {
          console.log(`  (${type}) ${text}`);
        }
      },
    });
    liveTrees.add(workbench.browserPid);

    let finished = false;
    const exitPromise = workbench.exitCode.then((code) => ((finished = true), { kind: 'exit', code }));
    const serverDied = server.exited.then((why) => ({ kind: 'server-exit', code: why }));
    const controlRequests = (async () => {
      while (!finished && Date.now() < deadline) {
        await answerControlRequests(controlDir, workbench.page);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const timedOut = new Promise((resolve) => setTimeout(() => resolve({ kind: 'timeout' }), Math.max(0, deadline - Date.now())).unref());
    const first = /** @type {{kind: string, code?: unknown}} */ (await Promise.race([exitPromise, serverDied, hostCrashed, timedOut]));
    finished = true;
    await controlRequests;
    if (first.kind === 'exit') {
      outcome = 'finished';
      exitCode = first.code;
    } else {
      outcome = first.kind;
      await workbench.page.screenshot({ path: path.join(artifactsDir, `${outcome}.png`) }).catch(() => {});
    }
    if (outcome === 'finished' && coverage) {
      // The extension host writes its V8 coverage when it exits by itself, right after reporting: give it the moment.
      const extensionHosts = () => descendantsOf(server.pid).filter((pid) => isExtensionHost(pid));
      await pollUntil(() => extensionHosts().length === 0, Date.now() + 10_000, 100);
    }
  } finally {
    await workbench?.close();
    if (workbench) killTreeNow(workbench.browserPid);
    await server?.stop();
    liveTrees.clear();
    workbenchLog.end();
  }

  if (coverage) {
    const written = await keepBundleCoverage(rawCoverageDir, path.resolve(coverage), [path.join(repoRoot, 'dist', 'extension.js')]);
    log(`extension-host coverage: ${written} file(s) written to ${coverage}`);
  }
  const result = await readResult(resultFile);
  const passed = result?.passed ?? 0;
  const failed = result?.failed ?? 0;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (outcome === 'timeout') {
    log(`TIMEOUT after ${flags.timeout} s${result?.current ? ` in "${result.current}"` : ''}`);
  } else if (outcome === 'server-exit') {
    log(`code-server exited unexpectedly; see ${server?.logFile}`);
  } else if (outcome === 'host-crash') {
    log(`the extension host crashed${result?.current ? ` in "${result.current}"` : ''}; see workbench.log in the run folder`);
  } else {
    log(`workbench reported exit code ${exitCode} after ${seconds} s`);
  }
  if (!result) {
    log('the suite wrote no result: it never started (see code-server.log in the kept run folder)');
  } else if (!result.finished) {
    // E.g. the extension host died: the workbench then reports exit code 0 all the same.
    log(`the suite did not finish${result.current ? `; it was running "${result.current}"` : ''}`);
  }
  for (const failure of result?.failures ?? []) log(`failed: ${failure.title}`);
  log(vsix ? `tested the extension INSTALLED from ${path.basename(vsix)}` : 'tested the development folder');

  const ok = outcome === 'finished' && exitCode === 0 && passed > 0 && failed === 0 && result?.finished === true;
  if (flags.keep || !ok) {
    log(`run folder kept: ${path.relative(repoRoot, runDir)}${extensionsDir ? ` (installed extension: ${extensionsDir})` : ''}`);
  } else {
    await rm(runDir, { recursive: true, force: true });
    if (extensionsDir) await rm(extensionsDir, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  return ok ? 0 : 1;
}

/** A new folder under the system's temp folder (not TMPDIR, which this runner points into the run folder). */
async function cleanExtensionsFolder() {
  const folder = await mkdtemp(path.join(systemTmp, 'catalyst-vsix-extensions-'));
  for (let dir = path.dirname(folder); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'node_modules'))) throw new Error(`${dir} has a node_modules folder: pick a clean TMPDIR for --vsix runs`);
    if (path.dirname(dir) === dir) return folder;
  }
}

/**
 * An extension with nothing in it, loaded as the "extension under development" when the suite tests an installed
 * extension: VS Code starts extension tests only alongside a development extension, and it must not be ours (a
 * development copy would take the place of the installed one).
 */
async function writeRunnerStandIn(runDir) {
  const folder = path.join(runDir, 'suite-runner-extension');
  await mkdir(folder, { recursive: true });
  const manifest = { name: 'suite-runner', publisher: 'catalyst-test', version: '0.0.0', engines: { vscode: '*' } };
  await writeFile(path.join(folder, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return folder;
}

/**
 * Failed runs are kept for inspection; remove those older than a day. (Not younger ones: another run may be
 * using its folder right now.)
 */
async function pruneOldRuns(runsDir) {
  const dayAgo = Date.now() - 24 * 60 * 60 * 1000;
  for (const name of await readdir(runsDir)) {
    const folder = path.join(runsDir, name);
    const { mtimeMs } = await stat(folder);
    if (mtimeMs < dayAgo) await rm(folder, { recursive: true, force: true });
  }
}

/** Whether `pid` is a VS Code extension host (its command line names its type). */
function isExtensionHost(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('extensionHost');
  } catch {
    return false; // gone
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`[host] ${error instanceof Error ? error.stack : error}`);
    console.log('0 passed, 0 failed');
    process.exit(1);
  },
);
