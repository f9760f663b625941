/**
 * openStream against a tiny node:http server on 127.0.0.1: every outcome (completed, http-status, not-sse,
 * connection refused, stopped, idle timeout, unexpected end), the request it sends, and the notices it raises.
 * connection.ts had no unit test (only integration tests against uvicorn), so Stryker saw none of its mutants
 * killed; these kill them (`npm run test:mutation -- sse`).
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { withServer } from '../support/httpServer';
import { checkUrl, openStream, requestHeaders, type StreamListener } from '../../src/core/sse/connection';
import { mediaType } from '../../src/core/sse/headers';
import type { SseEvent, StreamNotice, StreamRequest } from '../../src/protocol/stream';
import { runPreview, toEventView, type Transcript } from '../../src/core/sse/preview';
import { StreamSession } from '../../src/core/sse/session';
import { EVENT_PREVIEW_CHARS, type HostMessage } from '../../src/protocol/preview';

const request = (url: string, extra: Partial<StreamRequest> = {}): StreamRequest => ({ url, method: 'GET', headers: [], ...extra });

/** A listener that records everything. */
function recorder() {
  const events: SseEvent[] = [];
  const notices: StreamNotice[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const chunks: number[] = [];
  const heads: { status: number; httpVersion: string }[] = [];
  const listener: StreamListener = {
    onResponse: (head) => heads.push({ status: head.status, httpVersion: head.httpVersion }),
    onChunk: (chunk) => chunks.push(chunk.index),
    onEvent: (event) => events.push(event),
    onComment: (comment) => comments.push(comment),
    onRetry: (ms) => retries.push(ms),
    onNotice: (notice) => notices.push(notice),
  };
  return { listener, events, notices, comments, retries, chunks, heads };
}

const sse = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'Text/Event-Stream; charset=utf-8' });

