// Bundles the extension-host test suite for `node esbuild.mjs` (imported from there when this file exists).
// Each test file becomes its own CommonJS bundle next to the index, which mocha `require`s inside the extension
// host; `vscode` is provided by the host. The index bundles mocha itself, so nothing is resolved from
// node_modules at run time.

/** @param {{ nodeBundle: import('esbuild').BuildOptions, production: boolean }} shared */
export default function suiteBuilds({ nodeBundle }) {
  const common = {
    ...nodeBundle,
    minify: false,
    sourcemap: 'inline',
    external: ['vscode'],
    // The extension host of current VS Code (and of code-server 4.139) is Node 22 or later.
    target: 'node20',
  };
  return [
    {
      ...common,
      entryPoints: ['test/suite/index.ts'],
      outfile: 'dist/test/suite/index.js',
      // mocha's parallel mode (worker pool) resolves worker files at run time; the suite never runs in
      // parallel, so those unresolvable paths are dead code here.
      logOverride: { 'require-resolve-not-external': 'silent' },
    },
    {
      ...common,
      entryPoints: ['test/suite/**/*.test.ts'],
      outbase: 'test/suite',
      outdir: 'dist/test/suite',
    },
  ];
}
