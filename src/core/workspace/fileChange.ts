/**
 * A change to one file of the workspace, as plain data: what every use case returns. The CLI writes `after`
 * to disk (applyChanges.ts); the extension turns `edits` into a WorkspaceEdit, so one undo reverts them all.
 */
import type { TextEdit } from './textEdit';

export interface FileChange {
  /** Workspace-relative, `/`-separated. */
  readonly path: string;
  /**
   * create: a new file (its folders created as needed); update: a generated file replaced whole; modify:
   * edits in a user's file; delete: a generated file removed (a migration replaces it by others).
   */
  readonly kind: 'create' | 'update' | 'modify' | 'delete';
  /** The text before (absent when the file is created). */
  readonly before?: string;
  /** The text after ('' for a deleted file). */
  readonly after: string;
  /**
   * Edits against `before` (against '' for a new file; none for a deleted one): one undoable WorkspaceEdit
   * in the extension.
   */
  readonly edits: readonly TextEdit[];
  readonly description: string;
}

/** The one edit that turns `before` into `after`: the changed middle, between their common start and end. */
export function wholeTextEdit(before: string, after: string): TextEdit {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) {
    start++;
  }
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) {
    end++;
  }
  return { start, end: before.length - end, newText: after.slice(start, after.length - end) };
}
