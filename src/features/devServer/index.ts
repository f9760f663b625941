/** The dev server feature: the `catalyst.startDevServer` command (see startDevServer.ts for its options). */
import * as vscode from 'vscode';
import type { Logger } from '../shared/logger';
import { startDevServer, type StartDevServerOptions } from './startDevServer';

export function registerDevServer(_context: vscode.ExtensionContext, logger: Logger): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('catalyst.startDevServer', (options?: unknown) =>
      startDevServer(typeof options === 'object' && options !== null && !('scheme' in options) ? (options as StartDevServerOptions) : {}, logger),
    ),
  ];
}
