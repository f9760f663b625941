/** What every feature is to activate(): a name for error messages, and a register step returning what it owns. */
import type * as vscode from 'vscode';
import type { Logger } from './logger';

export interface Feature {
  /** Shown when activating it fails: "Catalyst Streaming: {name} could not start". */
  readonly name: string;
  register(context: vscode.ExtensionContext, logger: Logger): vscode.Disposable[] | Promise<vscode.Disposable[]>;
}
