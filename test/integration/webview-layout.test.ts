/**
 * The Stream Preview fits where it opens (issue 23 item 3): at 320, 520 and 1,200 px, in the light, dark and
 * high-contrast themes, a full panel (an AI SDK stream with reasoning, a tool call, usage, header checks, a
 * buffering warning, the request's body and headers open) has no horizontal scroll, no toolbar element cut or
 * pushed out, a usable URL field and timing values shown whole. Screenshots go to .artifacts/webview-layout/.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { EventView, HostMessage } from '../../src/protocol/preview';
import type { StreamRequest, StreamStats } from '../../src/protocol/stream';
import { launchBrowser, openWebview, THEMES, type ThemeKind } from './webviewHarness';

const artifacts = path.resolve(__dirname, '../../.artifacts/webview-layout');
const WIDTHS = [320, 520, 1200] as const;

/** What a measurement in the page found wrong, one line each (empty: it fits). */
const MEASURE = `(() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' px of content in ' + width);
  if (document.body.scrollWidth > document.body.clientWidth) problems.push('the body scrolls sideways: ' + document.body.scrollWidth + ' in ' + document.body.clientWidth);
  const name = (e) => e.getAttribute('aria-label') || e.className || e.tagName;
  for (const e of document.querySelectorAll('.request-line select, .request-line input, .request-line button')) {
    const r = e.getBoundingClientRect();
    if (r.left < 0 || r.right > width + 0.5) problems.push('toolbar: ' + name(e) + ' reaches ' + Math.round(r.left) + '..' + Math.round(r.right) + ' of ' + width);
    if (e.scrollWidth > e.clientWidth + 1 && e.tagName === 'BUTTON') problems.push('toolbar: ' + name(e) + ' is cut (' + e.scrollWidth + ' in ' + e.clientWidth + ')');
    if (r.width === 0) problems.push('toolbar: ' + name(e) + ' is not shown');
  }
  const url = document.querySelector('input.url').getBoundingClientRect();
  if (url.width < 100) problems.push('the URL field is ' + Math.round(url.width) + ' px wide');
  for (const dd of document.querySelectorAll('.stats dd')) {
    const r = dd.getBoundingClientRect();
    if (dd.scrollWidth > dd.clientWidth + 1 || r.right > width + 0.5) problems.push('timing value ' + dd.dataset.stat + ' "' + dd.textContent + '" is cut');
  }
  for (const e of document.querySelectorAll('.status, .callout, .header-checks li, .event-list, .gap-figure, .tool-call')) {
    if (e.getBoundingClientRect().right > width + 0.5) problems.push(name(e) + ' reaches past the panel');
  }
  return problems;
})()`;

describe('Stream Preview layout: 320, 520 and 1,200 px in light, dark and high contrast', function () {
  let browser: Browser;

  before(async function () {
    browser = await launchBrowser();
    await mkdir(artifacts, { recursive: true });
  });

  after(async function () {
    await browser?.close();
  });

  for (const theme of Object.keys(THEMES) as ThemeKind[]) {
    it(theme, async function () {
      for (const width of WIDTHS) {
        const page = await openWebview(browser, { width, height: 900 }, theme);
        try {
          await page.deliver(fullStream());
          await page.page.waitForSelector('.status-ok');
          await page.page.locator('.request-details summary').click({ timeout: 5_000 });
          // The open details shrink the list; the next frame scrolls it back to its end (the list follows the
          // stream), where the last row is the finish chunk, opened in the detail pane.
          await page.page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
          await page.page.locator(`.event-row[data-seq="${LAST_SEQ}"]`).click({ timeout: 5_000 });
          assert.deepEqual(await page.page.evaluate(MEASURE), [], `${theme} at ${width} px`);
          await page.page.screenshot({ path: path.join(artifacts, `preview-${theme}-${width}.png`), fullPage: true });
        } finally {
          await page.close();
        }
      }
    });
  }
});

