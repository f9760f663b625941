/**
 * Loads the Stream Preview webview bundle in headless Chromium the way VS Code would: the page from
 * previewHtml() (same CSP, nonce, one script, one stylesheet), served from a loopback origin that stands for
 * `webview.cspSource`, with a stand-in `acquireVsCodeApi` and VS Code's theme variables set on <html>.
 *
 * The stand-in mirrors VS Code's webview API object: postMessage (recorded here), getState/setState (kept
 * across reloads of the page, as VS Code keeps them across a hidden panel's reload). Host messages are
 * delivered as VS Code delivers them: a `message` event on window.
 */
import * as esbuild from 'esbuild';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { previewHtml } from '../../src/features/preview/html';
import type { HostMessage, WebviewMessage } from '../../src/protocol/preview';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/chromium.mjs';
import { makeTempDir } from '../support/tempdir';

const root = path.resolve(__dirname, '../..');

/** A subset of VS Code's Dark Modern theme, as VS Code injects it into every webview (`--vscode-*` on <html>). */
const DARK_MODERN: Record<string, string> = {
  '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  '--vscode-editor-font-size': '13px',
  '--vscode-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-input-background': '#313131',
  '--vscode-input-foreground': '#cccccc',
  '--vscode-input-border': '#3c3c3c',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-border': '#ffffff12',
  '--vscode-button-secondaryBackground': '#313131',
  '--vscode-button-secondaryForeground': '#cccccc',
  '--vscode-button-secondaryHoverBackground': '#3c3c3c',
  '--vscode-badge-background': '#616161',
  '--vscode-badge-foreground': '#f8f8f8',
  '--vscode-textBlockQuote-background': '#2b2b2b',
  '--vscode-textCodeBlock-background': '#2b2b2b',
  '--vscode-inputValidation-errorBackground': '#5a1d1d',
  '--vscode-inputValidation-errorBorder': '#be1100',
  '--vscode-inputValidation-warningBackground': '#352a05',
  '--vscode-errorForeground': '#f85149',
  '--vscode-editorWarning-foreground': '#cca700',
  '--vscode-editorInfo-foreground': '#3794ff',
  '--vscode-testing-iconPassed': '#73c991',
  '--vscode-progressBar-background': '#0078d4',
  '--vscode-panel-border': '#2b2b2b',
  '--vscode-editorWidget-border': '#313131',
  '--vscode-list-hoverBackground': '#2a2d2e',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-symbolIcon-propertyForeground': '#9cdcfe',
};

/** VS Code's Light Modern theme: the variables that differ from Dark Modern. */
const LIGHT_MODERN: Record<string, string> = {
  ...DARK_MODERN,
  '--vscode-foreground': '#3b3b3b',
  '--vscode-descriptionForeground': '#3b3b3b',
  '--vscode-editor-background': '#ffffff',
  '--vscode-input-background': '#ffffff',
  '--vscode-input-foreground': '#3b3b3b',
  '--vscode-input-border': '#cecece',
  '--vscode-focusBorder': '#005fb8',
  '--vscode-button-background': '#005fb8',
  '--vscode-button-border': '#0000001a',
  '--vscode-button-secondaryBackground': '#e5e5e5',
  '--vscode-button-secondaryForeground': '#3b3b3b',
  '--vscode-button-secondaryHoverBackground': '#cccccc',
  '--vscode-badge-background': '#cccccc',
  '--vscode-badge-foreground': '#3b3b3b',
  '--vscode-textBlockQuote-background': '#f8f8f8',
  '--vscode-textCodeBlock-background': '#dcdcdc66',
  '--vscode-inputValidation-errorBackground': '#f2dede',
  '--vscode-inputValidation-errorBorder': '#be1100',
  '--vscode-inputValidation-warningBackground': '#f6f5d2',
  '--vscode-errorForeground': '#f85149',
  '--vscode-editorWarning-foreground': '#bf8803',
  '--vscode-editorInfo-foreground': '#1a85ff',
  '--vscode-testing-iconPassed': '#388a34',
  '--vscode-progressBar-background': '#005fb8',
  '--vscode-panel-border': '#e5e5e5',
  '--vscode-editorWidget-border': '#c8c8c8',
  '--vscode-list-hoverBackground': '#f2f2f2',
  '--vscode-charts-blue': '#1a85ff',
  '--vscode-symbolIcon-propertyForeground': '#652d90',
};

/** VS Code's Dark High Contrast theme: black, white text, and contrast borders (which the others leave unset). */
const HIGH_CONTRAST: Record<string, string> = {
  ...DARK_MODERN,
  '--vscode-foreground': '#ffffff',
  '--vscode-descriptionForeground': '#ffffff',
  '--vscode-editor-background': '#000000',
  '--vscode-input-background': '#000000',
  '--vscode-input-foreground': '#ffffff',
  '--vscode-input-border': '#6fc3df',
  '--vscode-focusBorder': '#f38518',
  '--vscode-contrastBorder': '#6fc3df',
  '--vscode-contrastActiveBorder': '#f38518',
  '--vscode-button-background': '#000000',
  '--vscode-button-border': '#6fc3df',
  '--vscode-button-secondaryBackground': '#000000',
  '--vscode-button-secondaryForeground': '#ffffff',
  '--vscode-button-secondaryHoverBackground': '#000000',
  '--vscode-badge-background': '#000000',
  '--vscode-badge-foreground': '#ffffff',
  '--vscode-textBlockQuote-background': '#000000',
  '--vscode-textCodeBlock-background': '#000000',
  '--vscode-inputValidation-errorBackground': '#000000',
  '--vscode-inputValidation-errorBorder': '#f48771',
  '--vscode-inputValidation-warningBackground': '#000000',
  '--vscode-errorForeground': '#f48771',
  '--vscode-editorWarning-foreground': '#ffd370',
  '--vscode-editorInfo-foreground': '#3794ff',
  '--vscode-testing-iconPassed': '#73c991',
  '--vscode-panel-border': '#6fc3df',
  '--vscode-editorWidget-border': '#6fc3df',
  '--vscode-list-hoverBackground': '#000000',
  '--vscode-charts-blue': '#3794ff',
};

