/**
 * Requests you can keep: "Save Stream Request" appends a preview request to a .http file on disk (secrets as
 * {{variables}}, never their values), and the "Preview stream" CodeLens above a .http request opens the Stream
 * Preview with that request, which streams from a real server (a loopback SSE server in this test, which
 * checks the Authorization the variable stood for).
 */
import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import type { PreviewPanel } from '../../src/features/preview/previewPanel';
import { workspaceUri } from './support/extension';
import { record } from './support/previewMessages';
import { waitFor } from './support/wait';

describe('Saved requests (.http files)', () => {
  const file = workspaceUri('saved-requests.http');
  let server: Server;
  let base: string;
  const seen: Array<{ authorization: string | undefined; body: string }> = [];

  before(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ authorization: request.headers.authorization, body });
        if (request.headers.authorization !== 'Bearer sk-test-123') {
          response.writeHead(401, { 'Content-Type': 'application/json' }).end('{"detail":"no"}');
          return;
        }
        response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
        for (const text of ['Hel', 'lo']) {
          response.write(`event: token\ndata: ${JSON.stringify({ text })}\n\n`);
        }
        response.end('event: done\ndata: {}\n\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(file).then(undefined, () => undefined);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('saves preview requests into a .http file on disk, the Authorization value as {{token}}', async () => {
    const request = {
      url: `${base}/api/chat`,
      method: 'POST',
      headers: [
        ['Authorization', 'Bearer sk-test-123'],
        ['X-Tenant', 'acme'],
      ],
      body: '{"prompt":"Hi"}',
    };
    const first = await vscode.commands.executeCommand<{ file: string; variables: string[] } | undefined>('catalyst.saveStreamRequest', {
      request,
      file: file.toString(),
      name: 'Chat',
      secretHeaders: [],
    });
    assert.deepEqual(first?.variables, ['token']);
    await vscode.commands.executeCommand('catalyst.saveStreamRequest', {
      request: { url: `${base}/plain`, method: 'GET', headers: [] },
      file: file.toString(),
      name: 'Plain',
      secretHeaders: [],
    });
    const onDisk = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    assert.equal(
      onDisk,
      [
        '### Chat',
        `POST ${base}/api/chat`,
        'Accept: text/event-stream',
        'Authorization: Bearer {{token}}',
        'X-Tenant: acme',
        'Content-Type: application/json',
        '',
        '{\n  "prompt": "Hi"\n}',
        '',
        '### Plain',
        `GET ${base}/plain`,
        'Accept: text/event-stream',
        '',
      ].join('\n'),
    );
    assert.doesNotMatch(onDisk, /sk-test-123/);
  });

  it('puts "Preview stream" above each request; the lens opens the preview with that request, which streams', async () => {
    const document = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(document);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file)) ?? [];
    const preview = lenses.filter((lens) => lens.command?.command === 'catalyst.previewHttpRequest');
    assert.deepEqual(
      preview.map((lens) => lens.range.start.line),
      [1, 12],
    );
    const command = preview[0]!.command!;
    // The variable a user would type into the password box, given here.
    const [options] = command.arguments as [Record<string, unknown>];
    const panel = await vscode.commands.executeCommand<PreviewPanel | undefined>(command.command, { ...options, variables: { token: 'sk-test-123' } });
    assert.ok(panel, 'the command resolved to the preview panel');
    const posted = record(panel);
    try {
      const ended = await waitFor(() => posted.of('ended')[0], { what: 'the .http request’s run to end' });
      assert.equal(ended.end.kind, 'completed', JSON.stringify(ended.end));
      assert.equal(ended.stats.events, 3);
      assert.deepEqual(seen.at(-1), { authorization: 'Bearer sk-test-123', body: '{\n  "prompt": "Hi"\n}' });
    } finally {
      posted.dispose();
      panel.panel.dispose();
    }
  });
});
