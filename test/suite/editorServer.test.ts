/**
 * The editor as a FastAPI developer meets it (issue 23, items 1, 2, 6, 8), in the real workbench:
 *   - an interpreter without fastapi/uvicorn is named, with where it was chosen and what it lacks, before
 *     anything starts; the message's "Open Setting" button opens the setting;
 *   - Start Dev Server runs with --reload; a second start restarts our own server;
 *   - the reload scenario end to end: with the server running, Add Streaming Endpoint adds a route, the
 *     route's CodeLens opens the preview and it streams, with no restart by hand (the same server process);
 *   - a 404 for a route the source has (not saved yet): the notice says so, its button saves and restarts;
 *   - the palette's Open Stream Preview offers the workspace's stream routes, a typed URL last;
 *   - Add Streaming Endpoint in a folder without an app asks first, creates main.py, and adds the route to it.
 */
import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { freePort, waitForPort } from '../../src/core/net/ports';
import type { PreviewPanel } from '../../src/features/preview/previewPanel';
import type { StaleServerNotice } from '../../src/features/preview/staleServer';
import { workspaceUri } from './support/extension';
import { record, type PostedMessages } from './support/previewMessages';
import { commandLineOf, portIsClosed } from './support/devServer';
import { waitFor } from './support/wait';
import { canDriveWorkbench, pressKeys } from './support/workbench';

interface Started {
  readonly status: string;
  readonly port?: number;
  readonly url?: string;
  readonly message?: string;
  readonly execution?: vscode.TaskExecution;
}

const PYTHON_KEY = 'python.path';

