/**
 * The SSE client core against real uvicorn endpoints (test/fixtures/sse/app.py), one per robustness case.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { openStream, type StreamListener } from '../../src/core/sse/connection';
import type { SseEvent, StreamNotice, StreamRequest } from '../../src/protocol/stream';
import { StreamSession } from '../../src/core/sse/session';
import { freePort } from '../../src/core/net/ports';
import { startUvicorn, type RunningServer } from '../support/uvicorn';

const fixtures = path.resolve(__dirname, '../fixtures/sse');

function get(url: string, extra: Partial<StreamRequest> = {}): StreamRequest {
  return { url, method: 'GET', headers: [], ...extra };
}

/** Runs a request to its end, collecting everything the listener heard. */
async function collect(request: StreamRequest, signal?: AbortSignal, onEvent?: (e: SseEvent) => void) {
  const events: SseEvent[] = [];
  const notices: StreamNotice[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const chunks: number[] = [];
  const listener: StreamListener = {
    onEvent: (event) => {
      events.push(event);
      onEvent?.(event);
    },
    onNotice: (notice) => notices.push(notice),
    onComment: (comment) => comments.push(comment),
    onRetry: (ms) => retries.push(ms),
    onChunk: (chunk) => chunks.push(chunk.index),
  };
  const result = await openStream(request, listener, signal ? { signal } : {});
  return { result, events, notices, comments, retries, chunks };
}

describe('SSE client against uvicorn', function () {
  let server: RunningServer;

  before(async function () {
    server = await startUvicorn({ cwd: fixtures, app: 'app:app' });
  });

  after(async function () {
    await server?.stop();
  });

  it('reads events with type, last event id, arrival time and chunk index, and completes', async function () {
    const { result, events } = await collect(get(`${server.baseUrl}/tokens`));
    assert.deepEqual(result.outcome, { kind: 'completed' });
    assert.deepEqual(
      events.map((e) => [e.event, e.id]),
      [
        ['token', '1'],
        ['token', '2'],
        ['token', '3'],
        ['token', '4'],
        ['done', '4'],
      ],
      'the done event has no id: the last event id carries over, as in the spec',
    );
    assert.equal(result.lastEventId, '4');
    assert.deepEqual(
      events.map((e) => e.seq),
      [0, 1, 2, 3, 4],
    );
    for (let i = 1; i < events.length; i++) {
      assert.ok(events[i]!.tMs >= events[i - 1]!.tMs, 'arrival times never go back');
      assert.ok(events[i]!.chunk >= events[i - 1]!.chunk, 'chunk indexes never go back');
    }
    assert.ok(events[3]!.chunk > events[0]!.chunk, 'the server pauses between tokens: they did not all come in one chunk');
  });

  it('assembles the text and times the stream in a session', async function () {
    const session = new StreamSession(get(`${server.baseUrl}/tokens`));
    const result = await session.run();
    assert.equal(result.outcome.kind, 'completed');
    assert.equal(session.text.text, 'Hello, world!');
    assert.equal(session.text.format, 'catalyst');
    assert.equal(session.text.done, true);
    const stats = session.stats.snapshot();
    assert.equal(stats.events, 5);
    assert.equal(stats.tokens, 4);
    assert.deepEqual(stats.countsByType, { token: 4, done: 1 });
    assert.ok(stats.headersMs !== null && stats.firstByteMs !== null && stats.firstTokenMs !== null);
    assert.ok(stats.headersMs <= stats.firstByteMs && stats.firstByteMs <= stats.firstTokenMs);
    assert.ok(stats.tokensPerSecond !== null && stats.tokensPerSecond > 0);
    assert.deepEqual(
      session.headerChecks.filter((c) => c.level !== 'ok').map((c) => c.header),
      [],
    );
    assert.equal(session.bufferingWarning, null, 'a stream that streams is not called buffered');
  });

  it('POSTs a JSON body with custom headers, and Reconnect sends Last-Event-ID', async function () {
    const { result, events } = await collect({
      url: `${server.baseUrl}/echo`,
      method: 'POST',
      headers: [['X-Custom', 'yes']],
      body: '{"prompt":"hi"}',
      lastEventId: '41',
    });
    assert.equal(result.outcome.kind, 'completed');
    assert.deepEqual(JSON.parse(events[0]!.data), { method: 'POST', body: { prompt: 'hi' } });
    assert.deepEqual(JSON.parse(events[1]!.data), {
      accept: 'text/event-stream',
      'content-type': 'application/json',
      'last-event-id': '41',
      'x-custom': 'yes',
    });
    assert.equal(events[0]!.id, '41', 'the last event id starts from the one we reconnected with');
  });

  it('reports an HTTP error status with the body', async function () {
    const { result } = await collect(get(`${server.baseUrl}/http-error`));
    assert.equal(result.outcome.kind, 'failed');
    const failure = result.outcome.kind === 'failed' ? result.outcome.failure : undefined;
    assert.equal(failure?.kind, 'http-status');
    assert.match(failure!.message, /503 Service Unavailable: \{"detail":"model overloaded"\}/);
  });

  it('refuses a non-SSE content type and shows the first bytes', async function () {
    const { result } = await collect(get(`${server.baseUrl}/not-sse`));
    const failure = result.outcome.kind === 'failed' ? result.outcome.failure : undefined;
    assert.equal(failure?.kind, 'not-sse');
    assert.match(failure!.message, /text\/plain; charset=utf-8/);
    assert.match(failure!.message, /<html>this is a page, not a stream<\/html>/);
  });

  it('reports malformed lines and a bad retry, and keeps reading', async function () {
    const { result, events, notices } = await collect(get(`${server.baseUrl}/malformed`));
    assert.equal(result.outcome.kind, 'completed');
    assert.deepEqual(
      events.map((e) => e.data),
      ['first', 'second', 'third'],
    );
    assert.deepEqual(
      notices.map((n) => n.kind),
      ['malformed-line', 'malformed-line', 'invalid-retry'],
    );
    assert.match(notices[0]!.message, /unknown field "bogus"/);
    assert.match(notices[1]!.message, /this line has no colon/);
  });

  it('reads a single 5 MB event whole', async function () {
    const { result, events, chunks } = await collect(get(`${server.baseUrl}/big`));
    assert.equal(result.outcome.kind, 'completed');
    assert.equal(events.length, 2);
    assert.equal(events[0]!.data.length, 5 * 1024 * 1024);
    assert.ok(chunks.length > 1, 'it spanned several network chunks');
    assert.equal(events[1]!.data, 'small');
  });

  for (const style of ['lf', 'crlf', 'cr'] as const) {
    it(`handles ${style.toUpperCase()} line endings, a BOM, comments, retry and a character split across chunks`, async function () {
      const { result, events, comments, retries } = await collect(get(`${server.baseUrl}/line-endings/${style}`));
      assert.equal(result.outcome.kind, 'completed');
      assert.deepEqual(comments, ['a comment'], 'the BOM was skipped, so the first line is a comment');
      assert.deepEqual(retries, [3000]);
      assert.deepEqual(
        events.map((e) => [e.event, e.id, e.data]),
        [
          ['tick', '0', 'line 0\nsecond line'],
          ['tick', '1', 'line 1\nsecond line'],
          ['tick', '2', 'line 2\nsecond line'],
          ['message', '2', 'café ✓'],
        ],
      );
    });
  }

  it('discards an event cut off by the end of the stream, and says so', async function () {
    const { result, events, notices } = await collect(get(`${server.baseUrl}/truncated`));
    assert.equal(result.outcome.kind, 'completed');
    assert.deepEqual(
      events.map((e) => e.data),
      ['whole'],
    );
    assert.deepEqual(
      notices.map((n) => n.kind),
      ['unterminated-event'],
    );
  });

  it('Stop aborts the request and the server sees the disconnect', async function () {
    const controller = new AbortController();
    const { result, events } = await collect(get(`${server.baseUrl}/forever`), controller.signal, (event) => {
      if (event.seq === 2) {
        controller.abort();
      }
    });
    assert.deepEqual(result.outcome, { kind: 'stopped' });
    assert.equal(events.length, 3);
    assert.equal(result.lastEventId, '2');
    const deadline = Date.now() + 10_000;
    for (;;) {
      const seen = (await (await fetch(`${server.baseUrl}/disconnects`)).json()) as string[];
      if (seen.includes('forever')) {
        break;
      }
      assert.ok(Date.now() < deadline, 'the server never noticed the client went away');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it('detects buffering: silence, then many events in one burst', async function () {
    const warnings: unknown[] = [];
    const session = new StreamSession(get(`${server.baseUrl}/burst`), { onBuffering: (w) => warnings.push(w) });
    await session.run();
    assert.equal(warnings.length, 1);
    assert.ok(session.bufferingWarning!.burstEvents >= 30, `burst of ${session.bufferingWarning!.burstEvents}`);
    assert.ok(session.bufferingWarning!.silenceMs >= 400);
  });

  it('flags gzip (not the Connection header HTTP/1.1 allows), and the buffering gzip causes', async function () {
    const session = new StreamSession(get(`${server.baseUrl}/gzip/tokens`));
    const result = await session.run();
    assert.equal(result.outcome.kind, 'completed');
    assert.equal(session.stats.snapshot().events, 20, 'fetch decompresses: all events are read');
    const flagged = session.headerChecks.filter((c) => c.level === 'warning').map((c) => c.header);
    assert.deepEqual(flagged, ['Content-Encoding']);
    assert.match(session.bufferingWarning?.causes[0] ?? '', /Content-Encoding: gzip/);
  });

  it('says when the connection is refused', async function () {
    const port = await freePort();
    const { result } = await collect(get(`http://127.0.0.1:${port}/stream`));
    const failure = result.outcome.kind === 'failed' ? result.outcome.failure : undefined;
    assert.equal(failure?.kind, 'connection-refused');
    assert.match(failure!.message, /connection refused/);
  });

  it('refuses a URL that is not http(s) without sending anything', async function () {
    for (const url of ['ftp://127.0.0.1/stream', 'file:///etc/passwd', 'not a url']) {
      const { result } = await collect(get(url));
      const failure = result.outcome.kind === 'failed' ? result.outcome.failure : undefined;
      assert.equal(failure?.kind, 'invalid-url', url);
    }
  });
});

describe('SSE client when the server dies mid-stream', function () {
  it('reports "stream ended unexpectedly" after the events that arrived', async function () {
    const server = await startUvicorn({ cwd: fixtures, app: 'app:app' });
    try {
      const { result, events } = await collect(get(`${server.baseUrl}/die`));
      assert.deepEqual(
        events.map((e) => JSON.parse(e.data) as unknown),
        [{ n: 1 }, { n: 2 }],
      );
      const failure = result.outcome.kind === 'failed' ? result.outcome.failure : undefined;
      assert.equal(failure?.kind, 'unexpected-end');
      assert.match(failure!.message, /stream ended unexpectedly after 2 event/);
    } finally {
      await server.stop();
    }
  });
});
