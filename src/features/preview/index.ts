/**
 * The Stream Preview feature: the `catalyst.openStreamPreview` command, the panel serializer (restores the panel
 * after a window reload) and the "Preview stream" CodeLens.
 *
 * `executeCommand('catalyst.openStreamPreview', { url, method, body, headers, send })` returns the PreviewPanel
 * (without options, from the palette, it first asks which stream: see routePick.ts),
 * whose `onDidPostMessage` lets a caller (a test) observe the host side of the protocol.
 */
import * as vscode from 'vscode';
import { registerCommand } from '../shared/command';
import type { Feature } from '../shared/feature';
import { SseRouteCodeLensProvider } from './codeLens';
import { isOpenPreviewOptions } from './options';
import { PreviewPanelManager } from './panelManager';
import { VIEW_TYPE } from './previewPanel';
import { pickPreviewRoute } from './routePick';
import { RequestHistoryStore } from '../requests/historyStore';

export const previewFeature: Feature = {
  name: 'Stream Preview',
  register: (context, { logger, trees }) => {
    const manager = new PreviewPanelManager(context.extensionUri, logger, new RequestHistoryStore(context.workspaceState));
    const lenses = new SseRouteCodeLensProvider(trees, logger);
    return [
      manager,
      registerCommand(
        {
          id: 'catalyst.openStreamPreview',
          title: vscode.l10n.t('Open Stream Preview'),
          // From the palette (no options): which stream, from the workspace's routes or a typed URL.
          run: async (options?: unknown) => {
            const chosen = isOpenPreviewOptions(options) ? options : await pickPreviewRoute(logger);
            return chosen === undefined ? undefined : manager.open(chosen);
          },
          onError: () => undefined,
        },
        logger,
      ),
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, manager),
      lenses,
      vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, lenses),
    ];
  },
};
