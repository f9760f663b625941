/** What every feature is to activate(): a name for error messages, and a register step returning what it owns. */
import type * as vscode from 'vscode';
import type { Logger } from './logger';
import type { SyntaxTrees } from './syntaxTrees';

/** What activate() makes once and every feature shares. */
export interface Shell {
  readonly logger: Logger;
  /** One parse per Python document version, shared by the diagnostics, the code actions and the CodeLens. */
  readonly trees: SyntaxTrees;
}

export interface Feature {
  /** Shown when activating it fails: "Catalyst Streaming: {name} could not start". */
  readonly name: string;
  register(context: vscode.ExtensionContext, shell: Shell): vscode.Disposable[] | Promise<vscode.Disposable[]>;
}
