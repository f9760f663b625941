/**
 * The Stream Preview feature: the `catalyst.openStreamPreview` command, the panel serializer (restores the panel
 * after a window reload) and the "Preview stream" CodeLens.
 *
 * `executeCommand('catalyst.openStreamPreview', { url, method, body, headers, send })` returns the PreviewPanel,
 * whose `onDidPostMessage` / `recentMessages()` let a test observe the host side of the protocol.
 */
import * as vscode from 'vscode';
import type { Logger } from '../shared/logger';
import { SseRouteCodeLensProvider } from './codeLens';
import { isOpenPreviewOptions } from './options';
import { PreviewPanelManager } from './panelManager';
import { VIEW_TYPE } from './previewPanel';

export function registerPreview(context: vscode.ExtensionContext, logger: Logger): vscode.Disposable[] {
  const manager = new PreviewPanelManager(context.extensionUri, logger);
  return [
    manager,
    vscode.commands.registerCommand('catalyst.openStreamPreview', (options?: unknown) => manager.open(isOpenPreviewOptions(options) ? options : {})),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, manager),
    vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, new SseRouteCodeLensProvider()),
  ];
}
