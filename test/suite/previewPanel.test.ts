/**
 * The Stream Preview's host side on its own (no dev server): what it posts per run, and the panel it keeps
 * when VS Code restores one after a window reload.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { freePort } from '../../src/core/net/ports';
import { PreviewPanelManager } from '../../src/features/preview/panelManager';
import { VIEW_TYPE, type PreviewPanel } from '../../src/features/preview/previewPanel';
import { createLogger } from '../../src/features/shared/logger';
import { catalystExtension } from './support/extension';
import { record } from './support/previewMessages';
import { waitFor } from './support/wait';

describe('Stream Preview panel, host side', () => {
  it('posts `started` once per run', async () => {
    // Nothing listens on a fresh free port: each run ends at once with "connection refused".
    const url = `http://127.0.0.1:${await freePort()}/stream`;
    const preview = await vscode.commands.executeCommand<PreviewPanel>('catalyst.openStreamPreview', { url, send: true });
    // The command's own run posted `started` before it returned; its end comes from the socket, after this.
    const posted = record(preview);
    try {
      await waitFor(() => posted.of('ended')[0], { what: "the command's run to end" });
      for (const attempt of [1, 2]) {
        preview.send({ url, method: 'GET', headers: [] });
        await posted.ended(posted.lastRun(), `run ${attempt} sent from the panel to end`);
      }
      const runs = posted.of('ended').map((m) => m.run);
      assert.equal(runs.length, 3, `three runs ended: ${runs.join(', ')}`);
      for (const run of runs.slice(-2)) {
        const started = posted.of('started').filter((m) => m.run === run);
        assert.equal(started.length, 1, `run ${run} posted ${started.length} 'started' messages`);
      }
    } finally {
      posted.dispose();
      preview.panel.dispose();
    }
  });

  it('a panel restored after a reload replaces the open one, which is closed', async () => {
    const logger = createLogger();
    const manager = new PreviewPanelManager(catalystExtension().extensionUri, logger);
    try {
      const open = manager.open();
      let closed = false;
      open.panel.onDidDispose(() => (closed = true));
      const restored = vscode.window.createWebviewPanel(VIEW_TYPE, 'Stream Preview', vscode.ViewColumn.One, {});
      await manager.deserializeWebviewPanel(restored);
      await waitFor(() => closed, { what: 'the panel open before the restore to be closed', timeoutMs: 5_000 });
      assert.equal(manager.panel?.panel, restored, 'the manager keeps the restored panel');
    } finally {
      manager.dispose();
      logger.channel.dispose();
    }
  });
});