describe('openStream (mutation-tested, against 127.0.0.1)', () => {
  // Kills: checkUrl's scheme checks and messages, mediaType's split/trim/lower-case.
  it('checks URLs and media types', async () => {
    assert.deepEqual(checkUrl('nope'), { kind: 'invalid-url', message: '"nope" is not a URL; expected http:// or https://' });
    assert.deepEqual(checkUrl('ftp://x/'), {
      kind: 'invalid-url',
      message: '"ftp://x/" is not an http(s) URL (scheme "ftp"); expected http:// or https://',
    });
    assert.ok(checkUrl('https://x/') instanceof URL);
    assert.ok(checkUrl('http://x/') instanceof URL);
    assert.equal(mediaType(' Text/Event-Stream ; charset=utf-8'), 'text/event-stream');
    assert.equal(mediaType(''), '');
    const result = await openStream(request('file:///etc/passwd'), {});
    assert.deepEqual(result, { outcome: { kind: 'failed', failure: checkUrl('file:///etc/passwd') }, lastEventId: null, events: 0 });
  });

  // Kills: requestHeaders' defaults (each `!headers.has(...)`, the body and lastEventId conditions).
  it('sends the SSE defaults unless the user set them, a JSON content type with a body, and Last-Event-ID', () => {
    const plain = requestHeaders({ url: 'http://x/', method: 'GET', headers: [] });
    assert.deepEqual(
      [...plain],
      [
        ['accept', 'text/event-stream'],
        ['cache-control', 'no-cache'],
      ],
    );
    const own = requestHeaders({
      url: 'http://x/',
      method: 'POST',
      headers: [
        ['Accept', '*/*'],
        ['Cache-Control', 'max-age=0'],
        ['Content-Type', 'text/plain'],
        ['X-A', '1'],
        ['X-A', '2'],
      ],
      body: 'hi',
      lastEventId: '7',
    });
    assert.deepEqual(
      [...own],
      [
        ['accept', '*/*'],
        ['cache-control', 'max-age=0'],
        ['content-type', 'text/plain'],
        ['last-event-id', '7'],
        ['x-a', '1, 2'],
      ],
    );
    assert.equal(requestHeaders({ url: 'http://x/', method: 'POST', headers: [], body: '' }).has('content-type'), false);
    assert.equal(requestHeaders({ url: 'http://x/', method: 'POST', headers: [], body: '{}' }).get('content-type'), 'application/json');
  });

  // Kills: the whole reading loop: events with their type, id (kept across events), data, chunk index and seq;
  // comments, retry, the method upper-cased, the body sent only with a method that has one.
  it('reads events, ids, comments and retry as they arrive, chunk by chunk', () => {
    // The server writes its next chunk only once the client has read the previous one: one chunk each.
    let received = () => undefined as void;
    const next = () => new Promise<void>((resolve) => (received = resolve));
    return withServer(
      async (req, res, body) => {
        sse(res);
        let read = next();
        res.write(`: ${req.method} ${body} ${req.headers['last-event-id'] ?? '-'}\n\n`);
        await read;
        read = next();
        res.write('retry: 1500\nid: 1\nevent: token\ndata: a\n\n');
        await read;
        res.end('data: b\ndata: c\n\n');
      },
      async (url) => {
        const log = recorder();
        const listener: StreamListener = { ...log.listener, onChunk: (chunk) => (log.listener.onChunk!(chunk), setTimeout(() => received(), 5)) };
        const result = await openStream(request(url, { method: 'post', body: '{"q":1}', lastEventId: '0' }), listener);
        assert.deepEqual(result, { outcome: { kind: 'completed' }, lastEventId: '1', events: 2 });
        assert.deepEqual(log.comments, ['POST {"q":1} 0']);
        assert.deepEqual(log.retries, [1500]);
        assert.deepEqual(
          log.events.map((e) => [e.seq, e.event, e.data, e.id, e.chunk]),
          [
            [0, 'token', 'a', '1', 1],
            [1, 'message', 'b\nc', '1', 2],
          ],
        );
        assert.deepEqual(log.chunks, [0, 1, 2]);
        assert.deepEqual(log.heads, [{ status: 200, httpVersion: '1.1' }]);
        assert.ok(log.events[1]!.tMs >= log.events[0]!.tMs);
        const get = recorder();
        await openStream(request(url, { method: 'get', body: 'ignored' }), { ...get.listener, onChunk: () => setTimeout(() => received(), 5) });
        assert.deepEqual(get.comments, ['GET  -']);
      },
    );
  });

  // Kills: the notices: an event cut off by the end (draining), malformed lines (unknown field, bad retry, the
  // 200-character truncation), and a final CR taken as a line ending.
  it('reports malformed lines and an event cut off by the end; a final CR ends a line', () =>
    withServer(
      (_req, res) => {
        sse(res);
        res.write(`bogus: x\nretry: soon\n${'x'.repeat(300)}: y\ndata: ok\n\ndata: cut`);
        res.end('\r');
      },
      async (url) => {
        const log = recorder();
        const result = await openStream(request(url), log.listener);
        assert.deepEqual(result.outcome, { kind: 'completed' });
        assert.deepEqual(
          log.events.map((e) => e.data),
          ['ok'],
        );
        assert.deepEqual(
          log.notices.map((n) => [n.kind, n.message]),
          [
            ['malformed-line', 'Ignored a malformed line (unknown field "bogus"): bogus: x'],
            ['invalid-retry', 'Ignored a malformed line (retry value "soon" is not a number of milliseconds): retry: soon'],
            ['malformed-line', `Ignored a malformed line (unknown field "${'x'.repeat(300)}"): ${'x'.repeat(200)}\u2026`],
            ['unterminated-event', 'The stream ended in the middle of an event (3 characters of data); it was discarded, as the SSE spec requires'],
          ],
        );
      },
    ));

  // Kills: the http-status failure (status text, body excerpt, "with an empty body") and not-sse (content type
  // quoted or "missing", the excerpt cut at 4096 bytes with an ellipsis, "(nothing)").
  it('fails with what the server said: an error status, a response that is not an event stream', () =>
    withServer(
      (req, res) => {
        if (req.url === '/stream?status') {
          res.writeHead(503, 'Busy', { 'content-type': 'text/plain' }).end('  try later  ');
        } else if (req.url === '/stream?empty') {
          res.writeHead(404, '').end();
        } else if (req.url === '/stream?json') {
          res.writeHead(200, { 'content-type': 'application/json' }).end('a'.repeat(5000));
        } else {
          res.removeHeader('content-type');
          res.writeHead(200).end();
        }
      },
      async (url) => {
        const status = await openStream(request(`${url}?status`), {});
        assert.deepEqual(status.outcome, {
          kind: 'failed',
          failure: { kind: 'http-status', status: 503, body: 'try later', message: 'The server answered 503 Busy: try later' },
        });
        const empty = await openStream(request(`${url}?empty`), {});
        assert.equal(empty.outcome.kind === 'failed' && empty.outcome.failure.message, 'The server answered 404 with an empty body');
        const json = await openStream(request(`${url}?json`), {});
        assert.ok(json.outcome.kind === 'failed' && json.outcome.failure.kind === 'not-sse');
        const failure = json.outcome.failure as { contentType: string; firstBytes: string; message: string };
        assert.equal(failure.contentType, 'application/json');
        assert.equal(failure.firstBytes, `${'a'.repeat(4096)}\u2026`);
        assert.match(
          failure.message,
          /^The response is not an event stream \(Content-Type "application\/json", expected "text\/event-stream"\)\. It starts with: a{4096}\u2026$/,
        );
        const none = await openStream(request(`${url}?none`), {});
        assert.equal(
          none.outcome.kind === 'failed' && none.outcome.failure.message,
          'The response is not an event stream (Content-Type missing, expected "text/event-stream"). It starts with: (nothing)',
        );
      },
    ));

  // Kills: requestFailure's ECONNREFUSED case and message, errorCode's walk through `cause`.
  it('says the server is not running when the connection is refused', async () => {
    const port = await withServer(
      () => undefined,
      async (url) => new URL(url).port,
    );
    const result = await openStream(request(`http://127.0.0.1:${port}/stream`), {});
    assert.deepEqual(result.outcome, {
      kind: 'failed',
      failure: {
        kind: 'connection-refused',
        url: `http://127.0.0.1:${port}/stream`,
        message: `Could not connect to 127.0.0.1:${port}: connection refused. Is the server running?`,
      },
    });
  });

  // Kills: the signal handling: already aborted (no request at all), aborted while reading (stopped, not failed).
  it('stops when the signal aborts, before or during the stream', () =>
    withServer(
      (_req, res) => {
        sse(res);
        res.write('data: first\n\n');
      },
      async (url) => {
        const already = new AbortController();
        already.abort();
        assert.deepEqual(await openStream(request(url), {}, { signal: already.signal }), { outcome: { kind: 'stopped' }, lastEventId: null, events: 0 });
        const stop = new AbortController();
        const result = await openStream(request(url), { onEvent: () => stop.abort() }, { signal: stop.signal });
        assert.deepEqual(result, { outcome: { kind: 'stopped' }, lastEventId: null, events: 1 });
      },
    ));

  // Kills: the idle watch (`quietMs >= idleMs`, the re-armed timer, `idled` checked after the read) and its message.
  it('gives up after idleTimeoutMs of silence, counting the events it had', () =>
    withServer(
      (_req, res) => {
        sse(res);
        res.write('data: one\n\n');
      },
      async (url) => {
        const started = Date.now();
        const result = await openStream(request(url), {}, { idleTimeoutMs: 400 });
        assert.deepEqual(result.outcome, {
          kind: 'failed',
          failure: {
            kind: 'idle-timeout',
            idleMs: 400,
            message: `No data for 0.4 s after ${result.events} event(s): the server stopped sending without closing the stream; gave up (--idle-timeout)`,
          },
        });
        assert.ok(Date.now() - started >= 400);
        const quick = await openStream(request(url), {}, { idleTimeoutMs: 0, signal: AbortSignal.timeout(100) });
        assert.equal(quick.outcome.kind, 'stopped', 'idleTimeoutMs 0: no idle watch');
      },
    ));

  // The idle watch starts at the body's first byte: headers at once, then a first event after 3x the limit (a
  // model thinking), then events closer together than the limit, is a complete stream, not an idle timeout.
  it('counts idleTimeoutMs from the first byte of the body, not from the headers', () =>
    withServer(
      (_req, res) => {
        sse(res);
        res.flushHeaders();
        setTimeout(() => res.write('data: one\n\n'), 900);
        setTimeout(() => res.write('data: two\n\n'), 1_000);
        setTimeout(() => res.end('data: three\n\n'), 1_100);
      },
      async (url) => {
        const data: string[] = [];
        const result = await openStream(request(url), { onEvent: (event) => data.push(event.data) }, { idleTimeoutMs: 300 });
        assert.deepEqual(result.outcome, { kind: 'completed' });
        assert.deepEqual(data, ['one', 'two', 'three']);
      },
    ));

  // Kills: the unexpected-end failure (a connection closed before the chunked body ended) and its message.
  it('fails when the connection drops in the middle of the body', () => {
    let drop = () => undefined as void;
    return withServer(
      (_req, res) => {
        sse(res);
        res.write('data: one\n\n');
        drop = () => void res.socket?.destroy();
      },
      async (url) => {
        const result = await openStream(request(url), { onEvent: () => setTimeout(drop, 10) });
        assert.equal(result.events, 1);
        assert.ok(result.outcome.kind === 'failed' && result.outcome.failure.kind === 'unexpected-end', JSON.stringify(result));
        assert.match(
          result.outcome.failure.message,
          /^The stream ended unexpectedly after 1 event\(s\): the connection was closed before the response was complete \(.+\)$/,
        );
      },
    );
  });
});

