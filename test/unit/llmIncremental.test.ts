/**
 * Incremental re-parsing as the editor does it: every change mirrored with tree.edit, then a parse that
 * reuses the old tree, must give exactly the tree (and the LLM calls) a parse from scratch gives.
 * A wrong offset in the edit breaks this at once; a wrong row/column does not show (tree-sitter re-derives
 * the positions of what it re-reads, and these edits are small), so those are checked by construction only.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findLlmCalls } from '../../src/core/python/llm/detect';
import { treeEditFor } from '../../src/core/python/llm/incremental';
import { createPythonParser, type Tree } from '../../src/core/python/parser';
import { positionAt } from '../../src/core/workspace/textEdit';
import { buildFile } from '../../bench/llm';

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INSERTIONS = ['x', '\n', '    ', 'stream=True, ', '"é😀"', ')', '\n        stream=True,', '# comment\n', ''];

/** Where every identifier and call is: offsets and row/column. */
function positions(tree: Tree): string[] {
  return tree.rootNode
    .descendantsOfType(['identifier', 'call', 'string'])
    .map((n) => `${n!.type}@${n!.startIndex}-${n!.endIndex}:${n!.startPosition.row}.${n!.startPosition.column}-${n!.endPosition.row}.${n!.endPosition.column}`);
}

describe('incremental re-parse', () => {
  it('matches a full parse after each of 150 random edits (including non-ASCII text)', async () => {
    let text = readFileSync(path.join(__dirname, '../fixtures/llm/snippets/anthropic_async_route.py'), 'utf8').replace(
      'Answer a prompt',
      'Réponds 😀 à la question',
    );
    const parser = await createPythonParser();
    const fresh = await createPythonParser();
    let tree = parser.parse(text)!;
    const next = random(42);
    try {
      for (let i = 0; i < 150; i++) {
        const start = Math.floor(next() * text.length);
        // Never split a surrogate pair: editors do not either.
        const safeStart = /[\uDC00-\uDFFF]/.test(text[start] ?? '') ? start - 1 : start;
        const length = Math.min(text.length - safeStart, Math.floor(next() * 6));
        const end = /[\uDC00-\uDFFF]/.test(text[safeStart + length] ?? '') ? safeStart + length + 1 : safeStart + length;
        const inserted = INSERTIONS[Math.floor(next() * INSERTIONS.length)]!;
        const startPosition = positionAt(text, safeStart);
        const endPosition = positionAt(text, end);
        tree.edit(
          treeEditFor({
            rangeOffset: safeStart,
            rangeLength: end - safeStart,
            start: { line: startPosition.line, character: startPosition.character },
            end: { line: endPosition.line, character: endPosition.character },
            text: inserted,
          }),
        );
        text = text.slice(0, safeStart) + inserted + text.slice(end);
        const incremental = parser.parse(text, tree)!;
        tree.delete();
        tree = incremental;
        const scratch = fresh.parse(text)!;
        try {
          assert.equal(incremental.rootNode.toString(), scratch.rootNode.toString(), `edit ${i} at ${safeStart}`);
          assert.deepEqual(positions(incremental), positions(scratch), `edit ${i}: node positions differ`);
          const calls = (t: typeof scratch) => findLlmCalls(t).map((c) => [c.node.startIndex, c.streams, c.route?.owner ?? null]);
          assert.deepEqual(calls(incremental), calls(scratch), `edit ${i}: LLM calls differ`);
        } finally {
          scratch.delete();
        }
      }
    } finally {
      tree.delete();
      parser.delete();
      fresh.delete();
    }
  });

  it('reuses the old tree: after a keystroke mid-line in a 5,000-line file, nearly every identifier is the old node', async () => {
    // Reuse, not time: a node tree-sitter reused keeps its id (the subtree it points at); one it parsed again
    // gets a new one. A parse that ignored the old tree, or an edit at the wrong offset, reuses (almost) none.
    const source = buildFile(5_000);
    const at = source.indexOf('total = 0', source.length / 2) + 'total'.length;
    const parser = await createPythonParser();
    const tree = parser.parse(source)!;
    const position = positionAt(source, at);
    tree.edit(treeEditFor({ rangeOffset: at, rangeLength: 0, start: position, end: position, text: 'x' }));
    const text = `${source.slice(0, at)}x${source.slice(at)}`;
    const next = parser.parse(text, tree)!;
    try {
      const ids = (t: Tree) => t.rootNode.descendantsOfType('identifier').map((n) => n!.id);
      const old = new Set(ids(tree));
      const now = ids(next);
      const reused = now.filter((id) => old.has(id)).length;
      assert.ok(now.length > 5_000, `the file has ${now.length} identifiers`);
      assert.ok(reused / now.length > 0.9, `only ${reused} of ${now.length} identifiers reused`);
      assert.deepEqual(
        tree.getChangedRanges(next).map((r) => [r.startIndex, r.endIndex]),
        [],
        'a keystroke inside an identifier changes no syntax',
      );
    } finally {
      tree.delete();
      next.delete();
      parser.delete();
    }
  });
});

describe('treeEditFor (mutation-tested)', () => {
  // The rows and columns re-parsing does not show (see above), asserted directly. Kills (Stryker,
  // llm/incremental.ts): the position objects -> {}, the new end row (`+ lines.length - 1` -> `+ 1`, `- length`),
  // the one-line test (-> true / false / `!==`), its column (`+ text.length` -> `-`), and the last line of a
  // multi-line text (split/lastIndexOf on '\n' -> '', `+ 1` -> `- 1`, slice removed).
  it('gives the old and new end positions of a one-line and a multi-line change', () => {
    const at = { rangeOffset: 10, start: { line: 2, character: 4 } };
    assert.deepEqual(treeEditFor({ ...at, rangeLength: 3, end: { line: 2, character: 7 }, text: 'abcde' }), {
      startIndex: 10,
      oldEndIndex: 13,
      newEndIndex: 15,
      startPosition: { row: 2, column: 4 },
      oldEndPosition: { row: 2, column: 7 },
      newEndPosition: { row: 2, column: 9 },
    });
    assert.deepEqual(treeEditFor({ ...at, rangeLength: 8, end: { line: 3, character: 2 }, text: 'x\nyy\nzzz' }), {
      startIndex: 10,
      oldEndIndex: 18,
      newEndIndex: 18,
      startPosition: { row: 2, column: 4 },
      oldEndPosition: { row: 3, column: 2 },
      newEndPosition: { row: 4, column: 3 },
    });
  });
});
