/**
 * The LLM-call diagnostic in a real editor: it appears on a non-streaming Anthropic call inside a route, goes
 * away when the code streams, comes back on undo, follows the severity setting, and exists only on Python
 * documents (cleared when a document closes).
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
    // Leave chat.py as the next test file expects it even when a test here failed half-way.
    const document = await vscode.workspace.openTextDocument(uri);
    if (document.languageId !== 'python') {
      editor = await vscode.window.showTextDocument(await vscode.languages.setTextDocumentLanguage(document, 'python'));
    }
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('marks the non-streaming call in the route handler, as Information by default', async () => {
    const [diagnostic] = await waitForDiagnostics(uri, SAYS, 1);
    const callLine = editor.document
      .getText()
      .split('\n')
      .findIndex((line) => line.includes('client.messages.create('));
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

  it('is cleared when the document stops being Python, and is back when it is Python again', async () => {
    // Changing the language closes the document and opens it again under the new language. (Closing the
    // editor is not enough to test this: VS Code keeps documents an extension opened for minutes.)
    let document = await vscode.languages.setTextDocumentLanguage(editor.document, 'plaintext');
    assert.equal(document.languageId, 'plaintext');
    await waitForDiagnostics(uri, SAYS, 0);
    document = await vscode.languages.setTextDocumentLanguage(document, 'python');
    editor = await vscode.window.showTextDocument(document);
    await waitForDiagnostics(uri, SAYS, 1);
  });
});
