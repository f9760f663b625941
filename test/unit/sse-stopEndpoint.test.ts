/**
 * Where a running stream can be stopped (stopEndpoint.ts), and the Stream Preview's Stop that uses it
 * (preview/stop.ts) against a server in this process that plays a resumable route and its stop endpoint.
 */
import * as assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatIdOf, resumableStreamId, stopRequest, stopTarget } from '../../src/core/sse/stopEndpoint';
import { runPreview, RunStopper } from '../../src/core/sse/preview';
import type { HostMessage } from '../../src/protocol/preview';
import type { StreamRequest } from '../../src/protocol/stream';

const ID = '0123456789abcdef0123456789abcdef';
const GET = (url: string, headers: StreamRequest['headers'] = []): StreamRequest => ({ url, method: 'GET', headers });

describe('stopEndpoint: is a stream resumable, and where is its stop', () => {
  it('takes the stream id from x-stream-id, else from an event id <id>:<seq>', () => {
    assert.equal(resumableStreamId([['X-Stream-Id', ID]], null), ID);
    assert.equal(resumableStreamId([], `${ID}:12`), ID);
    assert.equal(resumableStreamId([['x-stream-id', 'not-an-id']], `${ID}:0`), ID);
    for (const id of [null, '12', `${ID}:`, `${ID}:1a`, `${ID.toUpperCase()}:1`, `${ID}0:1`, `:${ID}`, ID]) {
      assert.equal(resumableStreamId([], id), undefined, String(id));
    }
  });

  it('sse and openai: POST {route}/{stream id}/stop on the URL without its query or trailing slash', () => {
    const target = stopTarget(GET('http://127.0.0.1:8000/stream/?q=1#x'), { headers: [['x-stream-id', ID]], eventId: null });
    assert.deepEqual(target, { url: `http://127.0.0.1:8000/stream/${ID}/stop`, by: 'stream', id: ID });
    assert.equal(stopTarget(GET('http://127.0.0.1:8000/stream'), { headers: [], eventId: '7' }), undefined);
  });

  it('ai-sdk: POST {api}/{chat id}/stop with the body id, escaped; no id, no stop', () => {
    const chat = (body: string | undefined, protocol?: 'ai-sdk') =>
      stopTarget(
        { url: 'http://127.0.0.1:8000/api/chat', method: 'POST', headers: [], ...(body === undefined ? {} : { body }) },
        {
          headers: [['x-stream-id', ID], ...(protocol ? [] : ([['x-vercel-ai-ui-message-stream', 'v1']] as const))],
          protocol: protocol ?? null,
          eventId: null,
        },
      );
    assert.deepEqual(chat('{"id": "a b/c?", "messages": []}'), { url: 'http://127.0.0.1:8000/api/chat/a%20b%2Fc%3F/stop', by: 'chat', id: 'a b/c?' });
    assert.equal(chat('{"id": "x"}', 'ai-sdk')?.url, 'http://127.0.0.1:8000/api/chat/x/stop');
    for (const body of [undefined, '', '{"messages": []}', '{"id": ""}', '{"id": 3}', '[{"id": "x"}]', 'not json']) {
      assert.equal(chat(body), undefined, String(body));
      assert.equal(chatIdOf({ url: '', method: 'POST', headers: [], ...(body === undefined ? {} : { body }) }), undefined);
    }
  });

  it('goes where the response came from after redirects', () => {
    const redirects = [{ status: 307, from: 'http://127.0.0.1:1/a', to: 'http://127.0.0.1:2/b/', crossOrigin: true, droppedHeaders: [] }];
    assert.equal(stopTarget(GET('http://127.0.0.1:1/a'), { headers: [['x-stream-id', ID]], redirects, eventId: null })?.url, `http://127.0.0.1:2/b/${ID}/stop`);
  });

  it("keeps the request's own headers on its origin only, never the stream's body or resume headers", () => {
    const request = GET('http://127.0.0.1:8000/stream', [
      ['Authorization', 'Bearer t'],
      ['Content-Type', 'application/json'],
      ['Last-Event-ID', `${ID}:3`],
      ['Accept', 'text/event-stream'],
      ['X-Team', 'a'],
    ]);
    const here = stopRequest(request, { url: `http://127.0.0.1:8000/stream/${ID}/stop`, by: 'stream', id: ID });
    assert.deepEqual(here, {
      url: `http://127.0.0.1:8000/stream/${ID}/stop`,
      method: 'POST',
      headers: [
        ['Authorization', 'Bearer t'],
        ['X-Team', 'a'],
      ],
    });
    assert.deepEqual(stopRequest(request, { url: `http://127.0.0.1:9/stream/${ID}/stop`, by: 'stream', id: ID }).headers, []);
  });
});

