// @ts-check
// Starts code-server (VS Code's server and web workbench) on a free loopback port, sealed off from the network
// and from the user's machine: throwaway user data and extensions folders, XDG and TMPDIR inside the run folder,
// no gallery, no telemetry, no update check.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { killTreeNow, stopTree } from './processes.mjs';

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * @param {{ node: string, entry: string, runDir: string, extensionsDir?: string, env: NodeJS.ProcessEnv, timeoutMs?: number }} options
 *   `env` is the base environment (Node 24 first on PATH); `runDir` receives every file the server writes, and
 *   `extensionsDir` (default: inside `runDir`) holds the installed extensions.
 */
export async function startCodeServer(options) {
  // The free port can be taken by someone else between the check and code-server's bind: try another one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(options, await freePort());
    } catch (error) {
      if (!(error instanceof EarlyExit) || attempt === 3) throw error;
    }
  }
}

class EarlyExit extends Error {}

/**
 * Every folder code-server writes to: inside the run folder, except the extensions folder when given (a .vsix is
 * installed outside the repository, see run.mjs).
 */
export function serverDirs(runDir, extensionsDir = path.join(runDir, 'extensions')) {
  return {
    userData: path.join(runDir, 'user-data'),
    extensions: extensionsDir,
    config: path.join(runDir, 'xdg', 'config'),
    data: path.join(runDir, 'xdg', 'data'),
    cache: path.join(runDir, 'xdg', 'cache'),
    tmp: path.join(runDir, 'tmp'),
  };
}

/** The environment code-server runs with: `env` sealed into the run folder and away from any proxy. */
function serverEnv(env, dirs) {
  return {
    ...env,
    EXTENSIONS_GALLERY: '{}',
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
    TMPDIR: dirs.tmp,
    // Nothing here may reach for a proxy: only loopback is used.
    HTTP_PROXY: '',
    HTTPS_PROXY: '',
    http_proxy: '',
    https_proxy: '',
  };
}

/**
 * Installs a .vsix into the extensions folder the run's code-server will use, with code-server's own
 * `--install-extension` (as a user of code-server would). Returns the folder it was installed to.
 * @param {{ node: string, entry: string, runDir: string, extensionsDir?: string, env: NodeJS.ProcessEnv, vsix: string }} options
 */
export async function installExtension({ node, entry, runDir, extensionsDir, env, vsix }) {
  const dirs = serverDirs(runDir, extensionsDir);
  await Promise.all(Object.values(dirs).map((dir) => mkdir(dir, { recursive: true })));
  const before = new Set(await readdir(dirs.extensions));
  const output = await new Promise((resolve, reject) => {
    const child = spawn(node, [entry, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--install-extension', vsix], {
      cwd: runDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: serverEnv(env, dirs),
    });
    let text = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.stderr.on('data', (chunk) => (text += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve(text) : reject(new Error(`code-server --install-extension exited with ${signal ?? code}:\n${text}`)),
    );
  });
  const added = (await readdir(dirs.extensions)).filter((name) => !before.has(name) && !name.startsWith('.') && name !== 'extensions.json');
  if (added.length !== 1) throw new Error(`expected one extension folder from ${vsix}, found ${JSON.stringify(added)}:\n${output}`);
  return path.join(dirs.extensions, added[0]);
}

async function launch({ node, entry, runDir, extensionsDir, env, timeoutMs = 60_000 }, port) {
  const dirs = serverDirs(runDir, extensionsDir);
  await Promise.all(Object.values(dirs).map((dir) => mkdir(dir, { recursive: true })));
  const args = [
    entry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--user-data-dir',
    dirs.userData,
    '--extensions-dir',
    dirs.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    // Makes the built workbench honour extensionDevelopmentPath/extensionTestsPath from the URL payload and
    // report through window.codeAutomationLog/codeAutomationExit.
    '--vscode-option',
    'enable-smoke-test-driver',
  ];
  const logFile = path.join(runDir, 'code-server.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(node, args, {
    cwd: runDir,
    detached: true, // own process group, killed as a whole
    stdio: ['ignore', 'pipe', 'pipe'],
    env: serverEnv(env, dirs),
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const pid = /** @type {number} */ (child.pid);
  const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve(sig ?? code)));

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  let ready = false;
  while (!ready && Date.now() < deadline) {
    const early = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve(undefined), 200))]);
    if (early !== undefined) {
      killTreeNow(pid);
      log.end();
      throw new EarlyExit(`code-server exited (${early}) before answering on ${origin}; see ${logFile}`);
    }
    ready = await fetch(`${origin}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
  }
  if (!ready) {
    killTreeNow(pid);
    log.end();
    throw new Error(`code-server did not answer on ${origin} within ${timeoutMs} ms; see ${logFile}`);
  }
  return {
    port,
    origin,
    pid,
    logFile,
    exited,
    /** Stops code-server and everything it started (extension host, pty host, terminals and their children). */
    stop: async () => {
      await stopTree(pid);
      log.end();
    },
  };
}