const request: StreamRequest = {
  url: 'http://127.0.0.1:8000/api/projects/catalyst/conversations/chat-with-a-long-name',
  method: 'POST',
  headers: [['Authorization', 'Bearer sk-test']],
  body: '{"id":"chat-1","messages":[{"id":"m1","role":"user","parts":[{"type":"text","text":"What is the weather in Paris?"}]}],"trigger":"submit-message"}',
};

function stats(events: number): StreamStats {
  return {
    headersMs: 12.4,
    firstByteMs: 13.1,
    firstEventMs: 13.3,
    firstTokenMs: 1_234.5,
    lastEventMs: 12_345.6,
    events,
    comments: 2,
    chunks: 1_234_567,
    bytes: 123_456_789,
    tokens: 123_456,
    tokensPerSecond: 12_345.6,
    countsByType: { message: events },
    recentGapsMs: Array.from({ length: 120 }, (_, i) => (i % 17 === 0 ? 350 : 20 + (i % 5) * 3)),
    maxGapMs: 12_345.6,
    retryMs: 3000,
  };
}

/** An AI SDK answer as the host posts it: every section of the panel has something to show. */
const CHUNKS = [
  { type: 'start', messageId: 'msg_1' },
  { type: 'reasoning-start', id: 'r1' },
  { type: 'reasoning-delta', id: 'r1', delta: 'The user wants the weather.' },
  { type: 'tool-input-start', toolCallId: 'call_1', toolName: 'get_weather' },
  { type: 'tool-input-delta', toolCallId: 'call_1', inputTextDelta: '{"city":"Paris"}' },
  { type: 'tool-input-available', toolCallId: 'call_1', toolName: 'get_weather', input: { city: 'Paris' } },
  { type: 'text-start', id: 't1' },
  ...Array.from({ length: 60 }, (_, i) => ({ type: 'text-delta', id: 't1', delta: `word${i} ` })),
  { type: 'text-end', id: 't1' },
  { type: 'finish', messageMetadata: { finishReason: 'stop', model: 'gpt-4o-mini-2024-07-18', usage: { inputTokens: 1_234, outputTokens: 567 } } },
];
const LAST_SEQ = CHUNKS.length - 1;

function fullStream(): HostMessage[] {
  const chunks = CHUNKS;
  const events: EventView[] = chunks.map((chunk, seq) => ({
    seq,
    event: 'message',
    id: null,
    tMs: 13 + seq * 21.7,
    chunk: seq,
    data: JSON.stringify(chunk),
    part: chunk.type,
  }));
  return [
    { type: 'started', run: 1, request },
    {
      type: 'response',
      run: 1,
      status: 200,
      headers: [
        ['content-type', 'text/event-stream; charset=utf-8'],
        ['x-vercel-ai-ui-message-stream', 'v1'],
        ['cache-control', 'no-cache, no-transform'],
        ['x-a-very-long-header-name-that-a-proxy-added-on-the-way', 'a-long-value-without-any-spaces-in-it-0123456789abcdef0123456789abcdef'],
      ],
      checks: [
        { header: 'Content-Type', level: 'ok', value: 'text/event-stream', message: 'text/event-stream' },
        { header: 'X-Accel-Buffering', level: 'warning', value: null, message: 'Missing: nginx buffers the response unless it is "no".' },
      ],
    },
    {
      type: 'buffering',
      run: 1,
      warning: { burstEvents: 30, silenceMs: 1_500, atMs: 2_000, causes: ['time.sleep() in an async generator blocks the event loop'] },
    },
    {
      type: 'batch',
      run: 1,
      events,
      text: chunks.flatMap((c) => ('delta' in c && c.type === 'text-delta' ? [c.delta] : [])).join(''),
      textReplaced: false,
      textFormat: 'vercel-ai',
      protocol: 'ai-sdk',
      reasoning: 'The user wants the weather.',
      toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', input: { city: 'Paris' }, done: true }],
      toolCallsOmitted: 0,
      notices: [],
      stats: stats(events.length),
      finish: { finishReason: 'stop', model: 'gpt-4o-mini-2024-07-18', usage: { inputTokens: 1_234, outputTokens: 567 } },
    },
    { type: 'ended', run: 1, end: { kind: 'completed' }, lastEventId: null, stats: stats(events.length), textError: null },
  ];
}
