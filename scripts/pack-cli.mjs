// @ts-check
// `npm run pack:cli`: the CLI as an npm package, catalyst-streaming-<version>.tgz, for `npm install -g FILE` or
// `npx FILE`. Made from a generated package.json rather than the repository's own: the repository's manifest is
// the extension's (vsce refuses a `files` list next to the .vscodeignore allowlist, and `main`, `contributes` and
// the dev tooling mean nothing to npm users), and the CLI needs no dependency at run time: esbuild bundles the
// JavaScript and the two wasm files (tree-sitter and its Python grammar) sit beside the bundle.
//
//   node scripts/pack-cli.mjs [--out DIR]     (default: the repository root)
//
// The package keeps the repository's layout (dist/cli.js, dist/*.wasm, samples/demo-app/), which is where the
// bundle looks for them. Prints the tarball's path as its last line; dist/ is left holding the production build.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { productionBuild, repoRoot, run } from './productionBuild.mjs';

const { values } = parseArgs({ options: { out: { type: 'string', default: repoRoot } } });
const outDir = path.resolve(values.out ?? repoRoot);
const repoManifest = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8'));

/** Files of the package, relative to the repository and to the package alike. */
const FILES = ['dist/cli.js', 'dist/tree-sitter.wasm', 'dist/tree-sitter-python.wasm', 'samples/demo-app', 'README.md', 'LICENSE', 'CHANGELOG.md'];

const manifest = {
  name: repoManifest.name,
  version: repoManifest.version,
  description: 'Server-Sent Events streaming for FastAPI LLM back ends, from a terminal: generate, add-endpoint, check, preview, demo.',
  license: repoManifest.license,
  keywords: repoManifest.keywords,
  repository: repoManifest.repository,
  bugs: repoManifest.bugs,
  homepage: repoManifest.homepage,
  bin: { 'catalyst-streaming': 'dist/cli.js' },
  engines: { node: repoManifest.engines.node },
  files: FILES,
};

productionBuild();
const staging = await mkdtemp(path.join(os.tmpdir(), 'catalyst-cli-package-'));
try {
  for (const file of FILES) {
    await mkdir(path.dirname(path.join(staging, file)), { recursive: true });
    await cp(path.join(repoRoot, file), path.join(staging, file), { recursive: true });
  }
  await writeFile(path.join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await mkdir(outDir, { recursive: true });
  // --json: npm's report of what went in; the tarball's name is in it.
  const [report] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', outDir], { cwd: staging }));
  for (const file of report.files) console.log(`${String(file.size).padStart(9)}  ${file.path}`);
  console.log(`${report.entryCount} files, ${(report.size / 1024).toFixed(0)} KiB packed, ${(report.unpackedSize / 1024).toFixed(0)} KiB unpacked`);
  console.log(path.join(outDir, report.filename));
} finally {
  await rm(staging, { recursive: true, force: true });
}
