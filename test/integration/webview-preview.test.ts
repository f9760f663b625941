/**
 * The Stream Preview webview bundle in headless Chromium, fed message sequences recorded from real runs: the
 * host-side run (runPreview, what the panel posts) against the uvicorn fixture endpoints, replayed into the page
 * through a stand-in acquireVsCodeApi. Asserts what the DOM shows; saves screenshots under .artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { freePort } from '../../src/core/net/ports';
import type { StreamRequest, StreamStats, ToolCallView } from '../../src/protocol/stream';
import { runPreview } from '../../src/core/sse/preview';
import type { EventView, HostMessage } from '../../src/protocol/preview';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { launchBrowser, openWebview, type WebviewPage } from './webviewHarness';
import { EVENT_WINDOW } from '../../src/core/sse/preview/model';

/** The seq of the first row whose top is at or below the list's top edge: what the user sees first. */
const TOP_SEQ = `(() => {
  const top = document.querySelector('.event-list').getBoundingClientRect().top;
  const rows = [...document.querySelectorAll('.event-row:not([hidden])')].filter((r) => r.getBoundingClientRect().top >= top - 1);
  rows.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
  return Number(rows[0]?.dataset.seq ?? -1);
})()`;

const artifacts = path.resolve(__dirname, '../../.artifacts');

/** Records what the host would post for one run of `request`. */
async function record(request: StreamRequest, run = 1): Promise<HostMessage[]> {
  const messages: HostMessage[] = [];
  await runPreview({ run, request, post: (m) => messages.push(structuredClone(m)) });
  return messages;
}

/** A batch's part fields when the stream has no reasoning or tool calls. */
const NO_PARTS = { protocol: 'sse', reasoning: '', toolCalls: [], toolCallsOmitted: 0 } as const;

const get = (url: string): StreamRequest => ({ url, method: 'GET', headers: [] });

async function text(page: WebviewPage, selector: string): Promise<string> {
  return (await page.page.locator(selector).first().textContent()) ?? '';
}

async function stat(page: WebviewPage, name: string): Promise<string> {
  return text(page, `dd[data-stat="${name}"]`);
}

/**
 * Polls a page expression until it is true (at most 10 s). Not waitForFunction: that evaluates the string in
 * the page, which the webview's CSP (no 'unsafe-eval') forbids.
 */
async function until(page: WebviewPage, expression: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await page.page.evaluate(expression)) !== true) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${expression}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until the status line says the run is over (rendering happens on the next animation frame). */
async function waitForStatus(page: WebviewPage, kind: string): Promise<void> {
  await page.page.waitForSelector(`.status-${kind}`, { timeout: 10_000 });
}

