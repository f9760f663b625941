/**
 * The LLM-call diagnostic in a real editor: it appears on a non-streaming Anthropic call inside a route, goes
 * away when the code streams, comes back on undo, follows the severity setting and is cleared on close.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { diagnosticsSaying, waitForDiagnostics } from './support/diagnostics';
import { workspaceUri } from './support/extension';
import { waitFor } from './support/wait';

/** From the diagnostic's documented message: "returns the whole LLM response at once; stream it with SSE". */
const SAYS = 'whole LLM response';

describe('LLM call diagnostic', () => {
  const uri = workspaceUri('chat.py');
  let editor: vscode.TextEditor;

  before(async () => {
    editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  });

  after(async () => {
    await vscode.workspace.getConfiguration('catalyst.llm', uri).update('diagnosticSeverity', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('marks the non-streaming call in the route handler, as Information by default', async () => {
    const [diagnostic] = await waitForDiagnostics(uri, SAYS, 1);
    const callLine = editor.document.getText().split('\n').findIndex((line) => line.includes('client.messages.create('));
    assert.equal(diagnostic!.range.start.line, callLine);
    assert.equal(diagnostic!.severity, vscode.DiagnosticSeverity.Information);
  });

  it('disappears once the call streams and comes back on undo', async () => {
    const document = editor.document;
    const anchor = 'max_tokens=1024,';
    const offset = document.getText().indexOf(anchor) + anchor.length;
    const inserted = await editor.edit((edit) => edit.insert(document.positionAt(offset), '\n        stream=True,'));
    assert.ok(inserted);
    await waitForDiagnostics(uri, SAYS, 0);

    await vscode.commands.executeCommand('undo');
    assert.ok(!document.getText().includes('stream=True'));
    await waitForDiagnostics(uri, SAYS, 1);
  });

  it('follows catalyst.llm.diagnosticSeverity, and Off turns it off', async () => {
    const config = () => vscode.workspace.getConfiguration('catalyst.llm', uri);
    await config().update('diagnosticSeverity', 'Warning', vscode.ConfigurationTarget.WorkspaceFolder);
    await waitFor(() => diagnosticsSaying(uri, SAYS).some((d) => d.severity === vscode.DiagnosticSeverity.Warning), {
      what: 'the diagnostic to become a Warning',
    });
    await config().update('diagnosticSeverity', 'Off', vscode.ConfigurationTarget.WorkspaceFolder);
    await waitForDiagnostics(uri, SAYS, 0);
    await config().update('diagnosticSeverity', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    await waitForDiagnostics(uri, SAYS, 1);
  });

  it('is cleared when the document is closed', async () => {
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    // Closing the editor tab does not close the document at once; VS Code disposes it when nothing holds it.
    await waitForDiagnostics(uri, SAYS, 0, 30_000);
    editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await waitForDiagnostics(uri, SAYS, 1);
  });
});
