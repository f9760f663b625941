/**
 * Start-up budgets in the real extension host, measured and printed, never asserted on (this machine is shared
 * and noisy; bench/budgets.ts runs this file alone against the installed .vsix and puts the figures in a table):
 *   - activation: VS Code's own performance marks in the extension host around loading the extension's code and
 *     around activate() until its promise resolves (the two parts of what VS Code reports as an extension's
 *     activation time), the wall time from the first to the last, and, when this file runs first
 *     (`--grep budgets`), from opening a Python file to activate() resolved;
 *   - the first LLM diagnostic after opening a 5,000-line Python file: open to the diagnostic being published.
 * Written to CATALYST_ARTIFACTS_DIR/budgets.json and printed as "[budget] ..." lines.
 */
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { diagnosticsSaying } from './support/diagnostics';
import { catalystExtension, EXTENSION_ID, workspaceUri } from './support/extension';
import { waitFor, withDeadline } from './support/wait';

/** Prefix of the lines the runner shows (see index.ts). */
const SUITE_LINE = '[suite] ';
const SAYS = 'whole LLM response';
const LARGE_FILE_LINES = 5_000;

interface Mark {
  readonly name: string;
  readonly startTime: number;
}

/** VS Code's performance marks (vs/base/common/performance), shared through globalThis in the extension host. */
function vscodeMarks(): Mark[] {
  const marks = (globalThis as { MonacoPerformanceMarks?: { getMarks(): Mark[] } }).MonacoPerformanceMarks;
  return marks?.getMarks() ?? [];
}

function markTime(name: string): number | undefined {
  return vscodeMarks().find((mark) => mark.name === `code/extHost/${name}/${EXTENSION_ID}`)?.startTime;
}

/**
 * A plain FastAPI module of `lines` lines: many small typed routes and helpers, then one route that awaits the
 * whole Anthropic answer near the end, so the diagnostic needs the whole file analysed.
 */
function largeApp(lines: number): string {
  const head = ['from anthropic import AsyncAnthropic', 'from fastapi import FastAPI', '', 'app = FastAPI()', 'client = AsyncAnthropic()', ''];
  const tail = [
    '',
    '',
    '@app.get("/chat")',
    'async def chat(prompt: str) -> str:',
    '    message = await client.messages.create(',
    '        model="claude-sonnet-4-5",',
    '        max_tokens=1024,',
    '        messages=[{"role": "user", "content": prompt}],',
    '    )',
    '    return message.content[0].text',
  ];
  const body: string[] = [];
  for (let i = 0; head.length + body.length + tail.length + 8 <= lines; i++) {
    body.push(
      '',
      '',
      `@app.get("/items/${i}")`,
      `async def item_${i}(limit: int = 10) -> dict[str, int]:`,
      `    """Item ${i}, at most \`limit\` of it."""`,
      `    total = sum(range(limit)) + ${i}`,
      '    return {"id": ' + i + ', "total": total}',
    );
  }
  while (head.length + body.length + tail.length < lines) body.push('');
  return `${[...head, ...body, ...tail].join('\n')}\n`;
}

describe('budgets (measured, not asserted)', function () {
  this.timeout(120_000);
  const figures: Record<string, number | string | null> = {};
  const largeUri = workspaceUri('budget_large_app.py');

  function report(name: string, value: number | string | null, unit = 'ms'): void {
    figures[name] = value;
    console.log(`${SUITE_LINE}  [budget] ${name}: ${value ?? 'not measured'}${value === null || typeof value === 'string' ? '' : ` ${unit}`}`);
  }

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await rm(largeUri.fsPath, { force: true });
    const dir = process.env.CATALYST_ARTIFACTS_DIR;
    if (dir) writeFileSync(path.join(dir, 'budgets.json'), `${JSON.stringify({ extensionPath: catalystExtension().extensionPath, ...figures }, null, 2)}\n`);
  });

  it('activation: loading the code to activate() resolved (and from opening a Python file, when this runs first)', async () => {
    let opened: number | undefined;
    let documentReady: number | undefined;
    if (!catalystExtension().isActive) {
      opened = Date.now();
      await vscode.workspace.openTextDocument(workspaceUri('main.py'));
      // The document exists (and has its language) from here: onLanguage:python fires no earlier.
      documentReady = Date.now();
    }
    await waitFor(() => catalystExtension().isActive, { what: 'the extension to activate', timeoutMs: 30_000 });
    const [willLoad, didLoad, willActivate, didActivate] = [
      'willLoadExtensionCode',
      'didLoadExtensionCode',
      'willActivateExtension',
      'didActivateExtension',
    ].map(markTime);
    const span = (from: number | undefined, to: number | undefined) => (from !== undefined && to !== undefined ? to - from : null);
    const loading = span(willLoad, didLoad);
    const activating = span(willActivate, didActivate);
    report('activation as VS Code counts it (code loading + activate() until resolved)', loading === null || activating === null ? null : loading + activating);
    report('  code loading', loading);
    report('  activate() until resolved', activating);
    report('  loading the code -> activate() resolved, wall (VS Code sets up the context meanwhile)', span(willLoad, didActivate));
    report('open Python file -> activate() resolved', span(opened, didActivate));
    report('  of which openTextDocument until it resolved', span(opened, documentReady));
    report('Python document ready (activation event) -> activate() resolved', span(documentReady, didActivate));
    assert.ok(didActivate !== undefined || vscodeMarks().length === 0, 'VS Code records marks, but none for our activation');
  });

  it(`first LLM diagnostic after opening a ${LARGE_FILE_LINES.toLocaleString('en')}-line file`, async () => {
    const source = largeApp(LARGE_FILE_LINES);
    assert.equal(source.split('\n').length - 1, LARGE_FILE_LINES);
    await writeFile(largeUri.fsPath, source);
    // The moment VS Code publishes it (an event, not a poll).
    const published = new Promise<number>((resolve) => {
      const listener = vscode.languages.onDidChangeDiagnostics((event) => {
        if (event.uris.some((uri) => uri.toString() === largeUri.toString()) && diagnosticsSaying(largeUri, SAYS).length > 0) {
          listener.dispose();
          resolve(Date.now());
        }
      });
    });
    const opened = Date.now();
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(largeUri));
    const at = await withDeadline(published, 60_000, 'the diagnostic on the large file');
    const [diagnostic] = diagnosticsSaying(largeUri, SAYS);
    assert.equal(diagnostic!.range.start.line, LARGE_FILE_LINES - 6, 'on the client.messages.create( line');
    report(`first LLM diagnostic, ${LARGE_FILE_LINES}-line file (open -> published)`, at - opened);
  });
});