describe('Stream Preview webview in Chromium', function () {
  let server: RunningServer;
  let browser: Browser;
  let page: WebviewPage;

  before(async function () {
    [server, browser] = await Promise.all([startUvicorn({ cwd: path.resolve(__dirname, '../fixtures/sse'), app: 'app:app' }), launchBrowser()]);
    await mkdir(artifacts, { recursive: true });
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
  });

  beforeEach(async function () {
    page = await openWebview(browser);
  });

  afterEach(async function () {
    await page.close();
  });

  it('shows a token stream: events, assembled text, timing, counts and header checks', async function () {
    await page.deliver(await record(get(`${server.baseUrl}/tokens`)));
    await waitForStatus(page, 'ok');
    assert.match(await text(page, '.status'), /^Completed · 5 events$/);
    assert.equal(await page.page.locator('.event-row').count(), 5);
    assert.deepEqual(await page.page.locator('.event-type').allTextContents(), ['token', 'token', 'token', 'token', 'done']);
    assert.equal(await text(page, '.event-row[data-seq="0"] .event-id'), 'id 1');
    assert.equal(await text(page, '.assembled-text'), 'Hello, world!');
    assert.match(await text(page, '.side-column h2'), /Catalyst token\/done events/);
    assert.equal(await stat(page, 'Events'), '5');
    assert.equal(await stat(page, 'Tokens'), '4');
    assert.match(await stat(page, 'First token'), /ms$/);
    assert.notEqual(await stat(page, 'Tokens/s'), '–');
    assert.deepEqual(await page.page.locator('.counts .badge').allTextContents(), ['token 4', 'done 1']);
    assert.equal(await page.page.locator('.check-ok').count(), 3, 'Content-Type, Cache-Control and X-Accel-Buffering pass');
    assert.match(await text(page, '.response-headers'), /content-typetext\/event-stream/);
    // A row opens its data in the detail pane, JSON pretty-printed; a second click closes it.
    assert.equal(await page.page.locator('.event-detail').isVisible(), false);
    await page.page.locator('.event-row[data-seq="4"]').click();
    assert.equal(await text(page, '.event-detail .event-pretty'), '{\n  "text": "Hello, world!",\n  "token_count": 4\n}');
    assert.equal(await text(page, '.event-detail-title'), 'Event 4 · done · id 4 · +' + (await text(page, '.event-row[data-seq="4"] .event-time')).slice(1));
    assert.deepEqual(await page.page.locator('.event-row[aria-selected="true"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-seq'))), ['4']);
    await page.page.locator('.event-row[data-seq="4"]').click();
    assert.equal(await page.page.locator('.event-detail').isVisible(), false);
    // From the keyboard: the arrows open the newest event, then the one before; Escape closes it.
    await page.page.locator('.event-list').focus();
    await page.page.keyboard.press('ArrowUp');
    await page.page.keyboard.press('ArrowUp');
    assert.match(await text(page, '.event-detail-title'), /^Event 3 · token · id 4 /);
    assert.equal(await page.page.locator('.event-row[data-seq="3"]').getAttribute('aria-selected'), 'true');
    await page.page.keyboard.press('Escape');
    assert.equal(await page.page.locator('.event-detail').isVisible(), false);
    await page.page.screenshot({ path: path.join(artifacts, 'webview-token-stream.png') });
  });

  describe('protocols (issue 10): the detected protocol, reasoning and tool calls beside the text', function () {
    const post = (url: string, body: unknown): StreamRequest => ({ url, method: 'POST', headers: [], body: JSON.stringify(body) });
    const cases: ReadonlyArray<readonly [protocol: string, request: () => StreamRequest]> = [
      ['sse', () => get(`${server.baseUrl}/protocol/sse?prompt=Bonjour`)],
      [
        'ai-sdk',
        () =>
          post(`${server.baseUrl}/api/chat`, {
            id: 'c',
            messages: [{ id: 'm', role: 'user', parts: [{ type: 'text', text: 'Bonjour' }] }],
            trigger: 'submit-message',
          }),
      ],
      [
        'openai',
        () =>
          post(`${server.baseUrl}/v1/chat/completions`, {
            model: 'm',
            stream: true,
            stream_options: { include_usage: true },
            messages: [{ role: 'user', content: 'Bonjour' }],
          }),
      ],
    ];
    for (const [protocol, request] of cases) {
      it(protocol, async function () {
        await page.deliver(await record(request()));
        await waitForStatus(page, 'ok');
        assert.equal(await text(page, '.protocol-badge'), protocol);
        assert.equal(await page.page.locator('.protocol-badge').isVisible(), true);
        assert.equal(await text(page, '.assembled-text'), 'You said: Bonjour');
        assert.equal(await text(page, '.reasoning-text'), 'The user wants the weather.');
        assert.equal(await page.page.locator('.tool-call').count(), 1);
        assert.equal(await text(page, '.tool-call-name'), 'get_weather');
        assert.equal(await text(page, '.tool-call-id'), 'call_1');
        assert.equal(await text(page, '.tool-call-state'), 'complete');
        assert.equal(await text(page, '.tool-call-arguments'), '{\n  "city": "Paris"\n}');
        if (protocol === 'ai-sdk') {
          // Every event is "message": the list names each by its chunk type instead.
          const types = await page.page.locator('.event-row:not([hidden]) .event-type').allTextContents();
          for (const type of ['reasoning-delta', 'text-delta', 'tool-input-start', 'tool-input-delta', 'tool-input-available', 'finish']) {
            assert.ok(types.includes(type), `${type} in ${types.join(', ')}`);
          }
        } else {
          assert.equal(await page.page.locator('.event-type.event-part').count(), 0);
        }
        // The gap chart's axes say what they show.
        assert.deepEqual(await page.page.locator('.gap-axis-title').allTextContents(), ['gap (ms, √ scale)', 'time (arrival of each event)']);
        assert.match(await text(page, '.gap-y-max'), /ms$/);
        assert.match(await text(page, '.gap-x-start'), /^−[\d.]+ (ms|s)$/);
        await page.page.screenshot({ path: path.join(artifacts, `webview-protocol-${protocol}.png`) });
      });
    }

    it('shows the usage and finish reason the stream reported (openai include_usage)', async function () {
      const request = cases.find(([name]) => name === 'openai')![1]();
      await page.deliver(await record(request));
      await waitForStatus(page, 'ok');
      assert.equal(await page.page.locator('.usage-section').isVisible(), true);
      assert.deepEqual(await page.page.locator('.usage dt').allTextContents(), ['Input tokens', 'Output tokens', 'Total tokens', 'Finish reason']);
      assert.deepEqual(await page.page.locator('.usage dd').allTextContents(), ['1', '3', '4', 'tool_calls']);
      assert.match(await text(page, '.status'), /^Completed · \d+ events · finish reason tool_calls$/);
    });

    it('a plain token stream shows no reasoning or tool-call sections', async function () {
      await page.deliver(await record(get(`${server.baseUrl}/tokens`)));
      await waitForStatus(page, 'ok');
      assert.equal(await page.page.locator('.reasoning-section').isVisible(), false);
      assert.equal(await page.page.locator('.tool-section').isVisible(), false);
      assert.equal(await text(page, '.protocol-badge'), 'sse');
      assert.equal(await page.page.locator('.usage-section').isVisible(), false, 'no usage reported, none shown');
    });

    it('shows a tool call as streaming until its input is complete, then replaces it in place', async function () {
      const batch = (call: ToolCallView): HostMessage => ({
        type: 'batch',
        run: 1,
        events: [],
        text: '',
        textReplaced: false,
        textFormat: null,
        protocol: 'ai-sdk',
        reasoning: '',
        toolCalls: [call],
        toolCallsOmitted: 0,
        notices: [],
        stats: emptyStats(),
      });
      const started: HostMessage = { type: 'started', run: 1, request: get(`${server.baseUrl}/api/chat`) };
      await page.deliver([started, batch({ id: 'call_1', name: 'get_weather', arguments: '{"city":', done: false })]);
      await page.page.waitForSelector('.tool-call-streaming');
      assert.equal(await text(page, '.tool-call-state'), 'streaming…');
      assert.equal(await text(page, '.tool-call-arguments'), '{"city":');
      await page.deliver([batch({ id: 'call_1', name: 'get_weather', arguments: '{"city":"Rome"}', input: { city: 'Rome' }, done: true })]);
      await page.page.waitForSelector('.tool-call-done');
      assert.equal(await page.page.locator('.tool-call').count(), 1, 'the same call, updated');
      assert.equal(await text(page, '.tool-call-arguments'), '{\n  "city": "Rome"\n}');
    });
  });

  describe('one status per outcome (issue 23 item 7)', function () {
    it('an error event: the error is the status, with no green tick and no second box', async function () {
      await page.deliver(await record(get(`${server.baseUrl}/error-event`)));
      await waitForStatus(page, 'error');
      assert.equal(await text(page, '.status'), 'Error event · 3 events: the stream reported an error: RateLimitError: The model is overloaded.');
      assert.equal(await page.page.locator('.status .codicon-error').count(), 1);
      assert.equal(await page.page.locator('.status .codicon-pass, .callout-error').count(), 0);
      // The icon and the text keep their distance.
      const [iconBox, textBox] = await Promise.all([page.page.locator('.status > .codicon').boundingBox(), page.page.locator('.status-text').boundingBox()]);
      assert.ok(iconBox && textBox && textBox.x - (iconBox.x + iconBox.width) >= 4, 'a gap between the icon and its text');
      await page.page.screenshot({ path: path.join(artifacts, 'webview-error-event.png') });
    });

    it('connection lost, and stopped', async function () {
      const messages = await record(get(`${server.baseUrl}/tokens`));
      const lost = { kind: 'failed', failure: { kind: 'unexpected-end', message: 'The stream ended unexpectedly after 5 event(s)' } } as const;
      await page.deliver(messages.map((m) => (m.type === 'ended' ? { ...m, end: lost } : m)));
      await waitForStatus(page, 'error');
      assert.equal(await text(page, '.status'), 'Connection lost · 5 events: The stream ended unexpectedly after 5 event(s)');
      await page.deliver(messages.map((m) => ('run' in m ? { ...m, run: 2 } : m)).map((m) => (m.type === 'ended' ? { ...m, end: { kind: 'stopped' } } : m)));
      await waitForStatus(page, 'stopped');
      assert.equal(await text(page, '.status'), 'Stopped · 5 events');
      // A resumable route's Stop: the server ended the stream with its final event, whose finish reason shows.
      const lastBatch = messages.map((m) => m.type).lastIndexOf('batch');
      await page.deliver(
        messages
          .map((m) => ('run' in m ? { ...m, run: 3 } : m))
          .map((m, i) => (i === lastBatch && m.type === 'batch' ? { ...m, finish: { finishReason: 'stopped' } } : m))
          .map((m) => (m.type === 'ended' ? { ...m, end: { kind: 'stopped' } } : m)),
      );
      await page.page.locator('.status-text', { hasText: 'finish reason' }).waitFor({ timeout: 10_000 });
      assert.equal(await text(page, '.status'), 'Stopped · 5 events · finish reason stopped');
    });
  });

  it('renders event data as text: an <img onerror> payload shows its characters and runs nothing', async function () {
    await page.deliver(await record(get(`${server.baseUrl}/xss`)));
    await waitForStatus(page, 'ok');
    assert.equal(await text(page, '.event-row .event-data'), '<img src=x onerror=alert(1)>');
    assert.equal(await page.page.locator('img').count(), 0, 'no element was created from the data');
    // Give an injected handler the chance to fire (image errors are async) before checking no dialog opened.
    await page.page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    assert.deepEqual(page.dialogs, []);
    await page.page.screenshot({ path: path.join(artifacts, 'webview-xss.png') });
  });

  it('warns about buffering, with its usual causes', async function () {
    await page.deliver(await record(get(`${server.baseUrl}/burst`)));
    await waitForStatus(page, 'ok');
    const warning = await text(page, '.buffering-warning');
    assert.match(warning, /Buffering suspected: 30 events arrived in one burst after \d+ ms of silence/);
    assert.match(warning, /time\.sleep\(\)/);
    assert.match(warning, /X-Accel-Buffering: no/);
  });

  it('flags gzip (not Connection on HTTP/1.1), and puts compression first among the causes', async function () {
    await page.deliver(await record(get(`${server.baseUrl}/gzip/tokens`)));
    await waitForStatus(page, 'ok');
    assert.deepEqual((await page.page.locator('.check-warning').evaluateAll((items) => items.map((i) => i.getAttribute('data-header')))).sort(), [
      'Content-Encoding',
    ]);
    assert.match(await text(page, '.buffering-warning li'), /^Response compression \(Content-Encoding: gzip\)/);
    await page.page.screenshot({ path: path.join(artifacts, 'webview-gzip-buffering.png') });
  });

  it('lists the redirects before the header checks, a cross-origin one as a warning naming the headers not sent', async function () {
    const redirects = [
      { status: 302, from: `${server.baseUrl}/old`, to: 'http://127.0.0.2:9/tokens', crossOrigin: true, droppedHeaders: ['X-Api-Key'] },
      { status: 307, from: 'http://127.0.0.2:9/tokens', to: `${server.baseUrl}/tokens`, crossOrigin: false, droppedHeaders: [] },
    ];
    const messages = await record(get(`${server.baseUrl}/tokens`));
    await page.deliver(messages.map((m) => (m.type === 'response' ? { ...m, redirects } : m)));
    await waitForStatus(page, 'ok');
    assert.deepEqual(await page.page.locator('.header-checks li[data-redirect]').allTextContents(), [
      'Redirect302 -> http://127.0.0.2:9/tokens (another origin; not sent there: X-Api-Key)',
      `Redirect307 -> ${server.baseUrl}/tokens`,
    ]);
    assert.equal(await page.page.locator('.check-warning[data-redirect]').count(), 1);
  });

  it('says when the connection is refused and offers to start the server', async function () {
    const port = await freePort();
    await page.deliver(await record(get(`http://127.0.0.1:${port}/stream`)));
    await waitForStatus(page, 'error');
    assert.match(await text(page, '.status'), /connection refused\. Is the server running\?/);
    await page.page.getByRole('button', { name: 'Start Dev Server' }).click();
    assert.deepEqual((await page.posted()).at(-1), { type: 'startServer' });
  });

  it('shows an HTTP error with its body, and a non-SSE response with its first bytes', async function () {
    await page.deliver(await record(get(`${server.baseUrl}/http-error`), 1));
    await waitForStatus(page, 'error');
    assert.match(await text(page, '.status'), /503 Service Unavailable: \{"detail":"model overloaded"\}/);
    await page.deliver(await record(get(`${server.baseUrl}/not-sse`), 2));
    await page.page.waitForFunction(() =>
      (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document
        .querySelector('.status')
        ?.textContent.includes('not an event stream'),
    );
    assert.match(await text(page, '.status'), /It starts with: <html>this is a page, not a stream<\/html>/);
  });

  it('lists malformed lines as notices', async function () {
    await page.deliver(await record(get(`${server.baseUrl}/malformed`)));
    await waitForStatus(page, 'ok');
    assert.match(await text(page, '.notices summary'), /3 stream notice/);
    assert.match(await text(page, '.notices'), /unknown field "bogus"/);
  });

  it('shows the start of a 5 MB event, not all of it', async function () {
    await page.deliver(await record(get(`${server.baseUrl}/big`)));
    await waitForStatus(page, 'ok');
    const shown = await text(page, '.event-row[data-seq="0"] .event-data');
    assert.ok(shown.length < 20_000, `${shown.length} characters rendered`);
    assert.match(shown, /… \(5\.0 MB, the first 16\.0 KB shown\)$/);
  });

  it('keeps a bounded window of events, virtualised (only the rows in view are in the DOM), and counts every event', async function () {
    const messages = syntheticBatches(40, 500);
    await page.deliver(messages);
    await waitForStatus(page, 'ok');
    const rows = await page.page.locator('.event-row:not([hidden])').count();
    const listBox = await page.page.locator('.event-list').boundingBox();
    assert.ok(listBox, 'the list is shown');
    // Every row is one fixed height (the list's scroll arithmetic depends on it).
    const heights = await page.page.locator('.event-row:not([hidden])').evaluateAll((r) => [...new Set(r.map((e) => e.getBoundingClientRect().height))]);
    assert.equal(heights.length, 1, `row heights ${heights.join(', ')}`);
    const rowHeight = heights[0]!;
    const fit = Math.ceil(listBox.height / rowHeight);
    assert.ok(rows > 0 && rows <= fit + 8, `${rows} rows in the DOM for ${fit} that fit`);
    // The list follows the stream: the newest event is the lowest row, inside the list's box.
    const newest = page.page.locator('.event-row[data-seq="19999"]');
    assert.equal(await newest.locator('.event-data').textContent(), '{"text":"t19999"}');
    const row = await newest.boundingBox();
    assert.ok(row && row.y + row.height <= listBox.y + listBox.height + 1 && row.y >= listBox.y, 'the newest row is in view');
    const spacer = await page.page.locator('.event-spacer').evaluate((e) => e.getBoundingClientRect().height);
    assert.equal(spacer, EVENT_WINDOW * rowHeight, 'every kept event has its place in the scroll height');
    assert.match(await text(page, '.events-column .hidden-note'), /^18,000 earlier events not kept/);
    assert.equal(await stat(page, 'Events'), '20,000');
    await page.page.screenshot({ path: path.join(artifacts, 'webview-high-rate.png') });
  });

  it('keeps the rows the user scrolled to in place while events arrive, and follows the tail again at the bottom', async function () {
    const p = page.page;
    const all = syntheticBatches(12, 250); // 3,000 events: 1,000 more than the window
    const [started, ...rest] = all;
    const batches = rest.slice(0, -1);
    await page.deliver([started!, ...batches.slice(0, 4)]); // 1,000 events
    await p.waitForSelector('.event-row[data-seq="999"]');
    const topSeq = () => p.evaluate(TOP_SEQ);
    // The user scrolls up (the wheel, as a person does): the list stops following.
    await p.locator('.event-list').hover();
    await p.mouse.wheel(0, -4_000);
    await until(page, `${TOP_SEQ} < 900`);
    const reading = await topSeq();
    await page.deliver(batches.slice(4, 8)); // 2,000 events: none dropped yet
    await until(page, `document.querySelector('dd[data-stat="Events"]').textContent === '2,000'`);
    assert.equal(await topSeq(), reading, 'the same event stays at the top');
    await page.deliver(batches.slice(8, 10)); // 2,500: the oldest 500 left the window, the rows read stay put
    await until(page, `document.querySelector('dd[data-stat="Events"]').textContent === '2,500'`);
    await p.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    assert.equal(await topSeq(), reading, 'the same event stays at the top after the oldest left the window');
    // Back at the bottom, it follows again.
    await p.mouse.wheel(0, 1_000_000);
    await until(page, `${TOP_SEQ} > 2400`);
    await page.deliver(batches.slice(10));
    await until(page, `document.querySelector('.event-row[data-seq="2999"]') !== null`);
    const [last, list] = await Promise.all([p.locator('.event-row[data-seq="2999"]').boundingBox(), p.locator('.event-list').boundingBox()]);
    assert.ok(last && list && last.y + last.height <= list.y + list.height + 1, 'the newest row is in view');
  });

  it('5,000 distinct event types: the most frequent as badges plus one "others (truncated)" badge', async function () {
    await page.deliver(await record(get(`${server.baseUrl}/many-types?n=5000`)));
    await waitForStatus(page, 'ok');
    const badges = await page.page.locator('.counts .badge').allTextContents();
    assert.equal(badges.length, 21, badges.join(' | '));
    assert.equal(badges[0], 'common 50');
    assert.equal(badges.at(-1), 'others 4,981 (truncated)');
    assert.equal(await stat(page, 'Events'), '5,050');
  });

  it('sends the request from the bar, with body and headers; Stop and Reconnect post their messages', async function () {
    const p = page.page;
    await p.locator('select.method').selectOption('POST');
    await p.locator('input.url').fill('http://127.0.0.1:8000/chat');
    await p.locator('.request-details summary').click();
    await p.locator('textarea.body').fill('{"prompt": "hi"}');
    await p.locator('textarea.headers').fill('Authorization: Bearer x:y\nX-Trace: 1');
    await p.getByRole('button', { name: 'Send' }).click();
    assert.deepEqual((await page.posted()).at(-1), {
      type: 'send',
      request: {
        url: 'http://127.0.0.1:8000/chat',
        method: 'POST',
        headers: [
          ['Authorization', 'Bearer x:y'],
          ['X-Trace', '1'],
        ],
        body: '{"prompt": "hi"}',
      },
    });
    // Save request and History hand the bar's request to the host (which asks for the .http file, or lists recent ones).
    const sent = (await page.posted()).at(-1) as { request: StreamRequest };
    await p.getByRole('button', { name: 'Save request' }).click();
    assert.deepEqual((await page.posted()).at(-1), { type: 'saveRequest', request: sent.request });
    await p.getByRole('button', { name: 'History' }).click();
    assert.deepEqual((await page.posted()).at(-1), { type: 'history', request: sent.request });
    const request: StreamRequest = { url: 'http://127.0.0.1:8000/chat', method: 'POST', headers: [], body: '{}' };
    await page.deliver([{ type: 'started', run: 1, request }]);
    await p.waitForSelector('button[title="Stop"]:not([disabled])');
    await p.getByRole('button', { name: 'Stop' }).click();
    assert.deepEqual((await page.posted()).at(-1), { type: 'stop' });
    await page.deliver([{ type: 'ended', run: 1, end: { kind: 'stopped' }, lastEventId: '7', stats: emptyStats(), textError: null }]);
    await p.waitForSelector('button[title^="Send the request again"]:not([disabled])');
    await p.getByRole('button', { name: 'Reconnect' }).click();
    assert.equal((await page.posted()).at(-1)?.type, 'reconnect');
  });

  it('restores what it showed after a reload (getState/setState), and takes a host snapshot', async function () {
    await page.deliver(await record(get(`${server.baseUrl}/tokens`)));
    await waitForStatus(page, 'ok');
    // The state is saved on a short timer; wait until it holds the finished run.
    await page.page.waitForFunction(() =>
      ((globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('vscode-state') ?? '').includes(
        '"completed"',
      ),
    );
    await page.reload();
    await waitForStatus(page, 'ok');
    assert.equal(await page.page.locator('.event-row').count(), 5);
    assert.equal(await text(page, '.assembled-text'), 'Hello, world!');
    assert.equal(await page.page.locator('input.url').inputValue(), `${server.baseUrl}/tokens`);
  });
});

