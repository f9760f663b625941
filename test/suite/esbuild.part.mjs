// Bundles the extension-host test suite for `node esbuild.mjs` (imported from there when this file exists).
// Each test file becomes its own CommonJS bundle next to the index, which mocha `require`s inside the extension
// host; `vscode` is provided by the host. The index bundles mocha itself, so nothing is resolved from
// node_modules at run time.
import { rmSync } from 'node:fs';

const OUT_DIR = 'dist/test/suite';

/** @param {{ nodeBundle: import('esbuild').BuildOptions, production: boolean }} shared */
export default function suiteBuilds({ nodeBundle, production }) {
  if (production) {
    return []; // a production build is for packaging: no tests in it
  }
  // The index runs every *.test.js it finds: a bundle left from a renamed or deleted test must not linger.
  rmSync(OUT_DIR, { recursive: true, force: true });
  const common = {
    ...nodeBundle,
    minify: false,
    sourcemap: 'inline',
    external: ['vscode'],
    // The oldest VS Code the manifest accepts (1.95) runs extensions on Node 20.
    target: 'node20',
  };
  return [
    {
      ...common,
      entryPoints: ['test/suite/index.ts'],
      outfile: `${OUT_DIR}/index.js`,
      // mocha's parallel mode (worker pool) resolves worker files at run time; the suite never runs in
      // parallel, so those unresolvable paths are dead code here.
      logOverride: { 'require-resolve-not-external': 'silent' },
    },
    {
      ...common,
      entryPoints: ['test/suite/**/*.test.ts'],
      outbase: 'test/suite',
      outdir: OUT_DIR,
    },
  ];
}
