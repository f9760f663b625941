/**
 * A change to one file of the workspace, as plain data: what every use case returns. The CLI writes `after`
 * to disk (applyChanges.ts); the extension turns `edits` into a WorkspaceEdit, so one undo reverts them all.
 */
import type { TextEdit } from './textEdit';

export interface FileChange {
  /** Workspace-relative, `/`-separated. */
  readonly path: string;
  /** create: a new file; update: a generated module replaced whole; modify: edits in a user's file. */
  readonly kind: 'create' | 'update' | 'modify';
  /** The text before (absent when the file is created). */
  readonly before?: string;
  readonly after: string;
  /** Edits against `before` (against '' for a new file): one undoable WorkspaceEdit in the extension. */
  readonly edits: readonly TextEdit[];
  readonly description: string;
}
