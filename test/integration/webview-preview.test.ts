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
    assert.match(await text(page, '.status'), /Stream ended normally · 5 events/);
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
    // JSON data is pretty-printed when opened.
    await page.page.locator('.event-row[data-seq="4"] .event-data').click();
    assert.equal(await text(page, '.event-row[data-seq="4"] .event-pretty'), '{\n  "text": "Hello, world!",\n  "token_count": 4\n}');
    assert.equal(await page.page.locator('.event-row[data-seq="3"] .event-pretty').count(), 0, 'other rows stay closed');
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
      ['openai', () => post(`${server.baseUrl}/v1/chat/completions`, { model: 'm', stream: true, messages: [{ role: 'user', content: 'Bonjour' }] })],
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
        await page.page.screenshot({ path: path.join(artifacts, `webview-protocol-${protocol}.png`) });
      });
    }

    it('a plain token stream shows no reasoning or tool-call sections', async function () {
      await page.deliver(await record(get(`${server.baseUrl}/tokens`)));
      await waitForStatus(page, 'ok');
      assert.equal(await page.page.locator('.reasoning-section').isVisible(), false);
      assert.equal(await page.page.locator('.tool-section').isVisible(), false);
      assert.equal(await text(page, '.protocol-badge'), 'sse');
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

  it('keeps a bounded window of rendered events and counts every event', async function () {
    const messages = syntheticBatches(40, 500);
    await page.deliver(messages);
    await waitForStatus(page, 'ok');
    const rows = await page.page.locator('.event-row').count();
    assert.ok(rows > 0 && rows <= 500, `${rows} rows rendered`);
    assert.equal(await text(page, '.event-list > :last-child .event-data'), '{"text":"t19999"}', 'the newest event is the last row');
    const [row, list] = await Promise.all([page.page.locator('.event-list > :last-child').boundingBox(), page.page.locator('.event-list').boundingBox()]);
    assert.ok(row && list && row.y + row.height <= list.y + list.height + 1, 'the list follows the newest row into view');
    // Events that came faster than a frame can draw rows are summarised by gap rows; the counts have them all.
    const skipped = await page.page.locator('.event-gap').evaluateAll((gaps) => gaps.map((g) => Number(g.getAttribute('data-skipped'))));
    assert.ok(rows + skipped.reduce((a, b) => a + b, 0) <= 20_000);
    assert.match(await text(page, '.events-column .hidden-note'), /^19,500 earlier events hidden/);
    assert.equal(await stat(page, 'Events'), '20,000');
    await page.page.screenshot({ path: path.join(artifacts, 'webview-high-rate.png') });
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
