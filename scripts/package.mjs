// @ts-check
// `npm run package`: the .vsix users install. Production bundles (minified, no source maps) built into a clean
// dist/, then `vsce package` with the allowlist in .vscodeignore. Fails when the package would carry a source map
// or lack a file the extension loads at run time.
//
//   node scripts/package.mjs [--out DIR]     (default: the repository root)
//
// Prints the .vsix's path as its last line. dist/ is left holding the production build: run `npm run build`
// again for development (the tests and `npm run test:host` do so themselves).
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { productionBuild, repoRoot, run } from './productionBuild.mjs';

const { values } = parseArgs({ options: { out: { type: 'string', default: repoRoot } } });
const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const vsix = path.resolve(values.out ?? repoRoot, `${manifest.name}-${manifest.version}.vsix`);

/** What the installed extension loads: a package without one of these does not work. */
const REQUIRED = [
  'extension/package.json',
  'extension/package.nls.json',
  'extension/dist/extension.js',
  'extension/dist/tree-sitter.wasm',
  'extension/dist/tree-sitter-python.wasm',
  'extension/dist/webview/preview.js',
  'extension/dist/webview/preview.css',
  'extension/dist/webview/codicon.ttf',
  `extension/${manifest.icon}`,
];

const vsce = path.join(repoRoot, 'node_modules', '.bin', 'vsce');

productionBuild();
mkdirSync(path.dirname(vsix), { recursive: true });
// --no-dependencies: everything is bundled by esbuild, node_modules has nothing the extension needs.
process.stdout.write(run(vsce, ['package', '--no-dependencies', '--out', vsix]));

// The .vsix is a zip; `unzip -Z1` lists its entries.
const entries = run('unzip', ['-Z1', vsix]).split('\n').filter(Boolean);
const missing = REQUIRED.filter((file) => !entries.includes(file));
const maps = entries.filter((file) => file.endsWith('.map'));
const bundlesWithMaps = entries.filter((file) => file.endsWith('.js')).filter((file) => run('unzip', ['-p', vsix, file]).includes('sourceMappingURL='));
if (missing.length > 0 || maps.length > 0 || bundlesWithMaps.length > 0) {
  rmSync(vsix, { force: true });
  throw new Error(
    `the package is wrong: ${[...missing.map((f) => `missing ${f}`), ...maps.map((f) => `source map ${f}`), ...bundlesWithMaps.map((f) => `${f} refers to a source map`)].join('; ')}`,
  );
}
console.log(`${entries.length} entries, ${(statSync(vsix).size / 1024).toFixed(0)} KiB`);
console.log(vsix);
