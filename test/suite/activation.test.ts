/**
 * Activation is lazy (no `*`, nothing before a Python file or a command) and succeeds, and the commands the
 * manifest promises are registered with their titles. Runs first (see index.ts).
 */
import * as assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import * as vscode from 'vscode';
import { catalystExtension, workspaceUri } from './support/extension';
import { waitFor } from './support/wait';

const COMMANDS = {
  'catalyst.addStreamingEndpoint': 'Add Streaming Endpoint',
  'catalyst.openStreamPreview': 'Open Stream Preview',
  'catalyst.startDevServer': 'Start Dev Server',
  'catalyst.restartDevServer': 'Restart Dev Server',
} as const;

describe('activation', () => {
  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('is the extension the runner put under test: the installed .vsix or the development folder', function () {
    const expected = process.env.CATALYST_EXTENSION_UNDER_TEST;
    if (!expected) this.skip(); // a runner that does not say (e.g. the desktop one) tests the development folder
    assert.equal(realpathSync(catalystExtension().extensionPath), realpathSync(expected));
  });

  it('is not active while no Python file is open and no command ran', async () => {
    // Give any eager activation event (e.g. `*` or workspaceContains) the chance to fire first: the workbench
    // has finished restoring once a command round-trips through it.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.equal(catalystExtension().isActive, false);
    const registered = await vscode.commands.getCommands(true);
    for (const id of Object.keys(COMMANDS)) {
      assert.ok(!registered.includes(id), `${id} registered before activation`);
    }
  });

  it('activates when a Python file is opened, without errors', async () => {
    const document = await vscode.workspace.openTextDocument(workspaceUri('main.py'));
    assert.equal(document.languageId, 'python');
    await waitFor(() => catalystExtension().isActive, { what: 'the extension to activate', timeoutMs: 30_000 });
    // An activation that threw would leave isActive false; a feature that failed to register shows an error
    // and logs it, which the commands check below catches.
  });

  it('registers every command with its localized title and category', async () => {
    const registered = await vscode.commands.getCommands(true);
    const contributed = (catalystExtension().packageJSON as { contributes: { commands: { command: string; title: string; category: string }[] } }).contributes
      .commands;
    for (const [id, title] of Object.entries(COMMANDS)) {
      assert.ok(registered.includes(id), `${id} is not registered`);
      const entry = contributed.find((c) => c.command === id);
      assert.deepEqual({ title: entry?.title, category: entry?.category }, { title, category: 'Catalyst' });
    }
  });
});
