/**
 * The dev server feature: `catalyst.startDevServer` and `catalyst.restartDevServer` (see startDevServer.ts for
 * their options).
 */
import * as vscode from 'vscode';
import { registerCommand } from '../shared/command';
import type { Feature } from '../shared/feature';
import { restartDevServer, startDevServer, type StartDevServerOptions } from './startDevServer';

/** From the palette or a menu the argument is a Uri (or nothing): only an options object is options. */
function optionsObject<T extends object>(options: unknown): T | Record<string, never> {
  return typeof options === 'object' && options !== null && !('scheme' in options) ? (options as T) : {};
}

export const devServerFeature: Feature = {
  name: 'Dev server',
  register: (_context, { logger }) => [
    registerCommand(
      {
        id: 'catalyst.startDevServer',
        title: vscode.l10n.t('Start Dev Server'),
        run: (options?: unknown) => startDevServer(optionsObject<StartDevServerOptions>(options), logger),
        onError: () => undefined,
      },
      logger,
    ),
    registerCommand(
      {
        id: 'catalyst.restartDevServer',
        title: vscode.l10n.t('Restart Dev Server'),
        run: (options?: unknown) => restartDevServer(optionsObject<{ port?: number }>(options), logger),
        onError: () => undefined,
      },
      logger,
    ),
  ],
};
