/**
 * Mirroring a text change on a tree-sitter tree (`tree.edit`), so the next parse can reuse what the change
 * did not touch. The change is described the way editors report it: where it starts (offset and 0-based
 * line/character), how much it replaced, and the new text. Offsets and characters are UTF-16 code units.
 */
import type { Edit } from 'web-tree-sitter';

export interface TextChange {
  readonly rangeOffset: number;
  readonly rangeLength: number;
  readonly start: { readonly line: number; readonly character: number };
  readonly end: { readonly line: number; readonly character: number };
  readonly text: string;
}

export function treeEditFor(change: TextChange): Edit {
  const lines = change.text.split('\n');
  const lastLine = change.text.slice(change.text.lastIndexOf('\n') + 1);
  return {
    startIndex: change.rangeOffset,
    oldEndIndex: change.rangeOffset + change.rangeLength,
    newEndIndex: change.rangeOffset + change.text.length,
    startPosition: { row: change.start.line, column: change.start.character },
    oldEndPosition: { row: change.end.line, column: change.end.character },
    newEndPosition: {
      row: change.start.line + lines.length - 1,
      column: lines.length === 1 ? change.start.character + change.text.length : lastLine.length,
    },
  };
}
