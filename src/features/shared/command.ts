/**
 * One way to register a command: a failure is logged (with its stack) and shown as one localised message
 * naming the command, and the command resolves to `onError`'s value instead of rejecting.
 */
import * as vscode from 'vscode';
import type { Logger } from './logger';

export interface CommandSpec<A extends unknown[], R, F> {
  readonly id: string;
  /** What the user calls it, localised: "Add Streaming Endpoint". */
  readonly title: string;
  readonly run: (...args: A) => R | Promise<R>;
  /** What the command resolves to when it failed (e.g. a refusal for callers that read the result). */
  readonly onError: (message: string) => F;
}

export function registerCommand<A extends unknown[], R, F = undefined>(spec: CommandSpec<A, R, F>, logger: Logger): vscode.Disposable {
  return vscode.commands.registerCommand(spec.id, async (...args: A): Promise<R | F> => {
    try {
      return await spec.run(...args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.error(`${spec.title} failed`, error);
      void vscode.window.showErrorMessage(vscode.l10n.t('{0} failed: {1}', spec.title, message));
      return spec.onError(message);
    }
  });
}
