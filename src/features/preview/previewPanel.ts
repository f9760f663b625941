/**
 * One Stream Preview panel, host side: runs the request the webview asks for (runPreview, which batches events
 * into one message per ~25 ms whatever the rate), keeps the transcript for export, and resends the whole model
 * to a webview that reloads.
 *
 * `onDidPostMessage` fires with what the host posts (the extension-host suite records it on its side, in
 * test/suite/support/previewMessages.ts); `send()` / `exportTranscript(uri)` drive it without the UI.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { StreamRequest } from '../../protocol/stream';
import { apply, emptyModel, RunStopper, runPreview, Transcript } from '../../core/sse/preview';
import { isWebviewMessage, postToWebview, type HostMessage } from '../../protocol/preview';
import { Disposable } from '../shared/dispose';
import type { Logger } from '../shared/logger';
import { previewHtml } from './html';
import { showStaleServerNotice, staleServerNotice, type StaleServerNotice } from './staleServer';
import { withCurrentSecrets } from '../../core/requests/requestHistory';
import type { RequestHistoryStore } from '../requests/historyStore';

export const VIEW_TYPE = 'catalyst.streamPreview';

/** The only folder the webview may load from: the built bundle, its CSS and the codicon font. */
export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

/** Options and HTML for a new or restored panel. `html` is set once here; data only ever goes by postMessage. */
export function configureWebview(webview: vscode.Webview, extensionUri: vscode.Uri): void {
  const root = webviewRoot(extensionUri);
  webview.options = { enableScripts: true, enableForms: false, localResourceRoots: [root] };
  webview.html = previewHtml({
    cspSource: webview.cspSource,
    nonce: randomBytes(16).toString('base64'),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'preview.js')).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'preview.css')).toString(),
  });
}

