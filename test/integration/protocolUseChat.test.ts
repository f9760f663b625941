/**
 * The strongest proof that `add-endpoint --protocol ai-sdk` makes a route useChat uses as is: a real React page
 * with `useChat` from @ai-sdk/react and its default transport (test/fixtures/protocols/usechat-page/page.jsx,
 * bundled with esbuild), opened in Debian's Chromium, sends messages to the generated route of the sample app on a
 * real uvicorn and renders the streamed answer. The page comes from its own origin, as a separate front end would;
 * the app allows it with Starlette's CORSMiddleware.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { PYTHON_STACKS, type PythonStack } from '../support/python';
import { ENDLESS, SCRIPTED, sourceClosed, startChatApp, type ChatApp } from './protocolAppSupport';
import { servePage, type PageServer } from './useChatPage';
import { launchBrowser } from './webviewHarness';

/** Bounded waits in the page: generous for a loaded machine, never a fixed sleep. */
const WAIT_MS = 30_000;

interface RenderedPart {
  readonly part: string | null;
  readonly state: string | null;
  readonly text: string | null;
  readonly toolName?: string | null;
  readonly toolCallId?: string | null;
}

/** The assistant message's parts as the page rendered them. */
async function assistantParts(page: Page): Promise<RenderedPart[]> {
  return page.$$eval('[data-role="assistant"] [data-part]', (elements) =>
    elements.map((e) => ({
      part: e.getAttribute('data-part'),
      state: e.getAttribute('data-state'),
      text: e.textContent,
      ...(e.getAttribute('data-part') === 'tool' ? { toolName: e.getAttribute('data-tool-name'), toolCallId: e.getAttribute('data-tool-call-id') } : {}),
    })),
  );
}

async function send(page: Page, prompt: string): Promise<void> {
  await page.fill('input[name="prompt"]', prompt);
  await page.click('button[type="submit"]');
}

for (const stack of PYTHON_STACKS) {
  describe(`a real useChat page (React, @ai-sdk/react) in Chromium on the generated ai-sdk route ${stack.tag}`, function () {
    this.timeout(120_000);
    pageSuite(stack);
  });
}

function pageSuite(stack: PythonStack): void {
  let pageServer: PageServer;
  let app: ChatApp;
  let browser: Browser;
  let page: Page;

  before(async () => {
    pageServer = await servePage();
    [app, browser] = await Promise.all([startChatApp(stack, { corsOrigin: pageServer.origin }), launchBrowser()]);
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
    await pageServer?.close();
  });

  beforeEach(async () => {
    page = await browser.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(`${pageServer.origin}/?api=${encodeURIComponent(app.url('ai-sdk'))}`);
    await page.waitForSelector('main[data-status="ready"]', { timeout: WAIT_MS });
    assert.deepEqual(failures, []);
  });

  afterEach(async () => {
    await page?.close();
  });

  it('sends a message and renders the streamed reasoning, text and tool call exactly', async () => {
    await send(page, 'parts');
    await page.waitForSelector('[data-role="assistant"]', { timeout: WAIT_MS });
    await page.waitForSelector('main[data-status="ready"]', { timeout: WAIT_MS });
    assert.equal(await page.textContent('[data-role="user"]'), 'parts');
    assert.deepEqual(await assistantParts(page), [
      { part: 'reasoning', state: 'done', text: SCRIPTED.reasoning },
      { part: 'text', state: 'done', text: SCRIPTED.textBeforeTool },
      {
        part: 'tool',
        state: 'input-available',
        text: JSON.stringify(SCRIPTED.tool.input),
        toolName: SCRIPTED.tool.name,
        toolCallId: SCRIPTED.tool.id,
      },
      { part: 'text', state: 'done', text: SCRIPTED.textAfterTool },
    ]);
    assert.equal(await page.$('[data-error]'), null, 'no error shown');
  });

  it("shows a source error as useChat's error, without the exception text, and keeps the text before it", async () => {
    await send(page, 'fail');
    await page.waitForSelector('main[data-status="error"]', { timeout: WAIT_MS });
    const shown = (await page.textContent('[data-error]')) ?? '';
    assert.ok(shown.length > 0);
    assert.ok(!shown.includes(SCRIPTED.secret), shown);
    const text = (await assistantParts(page))
      .filter((p) => p.part === 'text')
      .map((p) => p.text)
      .join('');
    assert.equal(text, SCRIPTED.failText);
  });

  it("useChat's stop() mid-stream closes the token source on the server", async () => {
    const run = randomUUID();
    await send(page, `slow ${run}`);
    // A page-side predicate (evaluated in Chromium): three ticks rendered.
    await page.waitForFunction(
      `(document.querySelector('[data-role="assistant"] [data-part="text"]')?.textContent ?? '').startsWith('tick tick tick')`,
      undefined,
      { timeout: WAIT_MS },
    );
    await page.click('text=Stop');
    await page.waitForSelector('main[data-status="ready"]', { timeout: WAIT_MS });
    const produced = await sourceClosed(app, run);
    assert.ok(produced >= 3 && produced < ENDLESS.slow, `closed after ${produced} of ${ENDLESS.slow} ticks`);
  });
}