function emptyStats(events = 0): StreamStats {
  return {
    headersMs: 1,
    firstByteMs: 2,
    firstEventMs: 2,
    firstTokenMs: 2,
    lastEventMs: 10,
    events,
    comments: 0,
    chunks: 1,
    bytes: 0,
    tokens: events,
    tokensPerSecond: null,
    countsByType: { token: events },
    recentGapsMs: [],
    maxGapMs: 0,
    retryMs: null,
  };
}

/** `batches` batch messages of `size` token events each, as the host posts them at a high rate. */
export function syntheticBatches(batches: number, size: number): HostMessage[] {
  const request: StreamRequest = { url: 'http://127.0.0.1:8000/fast', method: 'GET', headers: [] };
  const messages: HostMessage[] = [{ type: 'started', run: 1, request }];
  let seq = 0;
  for (let b = 0; b < batches; b++) {
    const events: EventView[] = [];
    let text = '';
    for (let i = 0; i < size; i++, seq++) {
      events.push({ seq, event: 'token', id: String(seq), tMs: seq * 0.05, chunk: seq >> 4, data: `{"text":"t${seq}"}` });
      text += `t${seq}`;
    }
    messages.push({ type: 'batch', run: 1, events, text, textReplaced: false, textFormat: 'catalyst', ...NO_PARTS, notices: [], stats: emptyStats(seq) });
  }
  messages.push({ type: 'ended', run: 1, end: { kind: 'completed' }, lastEventId: String(seq - 1), stats: emptyStats(seq), textError: null });
  return messages;
}
