/** The extension's single LogOutputChannel ("Catalyst Streaming"). Errors are logged with their stack. */
import * as vscode from 'vscode';

export interface Logger extends vscode.Disposable {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
  readonly channel: vscode.LogOutputChannel;
}

export function createLogger(): Logger {
  const channel = vscode.window.createOutputChannel('Catalyst Streaming', { log: true });
  return {
    channel,
    info: (message) => channel.info(message),
    warn: (message) => channel.warn(message),
    error: (message, error) => {
      if (error instanceof Error) {
        channel.error(message, error);
      } else if (error !== undefined) {
        channel.error(`${message}: ${String(error)}`);
      } else {
        channel.error(message);
      }
    },
    dispose: () => channel.dispose(),
  };
}
