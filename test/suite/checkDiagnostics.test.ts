/**
 * The editor shows exactly what `catalyst-streaming check` reports (one use case, core/app/check.ts): for a
 * package whose route reaches a non-streaming LLM call in another module, the diagnostics on each file equal
 * `check --json`'s findings (position, code, message); an unsaved edit counts at once, and a saved change in
 * another module refreshes the folder's cached check.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import * as vscode from 'vscode';
import { workspaceFolder, workspaceUri } from './support/extension';
import { waitFor } from './support/wait';

const SOURCE = 'Catalyst Streaming';

/** helper-module from test/fixtures/llm/workspace: the route in crossapp/main.py reaches the call in crossapp/llm.py. */
const PACKAGE: Record<string, string> = {
  'crossapp/__init__.py': '',
  'crossapp/clients.py': 'from openai import AsyncClient\n\nclient = AsyncClient()\n',
  'crossapp/llm.py': [
    'from .clients import client',
    '',
    '',
    'async def summarise(text: str) -> str:',
    '    completion = await client.chat.completions.create(',
    '        model="gpt-4o-mini",',
    '        messages=[{"role": "user", "content": f"Summarise: {text}"}],',
    '    )',
    '    return completion.choices[0].message.content or ""',
    '',
  ].join('\n'),
  'crossapp/main.py': [
    'from fastapi import FastAPI',
    '',
    'from crossapp import llm',
    '',
    'app = FastAPI()',
    '',
    '',
    '@app.get("/summary")',
    'async def summary(text: str) -> dict[str, str]:',
    '    return {"summary": await llm.summarise(text)}',
    '',
  ].join('\n'),
};

interface Shown {
  readonly line: number;
  readonly column: number;
  readonly code: string;
  readonly message: string;
}

/** `check --json` run on the workspace folder by the CLI the extension ships. */
function checkJson(): Array<Shown & { readonly file: string }> {
  // The repository's CLI build (dist/cli.js beside dist/test/suite): the .vsix does not ship the CLI, which has
  // its own npm package, so the installed extension's folder has none.
  const cli = path.resolve(__dirname, '..', '..', 'cli.js');
  const run = spawnSync(process.execPath, [cli, 'check', '--json'], {
    cwd: workspaceFolder().uri.fsPath,
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    timeout: 60_000,
  });
  assert.ok(run.status === 0 || run.status === 1, `check exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Array<Shown & { readonly file: string }>;
}

function shown(uri: vscode.Uri): Shown[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === SOURCE)
    .map((d) => ({ line: d.range.start.line + 1, column: d.range.start.character + 1, code: String(d.code), message: d.message }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

function sameAs(uri: vscode.Uri, expected: readonly Shown[]): boolean {
  return JSON.stringify(shown(uri)) === JSON.stringify(expected);
}

describe("Diagnostics: exactly check's findings", () => {
  const llm = workspaceUri('crossapp', 'llm.py');
  const main = workspaceUri('crossapp', 'main.py');

  before(async () => {
    for (const [file, text] of Object.entries(PACKAGE)) {
      await vscode.workspace.fs.writeFile(workspaceUri(...file.split('/')), new TextEncoder().encode(text));
    }
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(workspaceUri('crossapp'), { recursive: true });
  });

  it('every file check reports on shows the same findings in the editor, the cross-module one included', async () => {
    const findings = checkJson();
    const crossModule = findings.filter((f) => f.file === 'crossapp/llm.py');
    assert.equal(crossModule.length, 1, JSON.stringify(findings));
    assert.equal(crossModule[0]!.code, 'llm-not-streamed');
    assert.match(crossModule[0]!.message, /GET \/summary \(summary in crossapp\/main\.py\)/);
    for (const file of [...new Set(findings.map((f) => f.file)), 'crossapp/main.py']) {
      const uri = workspaceUri(...file.split('/'));
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      const expected = findings.filter((f) => f.file === file).map(({ line, column, code, message }) => ({ line, column, code, message }));
      await waitFor(() => sameAs(uri, expected), {
        what: `the diagnostics on ${file} to be check's ${JSON.stringify(expected)} (shown: ${JSON.stringify(shown(uri))})`,
      });
    }
  });

  it('an unsaved edit counts at once; a saved change in another module refreshes the cached check', async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(llm));
    const anchor = 'messages=[{"role": "user", "content": f"Summarise: {text}"}],';
    const offset = editor.document.getText().indexOf(anchor) + anchor.length;
    assert.ok(await editor.edit((edit) => edit.insert(editor.document.positionAt(offset), '\n        stream=True,')));
    await waitFor(() => shown(llm).length === 0, { what: 'the finding to go with the unsaved stream=True' });
    await vscode.commands.executeCommand('undo');
    await waitFor(() => shown(llm).length === 1, { what: 'the finding to come back on undo' });

    // The route stops calling the helper, saved: the helper is reached by no route any more.
    const route = await vscode.workspace.openTextDocument(main);
    const call = 'await llm.summarise(text)';
    const edit = new vscode.WorkspaceEdit();
    const start = route.getText().indexOf(call);
    edit.replace(main, new vscode.Range(route.positionAt(start), route.positionAt(start + call.length)), 'text');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await route.save());
    await waitFor(() => shown(llm).length === 0, { what: 'the cross-module finding to go once main.py is saved without the call' });
    await vscode.window.showTextDocument(route);
    await vscode.commands.executeCommand('undo');
    assert.ok(await route.save());
    await waitFor(() => shown(llm).length === 1, { what: 'the cross-module finding to come back once main.py is saved with the call' });
  });
});