describe('RunStopper: the preview Stop on a resumable route asks the server first', function () {
  let server: http.Server;
  let base: string;
  /** What the fake stop endpoint answers, and the stop requests it got. */
  let stopStatus = 200;
  let endOnStop = true;
  const stops: { url: string; authorization: string | undefined }[] = [];
  let streams: http.ServerResponse[] = [];

  before(async () => {
    server = http.createServer((request, response) => {
      if (request.method === 'POST') {
        stops.push({ url: request.url ?? '', authorization: request.headers.authorization });
        if (endOnStop) {
          for (const stream of streams) {
            stream.end('event: done\ndata: {"finish_reason": "stopped"}\n\n');
          }
        }
        response.writeHead(stopStatus, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const resumable = request.url !== '/plain';
      response.writeHead(200, { 'content-type': 'text/event-stream', ...(resumable ? { 'x-stream-id': ID } : {}) });
      response.write(`id: ${resumable ? `${ID}:0` : '0'}\nevent: token\ndata: {"text": "a"}\n\n`);
      streams.push(response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    stops.length = 0;
    streams = [];
    server.closeAllConnections();
    [stopStatus, endOnStop] = [200, true];
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  /** Runs the preview on `path`, presses Stop after the first event; the Stop's outcome and the run's end. */
  async function pressStop(path: string, graceMs = 2000) {
    const request = GET(`${base}${path}`, [['Authorization', 'Bearer t']]);
    const stopper = new RunStopper(request, { graceMs });
    const messages: HostMessage[] = [];
    let stopped: Promise<string> | undefined;
    const result = await runPreview({
      run: 1,
      request,
      stopper,
      batchIntervalMs: 1,
      post: (message) => {
        messages.push(message);
        if (message.type === 'batch' && message.events.length > 0) {
          stopped ??= stopper.stop();
        }
      },
    });
    const ended = messages.find((m) => m.type === 'ended');
    return { outcome: await stopped, end: result.outcome, events: ended?.type === 'ended' ? ended.stats.events : -1 };
  }

  it('resumable: POSTs the stop with the request headers; the stream ends with the final event and counts as stopped', async () => {
    assert.deepEqual(await pressStop('/stream'), { outcome: 'stopped-by-server', end: { kind: 'stopped' }, events: 2 });
    assert.deepEqual(stops, [{ url: `/stream/${ID}/stop`, authorization: 'Bearer t' }]);
  });

  it('a failed stop (404) closes the connection at once', async () => {
    [stopStatus, endOnStop] = [404, false];
    assert.deepEqual(await pressStop('/stream'), { outcome: 'aborted', end: { kind: 'stopped' }, events: 1 });
    assert.equal(stops.length, 1);
  });

  it('a stream that does not end within the grace closes the connection', async () => {
    endOnStop = false;
    assert.deepEqual(await pressStop('/stream', 200), { outcome: 'aborted', end: { kind: 'stopped' }, events: 1 });
  });

  it('a plain stream: no stop request, the connection closes', async () => {
    assert.deepEqual(await pressStop('/plain'), { outcome: 'aborted', end: { kind: 'stopped' }, events: 1 });
    assert.deepEqual(stops, []);
  });

  it('after the run ended, Stop does nothing', async () => {
    const stopper = new RunStopper(GET(`${base}/stream`));
    await stopper.settle({ outcome: { kind: 'completed' }, lastEventId: null, events: 0 });
    assert.equal(await stopper.stop(), 'already-ended');
    assert.deepEqual(stops, []);
  });
});
