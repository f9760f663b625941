// Builds the extension, the CLI and the preview webview with esbuild.
// Type-checking is a separate step (`npm run typecheck`): esbuild strips types without checking them.
import * as esbuild from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const require = createRequire(import.meta.url);

/** Options shared by the Node bundles (extension host and CLI). */
const nodeBundle = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // web-tree-sitter's ESM build reads import.meta.url; its CommonJS build does not.
  conditions: ['require', 'node'],
  mainFields: ['main', 'module'],
  // The conditions above do not apply to `import` statements (esbuild adds "import" for those), so the ESM
  // build was bundled anyway and failed at run time; point the package at its CommonJS build explicitly.
  alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  // The Python we generate lives in real .py files (src/core/codegen/python/files), imported as text.
  loader: { '.py': 'text' },
  logLevel: 'warning',
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  { ...nodeBundle, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  {
    ...nodeBundle,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  },
];

if (existsSync('src/webview/main.ts')) {
  builds.push({
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview/preview.js',
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: production,
    sourcemap: !production,
    logLevel: 'warning',
  });
}
if (existsSync('media/preview.css')) {
  // The preview's stylesheet with the codicon font it @imports, into the one folder the webview may load from.
  builds.push({
    entryPoints: ['media/preview.css'],
    outfile: 'dist/webview/preview.css',
    bundle: true,
    loader: { '.ttf': 'file' },
    assetNames: '[name]',
    minify: production,
    logLevel: 'warning',
  });
}

// Extra bundles registered by other parts of the build (e.g. the extension-host test suite).
for (const extra of ['test/suite/esbuild.part.mjs']) {
  if (existsSync(extra)) {
    const mod = await import(path.resolve(extra));
    builds.push(...mod.default({ nodeBundle, production }));
  }
}

/** The tree-sitter runtime and the Python grammar are loaded from dist/ at run time. */
async function copyWasm() {
  await mkdir('dist', { recursive: true });
  await copyFile(require.resolve('web-tree-sitter/tree-sitter.wasm'), 'dist/tree-sitter.wasm');
  await copyFile(require.resolve('tree-sitter-python/tree-sitter-python.wasm'), 'dist/tree-sitter-python.wasm');
}

await copyWasm();
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