export class PreviewPanel extends Disposable {
  private readonly posted = this._register(new vscode.EventEmitter<HostMessage>());
  private readonly disposed = this._register(new vscode.EventEmitter<void>());
  /** Fires with every message the host posts to the webview. */
  readonly onDidPostMessage = this.posted.event;
  readonly onDidDispose = this.disposed.event;
  private readonly staleServer = this._register(new vscode.EventEmitter<StaleServerNotice>());
  /** Fires when a 404 contradicts the source: the notice shown (the server is older than the code). */
  readonly onDidNoticeStaleServer = this.staleServer.event;
  private readonly transcript = new Transcript();
  /** What the webview shows, folded from the posted messages by the same reducer the webview runs. */
  private readonly model = emptyModel({ url: '', method: 'GET', headers: [] });
  /** Whether anything was posted: a webview that (re)loads then gets the model whole. */
  private touched = false;
  /** A webview that is loading (or hidden, hence unloaded) would miss messages: they wait in the model. */
  private webviewReady = false;
  private run = 0;
  private connection: RunStopper | undefined;
  private lastEventId: string | null = null;
  /** The request of the latest run, for "start the server and retry". */
  private lastRequest: StreamRequest | undefined;
  /** The HTTP status each unfinished run got. */
  private readonly status = new Map<number, number>();

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly logger: Logger,
    private readonly history?: RequestHistoryStore,
  ) {
    super();
    this._register(panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)));
    this._register(panel.onDidDispose(() => this.dispose()));
    // Hidden webviews are torn down (no retainContextWhenHidden): when shown again, the page reloads and says 'ready'.
    this._register(
      panel.onDidChangeViewState(() => {
        if (!panel.visible) {
          this.webviewReady = false;
        }
      }),
    );
  }

  /** Shows a request in the request bar and, with `send`, runs it. */
  setRequest(request: StreamRequest, send: boolean): void {
    this.post({ type: 'setRequest', request });
    if (send) {
      this.send(request);
    }
  }

  /** Runs a request, replacing any running one. */
  send(request: StreamRequest): void {
    this.abort();
    const run = ++this.run;
    const stopper = new RunStopper(request);
    this.connection = stopper;
    this.transcript.clear();
    this.lastRequest = request;
    void this.history?.remember(request);
    // runPreview posts `started` (synchronously, before its first await): the one `started` of this run.
    void this.stream(run, request, stopper).catch((error: unknown) => {
      this.logger.error('Stream preview run failed', error);
    });
  }

  /**
   * The Stop button: on a resumable route the server is asked to stop the answer and the stream ends with its
   * final event; otherwise, or if that fails or takes over 2 s, the connection is closed (see RunStopper).
   */
  stop(): void {
    void this.connection?.stop().then((outcome) => this.logger.info(`Stream preview Stop: ${outcome}`));
  }

  /** Closes the running stream's connection at once (a new run replaces it, the panel closes). */
  private abort(): void {
    this.connection?.abort();
    this.connection = undefined;
  }

  /** Writes the transcript (.jsonl, one event a line) to `target`, or asks where. Returns the file written. */
  async exportTranscript(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const uri =
      target ??
      (await vscode.window.showSaveDialog({
        title: vscode.l10n.t('Export Stream Transcript'),
        filters: { [vscode.l10n.t('JSON Lines')]: ['jsonl'] },
        ...(folder && { defaultUri: vscode.Uri.joinPath(folder.uri, 'stream-transcript.jsonl') }),
      }));
    if (uri === undefined) {
      return undefined;
    }
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(this.transcript.toJsonl()));
    this.post({ type: 'exported', path: uri.fsPath, events: this.transcript.size, omitted: this.transcript.omitted });
    const note =
      this.transcript.omitted > 0 ? vscode.l10n.t(' ({0} later events were past the transcript limit and are not in it)', this.transcript.omitted) : '';
    void vscode.window.showInformationMessage(vscode.l10n.t('Exported {0} events to {1}{2}', this.transcript.size, vscode.workspace.asRelativePath(uri), note));
    return uri;
  }

  private async stream(run: number, request: StreamRequest, stopper: RunStopper): Promise<void> {
    try {
      const result = await runPreview({ run, request, stopper, transcript: this.transcript, post: (message) => this.post(message) });
      this.lastEventId = result.lastEventId;
      const end = result.outcome;
      this.logger.info(`Stream preview ${request.method} ${request.url}: ${end.kind === 'failed' ? end.failure.message : end.kind}, ${result.events} events`);
      if (this.status.get(run) === 404 && this.run === run) {
        // Not awaited: the notice waits for the user, the run is over.
        void this.checkForStaleServer(request).catch((error: unknown) => this.logger.error('Checking the 404 against the source failed', error));
      }
    } finally {
      this.status.delete(run);
      if (this.run === run) {
        this.connection = undefined;
      }
    }
  }

  /** A 404 for a route the source has: the server predates the code; offer the restart, then run the request again. */
  private async checkForStaleServer(request: StreamRequest): Promise<void> {
    const found = await staleServerNotice(request, 404);
    if (found === undefined || this.isDisposed) {
      return;
    }
    this.staleServer.fire(found.notice);
    if ((await showStaleServerNotice(found.notice, found.folder, request, this.logger)) && !this.isDisposed) {
      this.send(request);
    }
  }

  private receive(message: unknown): void {
    if (!isWebviewMessage(message)) {
      this.logger.warn(`Stream preview: ignored an unknown message from the webview: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.webviewReady = true;
        if (this.touched) {
          void postToWebview(this.panel.webview, { type: 'snapshot', model: this.model });
        }
        return;
      case 'send':
        return this.send(message.request);
      case 'reconnect':
        return this.send(this.lastEventId === null ? message.request : { ...message.request, lastEventId: this.lastEventId });
      case 'stop':
        return this.stop();
      case 'clear':
        this.transcript.clear();
        return;
      case 'export':
        void this.exportTranscript().catch((error: unknown) => {
          this.logger.error('Exporting the stream transcript failed', error);
          void vscode.window.showErrorMessage(vscode.l10n.t('Could not export the transcript: {0}', error instanceof Error ? error.message : String(error)));
        });
        return;
      case 'startServer':
        void this.startServerAndRetry();
        return;
      case 'saveRequest':
        void vscode.commands.executeCommand('catalyst.saveStreamRequest', { request: message.request });
        return;
      case 'history':
        void this.pickFromHistory(message.request);
        return;
    }
  }

  /** The last requests sent (this route's first) in a QuickPick; the one picked goes into the request bar. */
  private async pickFromHistory(current: StreamRequest): Promise<void> {
    const recent = this.history?.recent(current) ?? [];
    if (recent.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No requests sent yet.'));
      return;
    }
    const picked = await vscode.window.showQuickPick(
      recent.map((request) => ({ label: `${request.method} ${request.url}`, detail: request.body?.replace(/\s+/g, ' ').slice(0, 120) ?? '', request })),
      { title: vscode.l10n.t('Recent requests') },
    );
    if (picked) {
      this.setRequest(withCurrentSecrets(picked.request, current), false);
    }
  }

  /** "Connection refused" offers this: start the dev server on the URL's port, then send the request again. */
  private async startServerAndRetry(): Promise<void> {
    const last = this.lastRequest;
    const port = last ? Number(new URL(last.url).port || 80) : undefined;
    const started = await vscode.commands.executeCommand<{ readonly port?: number } | undefined>('catalyst.startDevServer', { port, openPreview: false });
    if (started?.port !== undefined && last) {
      this.send(last);
    }
  }

  private post(message: HostMessage): void {
    if (message.type === 'response') {
      this.status.set(message.run, message.status);
    }
    this.posted.fire(message);
    apply(this.model, message, {});
    this.touched = true;
    if (this.webviewReady) {
      void postToWebview(this.panel.webview, message);
    }
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.abort();
    this.disposed.fire();
    super.dispose();
  }
}