/** The three kinds of theme VS Code tells a webview apart by its body class. */
export const THEMES = {
  light: { variables: LIGHT_MODERN, bodyClass: 'vscode-light' },
  dark: { variables: DARK_MODERN, bodyClass: 'vscode-dark' },
  'high-contrast': { variables: HIGH_CONTRAST, bodyClass: 'vscode-high-contrast' },
} as const;

export type ThemeKind = keyof typeof THEMES;

/**
 * The browser globals the page functions below touch. The Node tsconfig has no DOM lib (and must not get one:
 * it would hide `window` use in Node code), so page functions see `globalThis` through this type.
 */
interface PageGlobal {
  __posted: unknown[];
  postMessage(message: unknown, targetOrigin: string): void;
}

const ready = () => (globalThis as unknown as PageGlobal).__posted.some((m) => (m as { type?: string }).type === 'ready');

export interface WebviewPage {
  readonly page: Page;
  /** Messages the webview posted to the host, in order. */
  posted(): Promise<WebviewMessage[]>;
  /** Delivers host messages, in order, as `message` events. */
  deliver(messages: readonly HostMessage[]): Promise<void>;
  /** Any dialog (alert/confirm/prompt) the page opened; the XSS test expects none. */
  readonly dialogs: string[];
  /** Reloads the page, keeping the state it saved with setState (as a hidden panel does in VS Code). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The stand-in, as plain JavaScript source: page functions written in TypeScript would be compiled by tsx with
 * helpers (`__name`) that do not exist in the page.
 */
function standInScript(theme: Record<string, string>, bodyClass: string): string {
  return `(() => {
  window.__posted = [];
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return {
      postMessage: (message) => { window.__posted.push(JSON.parse(JSON.stringify(message))); },
      getState: () => { const saved = sessionStorage.getItem('vscode-state'); return saved === null ? undefined : JSON.parse(saved); },
      setState: (state) => sessionStorage.setItem('vscode-state', JSON.stringify(state)),
    };
  };
  const theme = ${JSON.stringify(theme)};
  document.addEventListener('DOMContentLoaded', () => {
    for (const [name, value] of Object.entries(theme)) document.documentElement.style.setProperty(name, value);
    document.body.classList.add(${JSON.stringify(bodyClass)});
  });
  // Before the first paint too, so the bundle's first render already sees the theme.
  new MutationObserver((_, observer) => {
    if (document.documentElement) {
      for (const [name, value] of Object.entries(theme)) document.documentElement.style.setProperty(name, value);
      observer.disconnect();
    }
  }).observe(document, { childList: true });
})();`;
}

/** Builds the webview bundle and stylesheet from source into a temp folder (what esbuild.mjs puts in dist/webview). */
async function buildWebview(outdir: string): Promise<void> {
  await esbuild.build({
    entryPoints: [path.join(root, 'src/webview/main.ts')],
    outfile: path.join(outdir, 'preview.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'warning',
  });
  await esbuild.build({
    entryPoints: [path.join(root, 'media/preview.css')],
    outfile: path.join(outdir, 'preview.css'),
    bundle: true,
    loader: { '.ttf': 'file' },
    assetNames: '[name]',
    logLevel: 'warning',
  });
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.html': 'text/html' };

let built: Promise<string> | undefined;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });
}

export async function openWebview(browser: Browser, viewport = { width: 1200, height: 800 }, theme: ThemeKind = 'dark'): Promise<WebviewPage> {
  built ??= makeTempDir('webview').then(async (dir) => {
    await buildWebview(dir);
    return dir;
  });
  const dir = await built;
  const server = http.createServer((request, response) => {
    const name = path.basename(new URL(request.url ?? '/', 'http://x').pathname);
    if (name === 'index.html') {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(previewHtml({ cspSource: origin, nonce: 'bm9uY2UtZm9yLXRlc3Rz', scriptUri: `${origin}/preview.js`, styleUri: `${origin}/preview.css` }));
      return;
    }
    readFile(path.join(dir, name)).then(
      (body) => {
        response.writeHead(200, { 'content-type': TYPES[path.extname(name)] ?? 'application/octet-stream' });
        response.end(body);
      },
      () => {
        response.writeHead(404);
        response.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`;
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.addInitScript({ content: standInScript(THEMES[theme].variables, THEMES[theme].bodyClass) });
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      cspViolations.push(message.text());
    }
  });
  await page.goto(url);
  await page.waitForFunction(ready);
  return {
    page,
    dialogs,
    posted: () => page.evaluate(() => (globalThis as unknown as PageGlobal).__posted as WebviewMessage[]),
    async deliver(messages) {
      // As one JSON string: Playwright's argument serialisation is slow for tens of thousands of objects.
      await page.evaluate((json) => {
        for (const message of JSON.parse(json) as unknown[]) {
          (globalThis as unknown as PageGlobal).postMessage(message, '*');
        }
      }, JSON.stringify(messages));
    },
    async reload() {
      await page.reload();
      await page.waitForFunction(ready);
    },
    async close() {
      await context.close();
      await new Promise((resolve) => server.close(resolve));
      if (cspViolations.length > 0) {
        throw new Error(`the page logged errors:\n${cspViolations.join('\n')}`);
      }
    },
  };
}
