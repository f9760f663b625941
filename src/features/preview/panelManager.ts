/**
 * Owns the Stream Preview panel: one panel, revealed and reused; restored after a window reload by the
 * WebviewPanelSerializer (the webview restores its own state with getState; the host side starts idle).
 */
import * as vscode from 'vscode';
import { Disposable } from '../shared/dispose';
import type { Logger } from '../shared/logger';
import { requestFromOptions, type OpenPreviewOptions } from './options';
import { configureWebview, PreviewPanel, VIEW_TYPE, webviewRoot } from './previewPanel';
import { DEFAULT_ROUTE, DEV_SERVER_URL } from '../../core/defaults';
import { configFor } from '../shared/config';

/** `catalyst.preview.sendOnOpen`, for the active editor's folder (the route's) when there is one. */
function sendOnOpen(): boolean {
  return configFor(vscode.window.activeTextEditor?.document.uri).previewSendOnOpen;
}
import type { RequestHistoryStore } from '../requests/historyStore';

export class PreviewPanelManager extends Disposable implements vscode.WebviewPanelSerializer {
  private current: PreviewPanel | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly logger: Logger,
    /** Where sent requests are remembered (none: the panel keeps no history). */
    private readonly history?: RequestHistoryStore,
  ) {
    super();
    // Closing the panel disposes its PreviewPanel too (through the panel's onDidDispose).
    this._register({ dispose: () => this.current?.panel.dispose() });
  }

  /** The open panel, if any. */
  get panel(): PreviewPanel | undefined {
    return this.current;
  }

  /** Opens (or reveals) the panel; with a URL in the options, shows that request and, unless `send: false`, runs it. */
  open(options: OpenPreviewOptions = {}): PreviewPanel {
    let preview = this.current;
    if (preview) {
      preview.panel.reveal(undefined, false);
    } else {
      const panel = vscode.window.createWebviewPanel(VIEW_TYPE, vscode.l10n.t('Stream Preview'), vscode.ViewColumn.Beside, {
        enableScripts: true,
        enableForms: false,
        localResourceRoots: [webviewRoot(this.extensionUri)],
      });
      preview = this.adopt(panel);
    }
    if (options.url !== undefined || options.method !== undefined || options.body !== undefined || options.headers !== undefined) {
      const request = requestFromOptions(options, `${DEV_SERVER_URL}${DEFAULT_ROUTE}`);
      const send = options.send ?? (options.fromRoute === true ? sendOnOpen() : options.url !== undefined);
      preview.setRequest(request, send);
    }
    return preview;
  }

  /** Restores a panel after a window reload; a panel already open is closed (there is one preview at a time). */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
    // Disposing the VS Code panel closes it and, through its onDidDispose, the PreviewPanel wrapping it.
    this.current?.panel.dispose();
    this.adopt(panel);
  }

  private adopt(panel: vscode.WebviewPanel): PreviewPanel {
    configureWebview(panel.webview, this.extensionUri);
    const preview = new PreviewPanel(panel, this.logger, this.history);
    preview.onDidDispose(() => {
      if (this.current === preview) {
        this.current = undefined;
      }
    });
    this.current = preview;
    return preview;
  }
}
