/**
 * The journey after "Add Streaming Endpoint": "Start Dev Server" runs uvicorn for the app as a VS Code task, the
 * Stream Preview panel connects to the new route and receives the events from that real server. Asserted on the
 * host side of the preview's message protocol (what the host posts to the webview), against the same route read
 * independently; then a screenshot of the workbench with the panel showing the streamed text.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { freePort, waitForPort } from '../../src/core/net/ports';
import type { PreviewPanel } from '../../src/features/preview/previewPanel';
import { workspaceUri } from './support/extension';
import { ENDPOINT } from './support/fixture';
import { record, type PostedMessages } from './support/previewMessages';
import { collectEvents, tokenText, type ReceivedEvent } from './support/sse';
import { commandLineOf, portIsClosed } from './support/devServer';
import { waitFor, withDeadline } from './support/wait';
import { canDriveWorkbench, captureWorkbench, pressKeys } from './support/workbench';

/** The fixture's app, as uvicorn names it. */
const APP = 'main:app';

describe('dev server and Stream Preview', () => {
  let port: number;
  let url: string;
  let execution: vscode.TaskExecution | undefined;
  let preview: PreviewPanel | undefined;
  /** What the panel posted since it was opened (recorded on the test's side). */
  let posted: PostedMessages | undefined;
  /** The route's events as a plain HTTP client receives them. */
  let reference: ReceivedEvent[];

  before(async () => {
    // The route "Add Streaming Endpoint" adds (idempotent: a no-op when its test already ran).
    const result = await vscode.commands.executeCommand<{ status: string }>('catalyst.addStreamingEndpoint', { ...ENDPOINT });
    assert.ok(result?.status === 'applied' || result?.status === 'already-present', `add endpoint: ${JSON.stringify(result)}`);
    assert.ok(await vscode.workspace.saveAll(false));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    posted?.dispose();
    preview?.panel.dispose();
    execution?.terminate();
    if (port !== undefined) {
      await waitFor(() => portIsClosed(port), { what: `uvicorn to stop listening on ${port}`, timeoutMs: 10_000 }).catch(() => undefined);
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('puts a "Preview stream" CodeLens above each SSE route, opening the preview on it', async () => {
    const main = workspaceUri('main.py');
    const text = (await vscode.workspace.openTextDocument(main)).getText().split('\n');
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', main)) ?? [];
    const previews = lenses.filter((lens) => lens.command?.command === 'catalyst.openStreamPreview');
    // /stream (GET), /events (POST, added through the prompts) and /api/chat (POST, the ai-sdk protocol's route the
    // Add Streaming Endpoint suite adds) stream; /health does not.
    const described = previews.map((lens) => ({
      route: text[lens.range.start.line]?.trim(),
      options: lens.command?.arguments?.[0] as { url: string; method: string },
    }));
    assert.deepEqual(
      described.map(({ route, options }) => ({ route, url: new URL(options.url).pathname, method: options.method })),
      [
        { route: '@app.get("/stream")', url: '/stream', method: 'GET' },
        { route: '@app.post("/events")', url: '/events', method: 'POST' },
        { route: '@app.post("/api/chat")', url: '/api/chat', method: 'POST' },
      ].filter((expected) => text.some((line) => line.trim() === expected.route)),
    );
  });

  it("a router's CodeLens opens the URL its app serves it at: the include_router prefix from another module applied", async () => {
    // A package of its own, removed again: the other tests see the fixture's apps unchanged.
    const files: Record<string, string> = {
      'lensapp/__init__.py': '',
      'lensapp/config.py': 'API_PREFIX = "/api/v1"\n',
      'lensapp/chat.py': [
        'from fastapi import APIRouter',
        'from fastapi.responses import StreamingResponse',
        '',
        'router = APIRouter(prefix="/chat")',
        '',
        '',
        '@router.get("/stream")',
        'async def stream() -> StreamingResponse:',
        '    return StreamingResponse(iter(()), media_type="text/event-stream")',
        '',
      ].join('\n'),
      'lensapp/main.py':
        'from fastapi import FastAPI\n\nfrom . import chat\nfrom .config import API_PREFIX\n\napp = FastAPI()\napp.include_router(chat.router, prefix=API_PREFIX)\n',
    };
    try {
      for (const [file, text] of Object.entries(files)) {
        await vscode.workspace.fs.writeFile(workspaceUri(file), new TextEncoder().encode(text));
      }
      const chat = workspaceUri('lensapp/chat.py');
      await vscode.workspace.openTextDocument(chat);
      const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', chat)) ?? [];
      const urls = lenses
        .filter((lens) => lens.command?.command === 'catalyst.openStreamPreview')
        .map((lens) => (lens.command?.arguments?.[0] as { url: string }).url);
      assert.deepEqual(
        urls.map((u) => new URL(u).pathname),
        ['/api/v1/chat/stream'],
      );
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(workspaceUri('lensapp'), { recursive: true });
    }
  });

  it("a router included inside a class: the CodeLens first shows the source's reading, then the URL the imported app serves it at", async function () {
    this.timeout(90_000);
    // The app is built in a class (its prefix is invisible to the source) and taken from a method elsewhere.
    const files: Record<string, string> = {
      'classlens/__init__.py': '',
      'classlens/chat.py': [
        'from fastapi import APIRouter',
        'from fastapi.responses import StreamingResponse',
        '',
        'router = APIRouter(prefix="/chat")',
        '',
        '',
        '@router.get("/stream")',
        'async def stream() -> StreamingResponse:',
        '    return StreamingResponse(iter(()), media_type="text/event-stream")',
        '',
      ].join('\n'),
      'classlens/server.py': [
        'from fastapi import FastAPI',
        '',
        'from classlens import chat',
        '',
        '',
        'class Server:',
        '    def __init__(self) -> None:',
        '        self.app = FastAPI()',
        '        self.app.include_router(chat.router, prefix="/api/v1")',
        '',
        '    def get_app(self) -> FastAPI:',
        '        return self.app',
        '',
        '',
        'server = Server()',
        '',
      ].join('\n'),
      'classlens/asgi.py': 'from classlens.server import server\n\napp = server.get_app()\n',
    };
    try {
      for (const [file, text] of Object.entries(files)) {
        await vscode.workspace.fs.writeFile(workspaceUri(file), new TextEncoder().encode(text));
      }
      const chat = workspaceUri('classlens/chat.py');
      await vscode.workspace.openTextDocument(chat);
      const previewPaths = async () =>
        ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', chat)) ?? [])
          .filter((lens) => lens.command?.command === 'catalyst.openStreamPreview')
          .map((lens) => new URL((lens.command?.arguments?.[0] as { url: string }).url).pathname);
      assert.deepEqual(await previewPaths(), ['/chat/stream'], "the source's reading first");
      const served = await waitFor(async () => ((await previewPaths())[0] === '/api/v1/chat/stream' ? true : undefined), {
        what: 'the CodeLens to show the URL from the imported app',
        timeoutMs: 60_000,
        intervalMs: 500,
      });
      assert.equal(served, true);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(workspaceUri('classlens'), { recursive: true });
    }
  });

  it('Start Dev Server runs uvicorn for the app as a task; the new route streams from it', async () => {
    port = await freePort();
    url = `http://127.0.0.1:${port}${ENDPOINT.route}`;
    // No interpreter given: the command takes catalyst.python.path, which the fixture pins to /usr/bin/python3.
    const started = await vscode.commands.executeCommand<{ port: number; python: string; execution?: vscode.TaskExecution } | undefined>(
      'catalyst.startDevServer',
      { app: APP, port, openPreview: false },
    );
    assert.equal(started?.port, port);
    assert.equal(started.python, '/usr/bin/python3');
    execution = started.execution;
    assert.ok(execution, 'a new task was started');
    assert.ok(vscode.tasks.taskExecutions.includes(execution), 'the task is running');
    const commandLine = commandLineOf(execution.task);
    assert.match(commandLine, /-m uvicorn\b/);
    assert.match(commandLine, /\bmain:app\b/);
    assert.match(commandLine, new RegExp(`--port[ =]${port}\\b`));
    // The command resolves once the port answers.
    await waitForPort(port, { timeoutMs: 1_000 });

    const { contentType, events } = await collectEvents(url);
    assert.match(contentType ?? '', /^text\/event-stream/);
    reference = events;
    assert.ok(reference.filter((e) => e.event === 'token').length > 10, 'the demo route streams word by word');
  });

  it('the preview panel connects to the route and receives every event', async () => {
    assert.ok(reference, 'needs the running dev server');
    preview = await vscode.commands.executeCommand<PreviewPanel>('catalyst.openStreamPreview', { url, send: false });
    assert.ok(preview?.panel, 'the command returns the panel');
    assert.equal(preview.panel.viewType, 'catalyst.streamPreview');
    posted = record(preview);
    preview.send({ url, method: 'GET', headers: [] });

    const ended = await posted.ended(posted.lastRun(), 'the preview run to end', 20_000);
    assert.deepEqual(ended.end, { kind: 'completed' });

    const [response] = posted.of('response');
    assert.equal(response?.status, 200);
    const contentType = response!.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1];
    assert.match(contentType ?? '', /^text\/event-stream/);

    const batches = posted.of('batch');
    const received = batches.flatMap((b) => b.events);
    assert.deepEqual(
      received.map((e) => e.event),
      reference.map((e) => e.event),
      'the same events, in the same order, as a plain client receives',
    );
    assert.deepEqual(
      received.map((e) => e.data),
      reference.map((e) => e.data),
    );
    // Times are stamped on arrival and never go backwards.
    assert.ok(received.every((e, i) => i === 0 || e.tMs >= received[i - 1]!.tMs));

    const text = batches.reduce((sum, b) => (b.textReplaced ? b.text : sum + b.text), '');
    assert.equal(text, tokenText(reference));
    assert.equal(batches.at(-1)?.textFormat, 'catalyst');
    assert.equal(ended!.stats.tokens, reference.filter((e) => e.event === 'token').length);
  });

  it('shows in the workbench: screenshot with the panel and the streamed text', async function () {
    if (!canDriveWorkbench()) {
      this.skip(); // desktop runs (test-electron) have no runner taking screenshots
    }
    assert.ok(preview, 'needs the preview panel');
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
    const capture = await captureWorkbench('stream-preview', 'Swap this demo generator');
    assert.equal(capture.textShown, true, 'the webview shows the assembled text');
  });

  it('shows the run again after the panel was hidden (the webview is rebuilt from the host model)', async function () {
    if (!canDriveWorkbench()) {
      this.skip(); // what the webview shows is only visible to the code-server runner
    }
    assert.ok(preview, 'needs the preview panel');
    const column = preview.panel.viewColumn;
    // Another editor on top of the panel in its group hides it: its webview is torn down.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(workspaceUri('requirements.txt')), {
      ...(column !== undefined && { viewColumn: column }),
      preview: false,
    });
    await waitFor(() => !preview!.panel.visible, { what: 'the preview panel to be hidden' });
    preview.panel.reveal(column);
    await waitFor(() => preview!.panel.visible, { what: 'the preview panel to be shown again' });
    const capture = await captureWorkbench('stream-preview-reshown', 'Swap this demo generator');
    assert.equal(capture.textShown, true, 'the rebuilt webview shows the assembled text again');
  });

  it('exports the transcript: one JSON line per event, in arrival order', async () => {
    assert.ok(preview && reference, 'needs the completed preview run');
    const target = workspaceUri('stream-transcript.jsonl');
    const written = await preview.exportTranscript(target);
    assert.equal(written?.toString(), target.toString());
    const lines = readFileSync(target.fsPath, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; data: string; t_ms: number });
    assert.deepEqual(
      lines.map(({ event, data }) => ({ event, data })),
      reference.map(({ event, data }) => ({ event, data })),
    );
    assert.ok(lines.every((line, i) => i === 0 || line.t_ms >= lines[i - 1]!.t_ms));
  });

  it('Stop aborts a run midway: it ends as stopped, with fewer events', async () => {
    assert.ok(preview && posted && reference, 'needs the preview panel and the dev server');
    preview.send({ url, method: 'GET', headers: [] });
    const run = posted.lastRun();
    await waitFor(() => posted!.of('batch').some((b) => b.run === run && b.events.length > 0), { what: 'the first events of the new run' });
    preview.stop();
    const ended = await posted.ended(run, 'the stopped run to end');
    assert.deepEqual(ended.end, { kind: 'stopped' });
    assert.ok(ended.stats.events < reference.length, `${ended.stats.events} of ${reference.length} events before the stop`);
  });

  it('terminating the task stops uvicorn', async () => {
    assert.ok(execution, 'needs the dev server task');
    const ended = new Promise<void>((resolve) => {
      const listener = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.name === execution!.task.name) {
          listener.dispose();
          resolve();
        }
      });
    });
    execution.terminate();
    await waitFor(() => portIsClosed(port), { what: `uvicorn to stop listening on ${port}`, timeoutMs: 10_000 });
    await withDeadline(ended, 10_000, 'the task to report that its process ended');
    execution = undefined;
  });

  it('with the server gone, the preview reports the refused connection', async () => {
    assert.ok(preview && posted, 'needs the preview panel');
    preview.send({ url, method: 'GET', headers: [] });
    const ended = await posted.ended(posted.lastRun(), 'the run against the closed port to end');
    assert.equal(ended.end.kind, 'failed');
    assert.equal(ended.end.kind === 'failed' && ended.end.failure.kind, 'connection-refused');
  });

  it('asks which app to serve when the workspace has several, and serves the one picked', async function () {
    if (!canDriveWorkbench()) {
      this.skip(); // only the code-server runner can type into the workbench
    }
    port = await freePort();
    const running = vscode.commands.executeCommand<{ app: string; port: number; execution?: vscode.TaskExecution } | undefined>('catalyst.startDevServer', {
      port,
      openPreview: false,
    });
    // main.py and chat.py both hold an app.
    await pressKeys('dev-server-app', [{ title: 'Which app should uvicorn serve?', type: 'main:app', press: ['Enter'] }]);
    const started = await running;
    execution = started?.execution;
    assert.deepEqual({ app: started?.app, port: started?.port }, { app: 'main:app', port });
    const { events } = await collectEvents(`http://127.0.0.1:${port}${ENDPOINT.route}`);
    assert.equal(tokenText(events), tokenText(reference));
  });
});