describe('openStream edges (mutation-tested, against 127.0.0.1)', () => {
  // Kills: endsWithCr (a stream ending in CR: that CR ends a line), elapsed() (`now() - started`), and the
  // empty-body answers (`response.body === null` for a 204 event stream, readExcerpt of a 304).
  it('a final CR ends the blank line; times come from the injected clock; bodies that are not there', () =>
    withServer(
      (req, res) => {
        if (req.url === '/stream?cr') {
          sse(res);
          res.end('data: x\n\r');
        } else if (req.url === '/stream?204') {
          res.writeHead(204, { 'content-type': 'text/event-stream' }).end();
        } else if (req.url === '/stream?304') {
          res.writeHead(304).end();
        } else {
          res.writeHead(500, { 'content-type': 'text/plain' }).end('b'.repeat(4096));
        }
      },
      async (url) => {
        let clock = 10_000;
        const log = recorder();
        const result = await openStream(request(`${url}?cr`), log.listener, { now: () => (clock += 1) });
        assert.deepEqual(result.outcome, { kind: 'completed' });
        assert.deepEqual(
          log.events.map((e) => e.data),
          ['x'],
        );
        assert.deepEqual(log.notices, [], 'dispatched, not reported as cut off');
        assert.ok(log.events[0]!.tMs > 0 && log.events[0]!.tMs < 100, String(log.events[0]!.tMs));
        assert.deepEqual((await openStream(request(`${url}?204`), {})).outcome, { kind: 'completed' });
        const notModified = await openStream(request(`${url}?304`), {});
        assert.equal(notModified.outcome.kind === 'failed' && notModified.outcome.failure.message, 'The server answered 304 Not Modified with an empty body');
        // Exactly EXCERPT_BYTES: no ellipsis.
        const exact = await openStream(request(`${url}?exact`), {});
        assert.equal(exact.outcome.kind === 'failed' && exact.outcome.failure.message, `The server answered 500 Internal Server Error: ${'b'.repeat(4096)}`);
      },
    ));
});