describe('editor: dev server, interpreter, preview on routes, app first', () => {
  let port: number;
  let execution: vscode.TaskExecution | undefined;
  let preview: PreviewPanel | undefined;
  let posted: PostedMessages | undefined;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'catalyst-editor-'));

  before(async () => {
    port = await freePort();
  });

  after(async () => {
    posted?.dispose();
    preview?.panel.dispose();
    execution?.terminate();
    await waitFor(() => portIsClosed(port), { what: `the dev server to stop listening on ${port}`, timeoutMs: 15_000 }).catch(() => undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(scratch, { recursive: true, force: true });
  });

  it('names the interpreter without fastapi/uvicorn, where it was set and what it lacks, before starting anything; its button opens the setting', async () => {
    // A Python that cannot see the system's site-packages (-S): fastapi and uvicorn are missing from it.
    const python = path.join(scratch, 'python-without-packages');
    writeFileSync(python, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n');
    chmodSync(python, 0o755);
    const config = vscode.workspace.getConfiguration('catalyst');
    const before = config.inspect<string>(PYTHON_KEY)?.workspaceValue;
    await config.update(PYTHON_KEY, python, vscode.ConfigurationTarget.Workspace);
    try {
      const running = vscode.commands.executeCommand<Started | undefined>('catalyst.startDevServer', { app: 'main:app', port, openPreview: false });
      const result = await running;
      assert.equal(result?.status, 'interpreter-problem');
      assert.ok(result.message?.includes(python), `names the interpreter: ${result.message}`);
      assert.match(result.message ?? '', /cannot import fastapi and uvicorn/);
      assert.match(result.message ?? '', /from catalyst\.python\.path in Workspace settings/);
      assert.ok(await portIsClosed(port), 'nothing was started');
      if (canDriveWorkbench()) {
        // The headless workbench shows no toasts (its window has no focus): the button is clicked in the notifications center.
        await vscode.commands.executeCommand('notifications.showList');
        await pressKeys('interpreter-open-setting', [{ notification: 'cannot import fastapi and uvicorn', click: 'Open Setting' }]);
        await waitFor(() => vscode.window.tabGroups.activeTabGroup.activeTab?.label === 'Settings', { what: 'the Settings editor to open' });
      }
    } finally {
      await config.update(PYTHON_KEY, before, vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it('Start Dev Server runs with --reload; a second start restarts our own server', async () => {
    const first = await vscode.commands.executeCommand<Started | undefined>('catalyst.startDevServer', { app: 'main:app', port, openPreview: false });
    assert.equal(first?.status, 'started');
    assert.ok(first.execution);
    assert.match(commandLineOf(first.execution.task), /-m uvicorn .*--reload\b/);
    const second = await vscode.commands.executeCommand<Started | undefined>('catalyst.startDevServer', { app: 'main:app', port, openPreview: false });
    assert.equal(second?.status, 'restarted');
    assert.ok(second.execution && second.execution !== first.execution, 'a new server process');
    assert.ok(!vscode.tasks.taskExecutions.includes(first.execution), 'the old one is gone');
    execution = second.execution;
    await waitForPort(port, { timeoutMs: 1_000 });
  });

  it('a route added while the server runs streams from its CodeLens, with no restart by hand', async () => {
    assert.ok(execution, 'needs the running dev server');
    const added = await vscode.commands.executeCommand<{ status: string; devServer?: Record<string, string> }>('catalyst.addStreamingEndpoint', {
      file: 'main.py',
      variable: 'app',
      route: '/reloaded',
      method: 'GET',
      source: 'demo',
      protocol: 'sse',
      resumable: false,
    });
    assert.equal(added?.status, 'applied');
    assert.deepEqual(added.devServer, { [`http://127.0.0.1:${port}`]: 'reloaded' }, 'saved, and the running server reloaded');
    assert.ok(vscode.tasks.taskExecutions.includes(execution), 'the same server process: no restart');

    const main = workspaceUri('main.py');
    const lines = (await vscode.workspace.openTextDocument(main)).getText().split('\n');
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', main)) ?? [];
    const lens = lenses.find((l) => l.command?.command === 'catalyst.openStreamPreview' && lines[l.range.start.line]?.includes('"/reloaded"'));
    assert.ok(lens?.command, 'a Preview stream lens on the new route');
    const options = lens.command.arguments?.[0] as { url: string };
    assert.equal(options.url, `http://127.0.0.1:${port}/reloaded`, 'the lens points at the running dev server');

    // One panel, reused: record it before the lens opens it on the route.
    preview = await vscode.commands.executeCommand<PreviewPanel>('catalyst.openStreamPreview', { url: options.url, send: false });
    posted = record(preview);
    await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
    const ended = await posted.ended(posted.lastRun(), 'the stream opened from the CodeLens to end', 20_000);
    assert.deepEqual(ended.end, { kind: 'completed' }, 'the CodeLens started the stream at once');
    assert.equal(posted.of('response').at(-1)?.status, 200);
    assert.ok(ended.stats.tokens > 5, `streamed ${ended.stats.tokens} tokens`);
  });

  it('a 404 for a route the source has but the server has not seen: the notice offers the restart, which works', async function () {
    assert.ok(preview && posted && execution, 'needs the preview and the dev server');
    const main = workspaceUri('main.py');
    const document = await vscode.workspace.openTextDocument(main);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(main, new vscode.Position(document.lineCount, 0), '\n\n@app.get("/late")\nasync def late() -> dict[str, str]:\n    return {"late": "yes"}\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(document.isDirty, 'not saved: the server cannot see it');
    const notices: StaleServerNotice[] = [];
    const listening = preview.onDidNoticeStaleServer((notice) => notices.push(notice));
    try {
      const old = execution;
      preview.send({ url: `http://127.0.0.1:${port}/late`, method: 'GET', headers: [] });
      const first = posted.lastRun();
      await posted.ended(first, 'the 404 run to end');
      assert.equal(posted.of('response').find((r) => r.run === first)?.status, 404);
      const notice = await waitFor(() => notices[0], { what: 'the notice that the server is older than the code' });
      assert.match(notice.message, /answers 404 for GET \/late: main\.py:\d+ defines it, but main\.py is not saved/);
      assert.equal(notice.action, 'Save and Restart Dev Server');
      if (!canDriveWorkbench()) {
        this.skip(); // clicking the notification's button needs the code-server runner
      }
      // The headless workbench shows no toasts (its window has no focus): the button is clicked in the notifications center.
      await vscode.commands.executeCommand('notifications.showList');
      await pressKeys('stale-server-restart', [{ notification: 'answers 404 for GET /late', click: 'Save and Restart Dev Server' }]);
      const retried = await waitFor(() => posted!.of('response').find((r) => r.run > first), {
        what: 'the request sent again after the restart',
        timeoutMs: 40_000,
      });
      assert.equal(retried.status, 200);
      assert.equal(document.isDirty, false, 'saved');
      execution = vscode.tasks.taskExecutions.find((e) => e.task.definition.type === 'catalyst-dev-server' && e.task.definition.port === port);
      assert.ok(execution && execution !== old, 'a new server process');
    } finally {
      listening.dispose();
    }
  });

  it('the palette command offers the stream routes, and a typed URL as the last choice', async function () {
    if (!canDriveWorkbench()) {
      this.skip(); // only the code-server runner can answer the QuickPick
    }
    assert.ok(preview && posted, 'needs the preview panel');
    const picked = vscode.commands.executeCommand<PreviewPanel | undefined>('catalyst.openStreamPreview');
    await pressKeys('preview-route-pick', [{ title: 'Open Stream Preview: which stream?', type: 'GET /reloaded', expect: 'main.py:', press: ['Enter'] }]);
    assert.equal(await picked, preview, 'the panel, opened on the route');
    const run = await waitFor(() => posted!.of('started').find((s) => s.request.url === `http://127.0.0.1:${port}/reloaded`), {
      what: 'the picked route to start',
    });
    assert.equal((await posted.ended(run.run, 'the picked route to end', 20_000)).end.kind, 'completed');

    const typed = vscode.commands.executeCommand<PreviewPanel | undefined>('catalyst.openStreamPreview');
    const url = `http://127.0.0.1:${port}/stream?prompt=typed`;
    await pressKeys('preview-url-typed', [
      { title: 'Open Stream Preview: which stream?', type: 'Enter a URL', press: ['Enter'] },
      { title: 'URL of the stream to preview', type: url, press: ['Enter'] },
    ]);
    assert.equal(await typed, preview);
    await waitFor(() => posted!.of('started').find((s) => s.request.url === url), { what: 'the typed URL to start' });
  });

  it('Add Streaming Endpoint finds no app first, creates main.py on request and adds the route to it', async function () {
    if (!canDriveWorkbench()) {
      this.skip(); // only the code-server runner can answer the QuickPick
    }
    execution?.terminate();
    execution = undefined;
    await waitFor(() => portIsClosed(port), { what: 'the dev server to stop', timeoutMs: 15_000 });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // The fixture's apps set aside in a dot folder, which the workspace scan skips.
    const root = workspaceUri();
    const aside = workspaceUri('.aside');
    const entries = (await vscode.workspace.fs.readDirectory(root)).map(([name]) => name).filter((name) => !name.startsWith('.'));
    for (const name of entries) {
      await vscode.workspace.fs.rename(workspaceUri(name), vscode.Uri.joinPath(aside, name), { overwrite: false });
    }
    try {
      const adding = vscode.commands.executeCommand<{ status: string; changed?: string[] }>('catalyst.addStreamingEndpoint', {
        route: '/first',
        method: 'GET',
        source: 'demo',
        protocol: 'sse',
        resumable: false,
      });
      await pressKeys('add-endpoint-no-app', [{ title: 'No FastAPI app found', type: 'Create main.py', press: ['Enter'] }]);
      const result = await adding;
      assert.equal(result?.status, 'applied', JSON.stringify(result));
      assert.ok(await vscode.workspace.saveAll(false));
      const text = readFileSync(workspaceUri('main.py').fsPath, 'utf8');
      assert.match(text, /^from fastapi import FastAPI$/m);
      assert.match(text, /^app = FastAPI\(\)$/m);
      assert.match(text, /@app\.get\("\/first"\)/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      for (const [name] of await vscode.workspace.fs.readDirectory(root)) {
        if (!name.startsWith('.')) {
          await vscode.workspace.fs.delete(workspaceUri(name), { recursive: true });
        }
      }
      for (const name of entries) {
        await vscode.workspace.fs.rename(vscode.Uri.joinPath(aside, name), workspaceUri(name), { overwrite: false });
      }
      await vscode.workspace.fs.delete(aside, { recursive: true });
    }
  });
});
