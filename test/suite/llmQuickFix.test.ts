/**
 * The quick-fix on an LLM call, as a user gets it: offered by the CodeActionProvider on the diagnostic, applied as
 * one WorkspaceEdit, and the rewritten route streams from a real uvicorn with the real Anthropic SDK of the current
 * stack, pointed (ANTHROPIC_BASE_URL, OPENAI_BASE_URL) at the local provider of test/support/providers, which this
 * test runs inside the extension host.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { startProviderServer, type ProviderServer } from '../support/providers/server';
import { pythonStack } from '../support/python';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { waitForDiagnostics } from './support/diagnostics';
import { workspaceFolder, workspaceUri } from './support/extension';
import { currentText, diskText } from './support/files';
import { collectEvents, tokenText } from './support/sse';
import { waitFor } from './support/wait';

/** The fix's title says what changes: the route's response becomes a stream (and the files it creates, if any). */
const STREAM_ACTION = /^Stream this LLM call as an SSE endpoint: the route’s response becomes an event stream( \(creates .+\))?$/;
const SIBLING_ACTION = /^Stream this LLM call in a new SSE route beside it, keeping the JSON route( \(creates .+\))?$/;
const SAYS = 'whole LLM response';
/** What the local provider answers, one streamed text delta per item. */
const TOKENS = ['Streams', ' arrive', ' token', ' by', ' token', '.'];
const ANSWER = TOKENS.join('');

async function codeActionsAt(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range)) ?? [];
}

/** The local provider, started once for the file; the SDKs reach it through the environment it gives. */
let provider: ProviderServer | undefined;
async function localProvider(): Promise<ProviderServer> {
  provider ??= await startProviderServer();
  provider.behave({ tokens: TOKENS });
  provider.clear();
  return provider;
}

after(async () => {
  await provider?.stop();
});

