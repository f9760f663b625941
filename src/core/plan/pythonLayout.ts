/**
 * Fitting generated Python into a user's file: their indentation and line endings, and PEP 8 blank lines
 * around what is inserted (two around top-level definitions, one around nested ones), without touching any
 * line of theirs beyond the blank lines at the seam.
 */
import type { TextEdit } from '../workspace/textEdit';

/**
 * Re-indents LF text written with four-space indentation: each level becomes `unit`, and every non-empty
 * line gets `base` in front. Empty lines stay empty (no trailing whitespace).
 */
export function reindent(text: string, unit: string, base = ''): string {
  return text
    .split('\n')
    .map((line) => {
      if (line.trim() === '') {
        return '';
      }
      const spaces = line.length - line.trimStart().length;
      const levels = Math.floor(spaces / 4);
      return base + unit.repeat(levels) + ' '.repeat(spaces % 4) + line.trimStart();
    })
    .join('\n');
}

/** LF text in the target's line endings. */
export function withLineEnding(text: string, eol: '\n' | '\r\n'): string {
  return eol === '\n' ? text : text.replace(/\r?\n/g, eol);
}

/** The offset just after the last non-whitespace character before `offset`. */
function contentEndBefore(source: string, offset: number): number {
  let end = offset;
  while (end > 0 && /\s/.test(source[end - 1]!)) {
    end--;
  }
  return end;
}

/**
 * An insertion of `blocks` (LF, already indented) at the line starting at `lineStart`, separated from the
 * code above and below, and from each other, by `blankLines` blank lines. Blank lines already at the seam
 * count towards that and are kept: the edit is a pure insertion, so it never overlaps an import added
 * at the end of the import block just above.
 */
export function insertBlocks(
  source: string,
  lineStart: number,
  blocks: readonly string[],
  options: { readonly eol: '\n' | '\r\n'; readonly blankLines: number },
): TextEdit {
  const contentEnd = contentEndBefore(source, lineStart);
  const newlines = source.slice(contentEnd, lineStart).split('\n').length - 1;
  let text = '';
  if (contentEnd > 0) {
    // A last line without its line break gets one; then as many blank lines as are missing.
    const existingBlankLines = Math.max(0, newlines - 1);
    text += '\n'.repeat((newlines === 0 ? 1 : 0) + Math.max(0, options.blankLines - existingBlankLines));
  }
  const separator = '\n'.repeat(options.blankLines + 1);
  text += blocks.map((block) => block.replace(/\n+$/, '')).join(separator) + '\n';
  if (source.slice(lineStart).trim() !== '') {
    text += '\n'.repeat(options.blankLines);
  }
  return { start: lineStart, end: lineStart, newText: withLineEnding(text, options.eol) };
}

/** The start of the line `offset` is on. */
export function lineStartOf(source: string, offset: number): number {
  return source.lastIndexOf('\n', offset - 1) + 1;
}
