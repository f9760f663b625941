/**
 * "Catalyst: Add Streaming Endpoint" end to end in a real editor, driven through its options argument (which
 * answers the QuickPicks and the InputBox): the files on disk, one undo reverting everything, and a second run
 * changing nothing; then once more through the real QuickPicks and InputBox, typed at the keyboard by the runner.
 * The dev-server test then serves the route this leaves behind.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { inspectGeneratedFile } from '../../src/core/codegen/python/generatedHeader';
import { workspaceUri } from './support/extension';
import { ENDPOINT } from './support/fixture';
import { assertPythonCompiles, currentText, diskText } from './support/files';
import { waitFor } from './support/wait';
import { canDriveWorkbench, pressKeys } from './support/workbench';

/** What a plain sse route with the demo source writes of the package. */
const PACKAGE_FILES = ['__init__.py', 'events.py', 'finish.py', 'lifecycle.py', 'parts.py', 'response.py', 'tokens.py'].map((file) => `streaming/${file}`);

function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((line) => line.includes(needle));
}

describe('Add Streaming Endpoint', () => {
  const main = workspaceUri('main.py');
  let original: string;

  before(async () => {
    original = diskText('main.py')!;
    assert.equal(diskText('streaming/tokens.py'), undefined, 'the fixture starts without the streaming package');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(main));
  });

  after(async () => {
    // A prompt left open by a failed test would swallow the next test's keys.
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('adds the route to the app and creates the streaming package\u2019s files, in one edit, verified as the CLI verifies', async () => {
    const result = await vscode.commands.executeCommand<{
      status: string;
      changed?: string[];
      url?: string;
      serve?: string;
      verification?: { verified: boolean; python?: string };
    }>('catalyst.addStreamingEndpoint', { ...ENDPOINT });
    assert.deepEqual({ status: result?.status, changed: [...(result?.changed ?? [])].sort() }, { status: 'applied', changed: ['main.py', ...PACKAGE_FILES] });
    // The changed app was imported (by catalyst.python.path, the fixture's interpreter) before the edit was made.
    assert.deepEqual(result?.verification, { verified: true, python: '/usr/bin/python3' });
    assert.equal(result?.url, 'http://127.0.0.1:8000/stream');
    assert.equal(result?.serve, 'uvicorn main:app');

    for (const file of PACKAGE_FILES) {
      const text = diskText(file);
      assert.ok(text, `${file} is created next to main.py`);
      assert.equal((await inspectGeneratedFile(text)).kind, 'untouched', `${file} carries an intact generated header`);
    }
    assert.match(diskText('streaming/response.py')!, /^def streaming_response\(/m);
    assert.match(diskText('streaming/tokens.py')!, /^async def stream_tokens\(/m);

    const text = currentText('main.py')!;
    assert.match(text, /^from streaming\.tokens import stream_tokens$/m, 'absolute import for a top-level script');
    const decorator = lineOf(text, '@app.get("/stream")');
    assert.ok(decorator > 0, 'the route decorator is there');
    assert.ok(decorator < lineOf(text, 'if __name__ == "__main__":'), 'new code goes above the __main__ block');
    assert.ok(lineOf(text, 'async def health()') >= 0 && text.includes('uvicorn.run(app, host="127.0.0.1", port=8000)'), "the user's code is kept");
    assert.match(text.slice(text.indexOf('@app.get("/stream")')), /streaming_response\(stream_tokens\(/);

    // The command reveals the new route in the editor.
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.toString(), main.toString());
    assert.ok(Math.abs(editor!.selection.active.line - decorator) <= 3, `cursor on line ${editor!.selection.active.line}, route at ${decorator}`);
  });

  it('one undo reverts both files; redo brings them back', async () => {
    const added = currentText('main.py')!;
    const module = diskText('streaming/tokens.py')!;
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(main));

    await vscode.commands.executeCommand('undo');
    await waitFor(() => PACKAGE_FILES.every((file) => diskText(file) === undefined), { what: 'the package files to be removed by the undo' });
    assert.equal(currentText('main.py'), original);

    await vscode.commands.executeCommand('redo');
    await waitFor(() => diskText('streaming/tokens.py') === module, { what: 'the package files to come back with the redo' });
    assert.equal(currentText('main.py'), added);
    assert.ok(await vscode.workspace.saveAll(false));
    assert.equal(diskText('main.py'), added);
    assertPythonCompiles('main.py');
    for (const file of PACKAGE_FILES) {
      assertPythonCompiles(file);
    }
  });

  it('a refusal says why, with the same reason the CLI reports', async () => {
    const result = await vscode.commands.executeCommand<{ status: string; reason?: string }>('catalyst.addStreamingEndpoint', {
      ...ENDPOINT,
      source: 'no-such-source',
    });
    assert.deepEqual({ status: result?.status, reason: result?.reason }, { status: 'refused', reason: 'unknown-source' });
  });

  it('refuses, with why and nothing changed, a change that would stop the app from starting', async () => {
    // Operation ids listed by route name: the new route has none, so importing the app raises (as in the CLI's test).
    const app = workspaceUri('reports', 'main.py');
    const source = [
      'from fastapi import FastAPI',
      'from fastapi.routing import APIRoute',
      '',
      'OPERATION_IDS = {"list_reports": "reports-list"}',
      '',
      '',
      'def operation_id(route: APIRoute) -> str:',
      '    return OPERATION_IDS[route.name]',
      '',
      '',
      'app = FastAPI(title="Reports", generate_unique_id_function=operation_id)',
      '',
      '',
      '@app.get("/reports")',
      'async def list_reports() -> list[str]:',
      '    return ["q1"]',
      '',
    ].join('\n');
    await vscode.workspace.fs.writeFile(app, new TextEncoder().encode(source));
    try {
      const result = await vscode.commands.executeCommand<{
        status: string;
        reason?: string;
        message?: string;
        verification?: { verified: boolean; file?: string };
      }>('catalyst.addStreamingEndpoint', { ...ENDPOINT, file: 'reports/main.py' });
      assert.equal(result?.status, 'refused', JSON.stringify(result));
      assert.equal(result.reason, 'app-does-not-start');
      assert.match(result.message ?? '', /raises KeyError: 'stream' at reports\/main\.py:\d+ \(return OPERATION_IDS\[route\.name\]\)/);
      assert.deepEqual({ verified: result.verification?.verified, file: result.verification?.file }, { verified: false, file: 'reports/main.py' });
      assert.equal(currentText('reports/main.py'), source, 'the app is unchanged');
      assert.equal(diskText('reports/streaming/tokens.py'), undefined, 'no streaming package written');
    } finally {
      await vscode.workspace.fs.delete(workspaceUri('reports'), { recursive: true });
    }
  });

  it('running it again changes nothing', async () => {
    const before = { main: diskText('main.py'), module: diskText('streaming/tokens.py') };
    const result = await vscode.commands.executeCommand<{ status: string }>('catalyst.addStreamingEndpoint', { ...ENDPOINT });
    assert.equal(result?.status, 'already-present');
    assert.equal(currentText('main.py'), before.main);
    assert.equal(diskText('streaming/tokens.py'), before.module);
    const document = await vscode.workspace.openTextDocument(main);
    assert.equal(document.isDirty, false);
  });

  it('asks through its QuickPicks and InputBox when run without options, with live route validation', async function () {
    if (!canDriveWorkbench()) {
      this.skip(); // only the code-server runner can type into the workbench
    }
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(main));
    const running = vscode.commands.executeCommand<{ status: string; endpoint?: { route: string; method: string } }>('catalyst.addStreamingEndpoint');
    await pressKeys('add-endpoint-prompts', [
      // The active editor's app is offered first.
      { title: 'Add the streaming endpoint to which app or router?', press: ['Enter'] },
      // The protocol: the setting's (sse by default) first.
      { title: 'Which protocol does the endpoint speak?', press: ['Enter'] },
      // The route box starts at the default with the part after "/" selected: typing replaces it.
      { title: 'Route path of the streaming endpoint', type: 'health', expect: '/health is already served by GET in main.py' },
      { title: 'Route path of the streaming endpoint', press: ['Control+A'] },
      { title: 'Route path of the streaming endpoint', type: '/events', press: ['Enter'] },
      { title: 'HTTP method', type: 'POST', press: ['Enter'] },
      { title: 'Where do the tokens come from?', press: ['Enter'] },
      { title: 'Plain or resumable stream?', press: ['Enter'] },
    ]);
    const result = await running;
    assert.equal(result?.status, 'applied');
    assert.deepEqual({ route: result.endpoint?.route, method: result.endpoint?.method }, { route: '/events', method: 'POST' });
    const text = currentText('main.py')!;
    assert.ok(lineOf(text, '@app.post("/events")') > 0);
    assert.ok(await vscode.workspace.saveAll(false));
    assertPythonCompiles('main.py');
  });

  it('picking the ai-sdk protocol proposes /api/chat and asks no method', async function () {
    if (!canDriveWorkbench()) {
      this.skip(); // only the code-server runner can type into the workbench
    }
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(main));
    const running = vscode.commands.executeCommand<{ status: string; endpoint?: { route: string; method: string; protocol: string } }>(
      'catalyst.addStreamingEndpoint',
    );
    await pressKeys('add-endpoint-protocol', [
      { title: 'Add the streaming endpoint to which app or router?', press: ['Enter'] },
      { title: 'Which protocol does the endpoint speak?', type: 'ai-sdk', press: ['Enter'] },
      // The route box proposes the protocol's path: accepted as is.
      { title: 'Route path of the streaming endpoint', press: ['Enter'] },
      { title: 'Where do the tokens come from?', press: ['Enter'] },
      // Every protocol can be resumable now: the plain stream is the first choice.
      { title: 'Plain or resumable stream?', press: ['Enter'] },
    ]);
    const result = await running;
    assert.equal(result?.status, 'applied');
    assert.deepEqual(
      { route: result.endpoint?.route, method: result.endpoint?.method, protocol: result.endpoint?.protocol },
      { route: '/api/chat', method: 'POST', protocol: 'ai-sdk' },
    );
    assert.ok(lineOf(currentText('main.py')!, 'async def api_chat(request: Request) -> EventStreamResponse:') > 0);
    assert.ok(await vscode.workspace.saveAll(false));
    assertPythonCompiles('main.py');
  });
});
