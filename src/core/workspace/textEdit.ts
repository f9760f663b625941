/**
 * Text edits as plain data: the planner's output, applied to disk by the CLI and turned into a
 * WorkspaceEdit by the extension. Offsets are UTF-16 code units (JavaScript string indices), as in
 * VS Code's `TextDocument.positionAt`.
 */

/** Replace `[start, end)` of the original text with `newText` (an insertion when start === end). */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly newText: string;
}

/** Applies non-overlapping edits, all given against the same original text (in any order). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let result = '';
  let cursor = 0;
  for (const edit of sorted) {
    if (edit.start < cursor || edit.end < edit.start || edit.end > text.length) {
      throw new RangeError(`overlapping or out-of-range edit [${edit.start}, ${edit.end})`);
    }
    result += text.slice(cursor, edit.start) + edit.newText;
    cursor = edit.end;
  }
  return result + text.slice(cursor);
}

/** Where an offset of the edited text was in the original (for text the edits kept; inserted text maps to its edit's start). */
export function originalOffset(edits: readonly TextEdit[], editedOffset: number): number {
  let shift = 0;
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    const editedStart = edit.start + shift;
    if (editedOffset < editedStart) {
      break;
    }
    if (editedOffset < editedStart + edit.newText.length) {
      return edit.start;
    }
    shift += edit.newText.length - (edit.end - edit.start);
  }
  return editedOffset - shift;
}

/** 0-based line and UTF-16 column of an offset. */
export function positionAt(text: string, offset: number): { readonly line: number; readonly character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}

/**
 * Sorts edits and joins those that touch where one is an insertion (two inserts at one offset, an insert at
 * a replacement's start or end), so consumers that reject touching edits (VS Code's WorkspaceEdit is strict
 * about order there) get one unambiguous edit. Order of same-offset insertions is kept.
 */
export function coalesceTextEdits(edits: readonly TextEdit[]): TextEdit[] {
  const sorted = edits
    .map((edit, index) => ({ edit, index }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.index - b.index)
    .map(({ edit }) => edit);
  const result: TextEdit[] = [];
  for (const edit of sorted) {
    const previous = result[result.length - 1];
    if (previous && previous.end === edit.start && (previous.start === previous.end || edit.start === edit.end)) {
      result[result.length - 1] = { start: previous.start, end: edit.end, newText: previous.newText + edit.newText };
    } else {
      result.push(edit);
    }
  }
  return result;
}
