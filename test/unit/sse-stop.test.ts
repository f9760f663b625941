/**
 * Stop means stop: events still in the chunk being parsed when the caller aborts are not delivered. A server
 * in this process sends five events in one write (one network chunk), so the abort at the third lands mid-chunk.
 */
import * as assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openStream } from '../../src/core/sse/connection';
import type { SseEvent } from '../../src/protocol/stream';

describe('openStream stopped mid-chunk', function () {
  let server: http.Server;
  let url: string;

  before(async () => {
    server = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      // Five events in one write; the response then stays open until the client goes.
      response.write([0, 1, 2, 3, 4].map((i) => `id: ${i}\ndata: event ${i}\n\n`).join(''));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('delivers no event after the abort, and the last id is the last delivered one', async () => {
    const controller = new AbortController();
    const events: SseEvent[] = [];
    const result = await openStream(
      { url, method: 'GET', headers: [] },
      {
        onEvent: (event) => {
          events.push(event);
          if (event.seq === 2) {
            controller.abort();
          }
        },
      },
      { signal: controller.signal },
    );
    assert.deepEqual(result.outcome, { kind: 'stopped' });
    assert.deepEqual(
      events.map((e) => e.data),
      ['event 0', 'event 1', 'event 2'],
    );
    assert.equal(result.lastEventId, '2');
    assert.equal(new Set(events.map((e) => e.chunk)).size, 1, 'the five events came in one chunk');
  });
});