describe(`LLM quick-fix ${pythonStack('current').tag}`, () => {
  const uri = workspaceUri('chat.py');
  let server: RunningServer | undefined;

  after(async () => {
    await server?.stop();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('is offered on the diagnosed call, preferred, with the diagnostic attached', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const [diagnostic] = await waitForDiagnostics(uri, SAYS, 1);
    const actions = await codeActionsAt(uri, diagnostic!.range);
    const stream = actions.find((a) => STREAM_ACTION.test(a.title));
    assert.ok(stream, `not offered; got: ${actions.map((a) => a.title).join(', ') || 'nothing'}`);
    assert.equal(stream.isPreferred, true);
    // The generated package is named in the title when the fix creates it (the Anthropic adapter at least).
    assert.match(stream.title, /\(creates streaming\/providers\/anthropic\.py\)$|\(creates streaming\/ \(\d+ files\)\)$/);
    // The style that keeps the JSON route is the second action, not only a setting; not preferred.
    const sibling = actions.find((a) => SIBLING_ACTION.test(a.title));
    assert.ok(sibling, `the sibling style is not offered; got: ${actions.map((a) => a.title).join(', ')}`);
    assert.notEqual(sibling.isPreferred, true);
    assert.equal(actions.indexOf(sibling), actions.indexOf(stream) + 1, 'right after the preferred fix');
    // Its edit is planned when it is chosen: resolved, it adds a streaming route to chat.py and keeps the JSON one.
    const resolved =
      (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic!.range, undefined, 2)) ?? [];
    const siblingEdit = resolved.find((a) => SIBLING_ACTION.test(a.title))?.edit;
    assert.ok(siblingEdit, 'the sibling action resolves to an edit');
    const added = siblingEdit
      .get(uri)
      .map((e) => e.newText)
      .join('');
    assert.match(added, /streaming_response\(/);
    assert.doesNotMatch(added, /return \{"reply"/, 'the JSON route is not rewritten');
    // vscode.executeCodeActionProvider does not return the actions' diagnostics; the provider offers a QuickFix
    // (rather than a rewrite refactoring) exactly when it attached the diagnostic.
    assert.equal(stream.kind?.value, vscode.CodeActionKind.QuickFix.value);
  });

  it('rewrites the route in one undoable edit; the action and the diagnostic are then gone', async () => {
    const document = await vscode.workspace.openTextDocument(uri);
    const before = document.getText();
    // The package's Anthropic adapter: absent (Add Streaming Endpoint, when its tests ran first, wrote the demo's files only).
    const ADAPTER = 'streaming/providers/anthropic.py';
    const moduleBefore = diskText(ADAPTER);
    const [diagnostic] = await waitForDiagnostics(uri, SAYS, 1);
    // Applied the way the lightbulb does it: the workbench runs the provider and applies the preferred fix's
    // edit itself. (Re-applying the WorkspaceEdit returned by vscode.executeCodeActionProvider is not possible:
    // a file it creates comes back as a data-transfer reference the API cannot revive.)
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(diagnostic!.range.start, diagnostic!.range.start);
    await vscode.commands.executeCommand('editor.action.codeAction', { kind: vscode.CodeActionKind.QuickFix.value, preferred: true, apply: 'first' });
    await waitFor(() => document.getText() !== before, { what: 'the quick-fix to change chat.py' });
    const after = document.getText();
    assert.match(after, /stream=True/);
    assert.match(after, /streaming_response\(stream_tokens\(anthropic_text_stream\(/);
    assert.match(after, /^from \.?streaming\.providers\.anthropic import anthropic_text_stream$/m);
    await waitForDiagnostics(uri, SAYS, 0);
    const call = after.split('\n').findIndex((line) => line.includes('client.messages.create('));
    assert.ok(call >= 0, 'the call is still there');
    const again = await codeActionsAt(uri, new vscode.Range(call, 0, call, 200));
    assert.ok(!again.some((a) => STREAM_ACTION.test(a.title) || SIBLING_ACTION.test(a.title)), 'the action is offered again on a streaming call');

    const moduleAfter = currentText(ADAPTER);
    assert.match(moduleAfter ?? '', /^def anthropic_text_stream\(/m, 'the package has the Anthropic adapter');

    // One undo puts everything back as it was (chat.py, and the module created or changed), and the diagnostic.
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('undo');
    assert.equal(document.getText(), before);
    await waitFor(() => currentText(ADAPTER) === moduleBefore, { what: `${ADAPTER} to be as before the fix` });
    await waitForDiagnostics(uri, SAYS, 1);
    await vscode.commands.executeCommand('redo');
    assert.equal(document.getText(), after);
    await waitFor(() => currentText(ADAPTER) === moduleAfter, { what: `${ADAPTER} to be as the fix made it` });
    assert.ok(await vscode.workspace.saveAll(false));
  });

  it('the rewritten route streams the answer token by token from uvicorn', async () => {
    const cwd = workspaceFolder().uri.fsPath;
    assert.ok(existsSync(`${cwd}/streaming/providers/anthropic.py`), 'the generated streaming package is next to chat.py');
    const upstream = await localProvider();
    server = await startUvicorn({ cwd, app: 'chat:app', env: upstream.sdkEnvironment() });
    const { contentType, events } = await collectEvents(`${server.baseUrl}/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Say hello' }),
    });
    assert.match(contentType ?? '', /^text\/event-stream/);
    assert.equal(tokenText(events), ANSWER);
    assert.ok(events.filter((e) => e.event === 'token').length > 1, 'more than one token event: it streams');
    const done = events.at(-1);
    assert.equal(done?.event, 'done');
    assert.equal((JSON.parse(done.data) as { text: string }).text, ANSWER);
    // One streamed request (stream=True) to the Messages API, read to its end.
    assert.deepEqual(
      upstream.requests.map((r) => [r.api, r.stream, r.outcome]),
      [['anthropic', true, 'complete']],
    );
  });
});

describe(`LLM quick-fix: Use the async client ${pythonStack('current').tag}`, () => {
  const uri = workspaceUri('summary.py');
  const BLOCKS = 'blocks the event loop';
  let server: RunningServer | undefined;

  after(async () => {
    await server?.stop();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('turns the sync client in an async route into the async one, and the route still answers', async () => {
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const [diagnostic] = await waitForDiagnostics(uri, BLOCKS, 1);
    const action = (await codeActionsAt(uri, diagnostic!.range)).find((a) => a.title === 'Use the async client');
    assert.ok(action?.edit, 'offered, with its edit');
    assert.ok(await vscode.workspace.applyEdit(action.edit));

    const text = document.getText();
    assert.match(text, /^from openai import AsyncOpenAI$/m);
    assert.match(text, /^client = AsyncOpenAI\(\)$/m);
    assert.match(text, /completion = await client\.chat\.completions\.create\(/);
    await waitForDiagnostics(uri, BLOCKS, 0);
    // The call still returns the whole answer at once: that diagnostic stays, with its own fix.
    await waitForDiagnostics(uri, SAYS, 1);
    assert.ok(await document.save());

    const cwd = workspaceFolder().uri.fsPath;
    const upstream = await localProvider();
    server = await startUvicorn({ cwd, app: 'summary:app', env: upstream.sdkEnvironment() });
    const response = await fetch(`${server.baseUrl}/summary?text=${encodeURIComponent('a long text')}`, { signal: AbortSignal.timeout(15_000) });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { summary: ANSWER });
    assert.deepEqual(
      upstream.requests.map((r) => [r.api, r.stream]),
      [['openai-chat', false]],
    );
  });
});