describe('runPreview and StreamSession (mutation-tested, against 127.0.0.1)', () => {
  // Kills: session.ts and preview/run.ts, which no unit test ran: the messages in order (started, response with
  // the header checks, batches, buffering, ended), each batch's text, reasoning, tool calls and notices, the
  // event views (rounded time, the data cut at EVENT_PREVIEW_CHARS), stats fed by chunks, events, comments and
  // retry, and the transcript.
  it('posts started, response, batches, buffering and ended for one run', () =>
    withServer(
      async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream', server: 'nginx' });
        res.write(': hello\nretry: 900\n\n');
        res.write(`event: token\ndata: {"text":"Hel"}\n\nevent: token\ndata: {"text":"lo"}\n\n`);
        await new Promise((resolve) => setTimeout(resolve, 300));
        // A burst after a silence: buffering.
        let burst = '';
        for (let i = 0; i < 12; i++) burst += `event: token\ndata: {"text":"${i % 10}"}\n\n`;
        res.write(burst);
        res.write(`event: big\ndata: ${'x'.repeat(EVENT_PREVIEW_CHARS + 5)}\n\nbogus: 1\n\n`);
        res.end('event: done\ndata: {"text":"replaced"}\n\n');
      },
      async (url) => {
        const messages: HostMessage[] = [];
        const recorded: string[] = [];
        const result = await runPreview({
          run: 7,
          request: request(url),
          post: (message) => messages.push(structuredClone(message)),
          transcript: { add: (event: SseEvent) => recorded.push(event.event) } as unknown as Transcript,
          batchIntervalMs: 10,
        });
        assert.deepEqual(result.outcome, { kind: 'completed' });
        const types = messages.map((m) => m.type);
        assert.equal(types[0], 'started');
        assert.equal(types[1], 'response');
        assert.equal(types.at(-1), 'ended');
        assert.ok(types.includes('buffering'), types.join(' '));
        assert.ok(messages.every((m) => (m as { run: number }).run === 7));
        const response = messages[1] as Extract<HostMessage, { type: 'response' }>;
        assert.equal(response.status, 200);
        assert.ok(response.checks.some((c) => c.header === 'Content-Type' && c.level === 'ok'));
        const batches = messages.filter((m): m is Extract<HostMessage, { type: 'batch' }> => m.type === 'batch');
        const events = batches.flatMap((b) => b.events);
        assert.deepEqual(
          events.map((e) => e.event),
          ['token', 'token', ...Array<string>(12).fill('token'), 'big', 'done'],
        );
        assert.deepEqual(
          recorded,
          events.map((e) => e.event),
        );
        const big = events.find((e) => e.event === 'big')!;
        assert.equal(big.data.length, EVENT_PREVIEW_CHARS);
        assert.equal(big.fullLength, EVENT_PREVIEW_CHARS + 5);
        assert.equal(events[0]!.data, '{"text":"Hel"}');
        assert.equal(events[0]!.tMs, Math.round(events[0]!.tMs * 100) / 100);
        const last = batches.at(-1)!;
        assert.equal(last.text, 'replaced');
        assert.equal(last.textReplaced, true);
        assert.equal(last.textFormat, 'catalyst');
        const appended = batches
          .filter((b) => !b.textReplaced)
          .map((b) => b.text)
          .join('');
        assert.ok(appended.startsWith('Hello0') && 'Hello012345678901'.startsWith(appended), appended);
        assert.deepEqual(
          batches.flatMap((b) => b.notices).map((n) => n.kind),
          ['malformed-line'],
        );
        const ended = messages.at(-1) as Extract<HostMessage, { type: 'ended' }>;
        assert.deepEqual(ended.end, { kind: 'completed' });
        assert.equal(ended.stats.events, 16);
        assert.equal(ended.stats.tokens, 14);
        assert.equal(ended.stats.comments, 1);
        assert.equal(ended.stats.retryMs, 900);
        assert.ok(ended.stats.chunks >= 1 && ended.stats.bytes > EVENT_PREVIEW_CHARS);
        assert.equal(ended.textError, null);
        const buffering = messages.filter((m): m is Extract<HostMessage, { type: 'buffering' }> => m.type === 'buffering');
        assert.ok(buffering.at(-1)!.warning.burstEvents >= 12, JSON.stringify(buffering));
        assert.match(buffering[0]!.warning.causes[0]!, /reverse proxy/);
        assert.deepEqual(toEventView({ seq: 1, event: 'm', data: 'd', id: null, tMs: 1.23456, chunk: 0 }), {
          seq: 1,
          event: 'm',
          id: null,
          tMs: 1.23,
          chunk: 0,
          data: 'd',
        });
      },
    ));

  // Kills: StreamSession's listener calls (onResponse with the checks, onEvent with the text delta and parts,
  // onComment, onNotice) and bufferingWarning before a response (null).
  it('StreamSession tells its listener each event with what it added', () =>
    withServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(': c\n\nevent: token\ndata: {"text":"a"}\n\nevent: reasoning\ndata: {"text":"hm"}\n\nbad: x\n\n');
      },
      async (url) => {
        const seen: string[] = [];
        const session = new StreamSession(request(url), {
          onResponse: (head, checks) => seen.push(`response ${head.status} ${checks.length > 0}`),
          onEvent: (event, text, parts) => seen.push(`${event.event} ${text?.delta ?? '-'} ${parts?.reasoning ?? '-'}`),
          onComment: (comment) => seen.push(`comment ${comment}`),
          onNotice: (notice) => seen.push(`notice ${notice.kind}`),
        });
        assert.equal(session.bufferingWarning, null);
        await session.run();
        assert.deepEqual(seen, ['response 200 true', 'comment c', 'token a -', 'reasoning - hm', 'notice malformed-line']);
        assert.equal(session.text.text, 'a');
        assert.equal(session.stats.snapshot().tokens, 1);
        assert.ok(session.headerChecks.length > 0);
        assert.equal(session.bufferingWarning, null);
      },
    ));
});
