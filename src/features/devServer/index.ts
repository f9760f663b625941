/** The dev server feature: the `catalyst.startDevServer` command (see startDevServer.ts for its options). */
import * as vscode from 'vscode';
import { registerCommand } from '../shared/command';
import type { Feature } from '../shared/feature';
import { startDevServer, type StartDevServerOptions } from './startDevServer';

export const devServerFeature: Feature = {
  name: 'Dev server',
  register: (_context, { logger }) => [
    registerCommand(
      {
        id: 'catalyst.startDevServer',
        title: vscode.l10n.t('Start Dev Server'),
        // From the palette or a menu the argument is a Uri (or nothing): only an options object is options.
        run: (options?: unknown) =>
          startDevServer(typeof options === 'object' && options !== null && !('scheme' in options) ? (options as StartDevServerOptions) : {}, logger),
        onError: () => undefined,
      },
      logger,
    ),
  ],
};
