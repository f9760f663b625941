// @ts-check
// Opens code-server's workbench in headless Debian Chromium through playwright-core, with the extension under
// development and the compiled test index passed in the URL payload (the way VS Code's own browser integration
// tests start). The workbench reports back through two functions the page calls when the smoke-test driver is on:
// window.codeAutomationLog(type, args) for log output and window.codeAutomationExit(code) when the tests end.
import path from 'node:path';
import { format } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/chromium.mjs';

/** `vscode-remote://` URI of a path on the machine code-server runs on. */
export function remoteUri(port, absolutePath) {
  return `vscode-remote://127.0.0.1:${port}${absolutePath}`;
}

/**
 * @param {{ origin: string, port: number, workspace: string, extensionPath: string, testsPath: string,
 *           home: string, onLog: (type: string, text: string) => void }} options
 *   `home`: a throwaway folder used as Chromium's HOME and XDG folders, so nothing is written to the user's.
 */
export async function openWorkbench({ origin, port, workspace, extensionPath, testsPath, home, onLog }) {
  // launchServer (rather than launch) exposes the browser's pid, so the runner can kill its whole tree.
  const server = await chromium.launchServer({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
    },
  });
  const browserPid = server.process().pid;
  const browser = await chromium.connect(server.wsEndpoint());
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();

  /** @type {(code: number) => void} */
  let reportExit = () => {};
  const exitCode = new Promise((resolve) => (reportExit = resolve));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    // The workbench passes console-style arguments: a format string and its substitutions.
    onLog(String(type), format(...(Array.isArray(args) ? args : [args])));
  });
  await page.exposeFunction('codeAutomationExit', (code) => reportExit(Number(code)));
  page.on('pageerror', (error) => onLog('pageerror', error.stack ?? String(error)));

  const payload = [
    ['extensionDevelopmentPath', remoteUri(port, extensionPath)],
    ['extensionTestsPath', remoteUri(port, testsPath)],
    ['skipWelcome', 'true'],
  ];
  const url = `${origin}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  await page.goto(url, { waitUntil: 'domcontentloaded' });

  return {
    page,
    browserPid,
    /** Resolves with the code the workbench reports when the extension tests finish. */
    exitCode,
    close: async () => {
      await Promise.race([browser.close().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 3000))]);
      await Promise.race([server.close().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 3000))]);
    },
  };
}
