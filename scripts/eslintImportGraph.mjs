// @ts-check
/**
 * Two ESLint rules over the import graph, type-only imports counted (import-x/no-cycle skips them and has no
 * option not to; a type cycle still ties two modules together):
 *   - `no-cycle`: no module reaches itself through its imports;
 *   - `layers`: src imports downward only (LAYERS below: a module imports from its own layer or a lower one).
 * The graph is read with TypeScript's own pre-processor (every `import`, `export ... from`, `import()` and
 * `require()`, relative specifiers only: packages cannot import us back), cached per file by mtime.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * Lowest first. A path is matched by its longest listed prefix (relative to the repo root). src/protocol, the
 * messages the webview shares with the host, is the bottom: plain data, importing nothing from the core.
 */
export const LAYERS = [
  ['src/protocol'],
  ['src/core/workspace', 'src/core/python', 'src/core/net', 'src/core/process', 'src/core/version.ts', 'src/core/defaults.ts'],
  ['src/core/plan', 'src/core/codegen', 'src/core/sse', 'src/core/requests', 'src/core/settings.ts'],
  ['src/core/app', 'src/core/snippets', 'src/core/devServer', 'src/core/preview'],
  ['src/cli', 'src/features', 'src/webview', 'src/extension.ts'],
];

/**
 * Upward imports that exist today and are being moved by other work (FileChange and the text edits go down to
 * core/workspace): `from -> to`, relative to the repo root. Delete an entry when its import is gone.
 */
/** @type {ReadonlySet<string>} */
const PENDING_MOVES = new Set([]);

/** @type {Map<string, { mtimeMs: number; imports: string[] }>} */
const cache = new Map();

/** @param {string} file */
function importsOf(file) {
  let mtimeMs;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return [];
  }
  const cached = cache.get(file);
  if (cached && cached.mtimeMs === mtimeMs) {
    return cached.imports;
  }
  const text = fs.readFileSync(file, 'utf8');
  const imports = ts
    .preProcessFile(text, true, true)
    .importedFiles.map((entry) => resolveSpecifier(file, entry.fileName))
    .filter((resolved) => resolved !== undefined);
  cache.set(file, { mtimeMs, imports });
  return imports;
}

const EXTENSIONS = ['', '.ts', '.mjs', '.js', '.cjs', '/index.ts'];

/**
 * @param {string} from
 * @param {string} specifier
 * @returns {string | undefined}
 */
export function resolveSpecifier(from, specifier) {
  if (!specifier.startsWith('.')) {
    return undefined;
  }
  const base = path.resolve(path.dirname(from), specifier);
  for (const extension of EXTENSIONS) {
    const candidate = base + extension;
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
      return candidate;
    }
  }
  return undefined;
}

/**
 * The shortest import path from `start` back to itself, or undefined (breadth-first over the cached graph).
 * @param {string} start
 * @returns {string[] | undefined}
 */
export function cycleThrough(start) {
  /** @type {Map<string, string>} */
  const parent = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const current = /** @type {string} */ (queue.shift());
    for (const next of importsOf(current)) {
      if (next === start) {
        const route = [current];
        while (route[0] !== start) {
          route.unshift(/** @type {string} */ (parent.get(/** @type {string} */ (route[0]))));
        }
        return [...route, start];
      }
      if (!parent.has(next)) {
        parent.set(next, current);
        queue.push(next);
      }
    }
  }
  return undefined;
}

/**
 * The layer index of a file under src, or undefined outside src; -1 for a src file no layer lists.
 * @param {string} file
 */
export function layerOf(file) {
  const relative = path.relative(ROOT, file).split(path.sep).join('/');
  if (!relative.startsWith('src/')) {
    return undefined;
  }
  let best = { index: -1, length: 0 };
  LAYERS.forEach((prefixes, index) => {
    for (const prefix of prefixes) {
      if ((relative === prefix || relative.startsWith(`${prefix}/`)) && prefix.length > best.length) {
        best = { index, length: prefix.length };
      }
    }
  });
  return best.index;
}

/** @param {string} file */
const rel = (file) => path.relative(ROOT, file).split(path.sep).join('/');

/** @type {import('eslint').ESLint.Plugin} */
export const importGraphPlugin = {
  rules: {
    'no-cycle': {
      meta: { type: 'problem', docs: { description: 'No import cycle, type-only imports included' }, schema: [] },
      create(context) {
        return {
          Program(node) {
            const cycle = cycleThrough(context.physicalFilename);
            if (cycle) {
              context.report({ node, message: `Import cycle (type-only imports count): ${cycle.map(rel).join(' -> ')}` });
            }
          },
        };
      },
    },
    layers: {
      meta: { type: 'problem', docs: { description: 'src imports downward only (scripts/eslintImportGraph.mjs LAYERS)' }, schema: [] },
      create(context) {
        const file = context.physicalFilename;
        const from = layerOf(file);
        if (from === undefined) {
          return {};
        }
        /** @param {import('estree').Node} node @param {unknown} source */
        const check = (node, source) => {
          if (typeof source !== 'string') {
            return;
          }
          const target = resolveSpecifier(file, source);
          const to = target === undefined ? undefined : layerOf(target);
          if (target === undefined || to === undefined || PENDING_MOVES.has(`${rel(file)} -> ${rel(target)}`)) {
            return;
          }
          if (from === -1 || to === -1) {
            context.report({ node, message: `${from === -1 ? rel(file) : rel(target)} has no layer: add it to LAYERS in scripts/eslintImportGraph.mjs` });
          } else if (to > from) {
            context.report({ node, message: `${rel(file)} (layer ${from}) imports ${rel(target)} from a higher layer (${to}): move what both need down` });
          }
        };
        return {
          ImportDeclaration: (node) => check(node, node.source.value),
          ExportNamedDeclaration: (node) => check(node, node.source?.value),
          ExportAllDeclaration: (node) => check(node, node.source.value),
          ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source.value : undefined),
        };
      },
    },
  },
};
