/**
 * "Catalyst: Copy Client Snippet" in a real VS Code: the command copies the rendered snippet to the clipboard,
 * and a "Copy client snippet" CodeLens sits beside "Preview stream" on streaming routes, carrying the route's
 * protocol as read from its code.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Snippet } from '../../src/core/snippets/clientSnippets';
import { workspaceUri } from './support/extension';

const ROUTES = `from fastapi import FastAPI

from streaming import openai_chat_completion_response, streaming_response, stream_tokens, ui_message_stream_response

app = FastAPI()


@app.get("/stream")
async def stream(prompt: str):
    return streaming_response(stream_tokens(source(prompt)))


@app.post("/api/chat")
async def chat(body: UIChatRequest):
    return ui_message_stream_response(source(body))


@app.post("/v1/chat/completions")
async def completions(body: ChatCompletionRequest):
    return await openai_chat_completion_response(source(body), model="m", stream=body.stream)
`;

describe('Copy Client Snippet', () => {
  const file = workspaceUri('snippet_routes.py');

  before(async () => {
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(ROUTES));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(file);
  });

  it('copies the snippet of the given route and client to the clipboard', async () => {
    await vscode.env.clipboard.writeText('before');
    const snippet = await vscode.commands.executeCommand<Snippet | undefined>('catalyst.copyClientSnippet', {
      route: { path: '/v1/chat/completions', method: 'POST', protocol: 'openai' },
      client: 'openai-python',
      baseUrl: 'http://127.0.0.1:9999',
    });
    assert.ok(snippet, 'the command resolved to the snippet');
    const copied = await vscode.env.clipboard.readText();
    assert.equal(copied, snippet.code);
    assert.match(copied, /base_url="http:\/\/127\.0\.0\.1:9999\/v1",/);
  });

  it('opens the snippet in a new untitled editor in its language, leaving the clipboard alone', async () => {
    await vscode.env.clipboard.writeText('before');
    const snippet = await vscode.commands.executeCommand<Snippet | undefined>('catalyst.openClientSnippet', {
      route: { path: '/api/chat', method: 'POST', protocol: 'ai-sdk' },
      client: 'httpx',
      baseUrl: 'http://127.0.0.1:9999',
    });
    assert.ok(snippet, 'the command resolved to the snippet');
    const document = vscode.window.activeTextEditor?.document;
    assert.ok(document, 'an editor is active');
    assert.equal(document.isUntitled, true);
    assert.equal(document.languageId, 'python');
    assert.equal(document.getText(), snippet.code);
    assert.match(document.getText(), /^STREAM_URL = "http:\/\/127\.0\.0\.1:9999\/api\/chat"$/m);
    assert.equal(await vscode.env.clipboard.readText(), 'before');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('puts a "Copy client snippet" CodeLens beside "Preview stream", with each route’s protocol', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file)) ?? [];
    const lines = (command: string) => lenses.filter((l) => l.command?.command === command).map((l) => l.range.start.line);
    const snippetLenses = lenses.filter((lens) => lens.command?.command === 'catalyst.copyClientSnippet');
    assert.deepEqual(
      snippetLenses.map((lens) => (lens.command?.arguments?.[0] as { route: unknown }).route),
      [
        { path: '/stream', method: 'GET', protocol: 'sse' },
        { path: '/api/chat', method: 'POST', protocol: 'ai-sdk' },
        { path: '/v1/chat/completions', method: 'POST', protocol: 'openai' },
      ],
    );
    assert.deepEqual(lines('catalyst.copyClientSnippet'), lines('catalyst.openStreamPreview'), 'beside each Preview stream lens');
    // A POST route's preview starts with a body it accepts, not {}: the protocol's chat request.
    const bodies = lenses
      .filter((lens) => lens.command?.command === 'catalyst.openStreamPreview')
      .map((lens) => (lens.command?.arguments?.[0] as { body?: string }).body)
      .map((body) => (body === undefined ? undefined : (JSON.parse(body) as { messages?: unknown[] })));
    assert.equal(bodies[0], undefined, 'the GET route has no body');
    assert.deepEqual(bodies[1]?.messages, [{ id: 'message-1', role: 'user', parts: [{ type: 'text', text: 'Hello!' }] }]);
    assert.deepEqual(bodies[2]?.messages, [{ role: 'user', content: 'Hello!' }]);
  });
});
