/**
 * Loads tree-sitter (WebAssembly) with the Python grammar, once per process.
 *
 * The wasm files live next to the bundle in `dist/` (copied by esbuild.mjs); when the code runs from source
 * (unit tests through tsx) they are resolved from node_modules instead.
 *
 * web-tree-sitter's JavaScript is required on first use, not when the bundle loads: the extension's activation
 * (VS Code times it from loading the bundle) then does not pay for evaluating the Emscripten runtime.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Language, Parser, Tree } from 'web-tree-sitter';
import type * as WebTreeSitter from 'web-tree-sitter';

export type { Node as SyntaxNode, Tree } from 'web-tree-sitter';

type TreeSitter = typeof WebTreeSitter;

let runtime: TreeSitter | undefined;
let ready: Promise<Language> | undefined;

function treeSitter(): TreeSitter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- required on first use on purpose (see above)
  runtime ??= require('web-tree-sitter') as TreeSitter;
  return runtime;
}

function locate(fileName: string, packageSpecifier: string): string {
  const besideBundle = path.join(__dirname, fileName);
  if (existsSync(besideBundle)) {
    return besideBundle;
  }
  return require.resolve(packageSpecifier);
}

/** The Python language, loaded on first use. Concurrent callers share one load. */
export function loadPython(): Promise<Language> {
  ready ??= (async () => {
    const { Language, Parser } = treeSitter();
    const runtimeWasm = locate('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm');
    await Parser.init({ locateFile: () => runtimeWasm });
    return Language.load(locate('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm'));
  })();
  return ready;
}

/** A parser for Python source. Parsers are cheap; keep one per document for incremental re-parsing. */
export async function createPythonParser(): Promise<Parser> {
  const language = await loadPython();
  const parser = new (treeSitter().Parser)();
  parser.setLanguage(language);
  return parser;
}

/** Parses Python source in one call; throws if tree-sitter returns no tree (it only does so when cancelled). */
export async function parsePython(source: string): Promise<Tree> {
  const parser = await createPythonParser();
  try {
    const tree = parser.parse(source);
    if (!tree) {
      throw new Error('tree-sitter returned no tree');
    }
    return tree;
  } finally {
    parser.delete();
  }
}
