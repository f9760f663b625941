/**
 * checkResponseHeaders (src/core/sse/headers.ts): the exact checks, values and messages for each header case.
 * Each test names the Stryker mutants it kills (`npm run test:mutation -- sse --mutate src/core/sse/headers.ts`).
 */
import assert from 'node:assert/strict';
import { checkResponseHeaders } from '../../src/core/sse/headers';

describe('checkResponseHeaders messages (mutation-tested)', () => {
  // Kills: the Content-Type error, Cache-Control warning and X-Accel-Buffering info messages -> ''.
  it('no headers: an error, a warning and a hint', () => {
    assert.deepEqual(checkResponseHeaders([]), [
      {
        header: 'Content-Type',
        level: 'error',
        value: null,
        message: 'Not text/event-stream: EventSource rejects the response and proxies may buffer it whole',
      },
      {
        header: 'Cache-Control',
        level: 'warning',
        value: null,
        message: 'Missing no-cache: a proxy or CDN may cache or hold back the stream. Send "Cache-Control: no-cache"',
      },
      {
        header: 'X-Accel-Buffering',
        level: 'info',
        value: null,
        message: 'Missing: behind nginx, proxy_buffering holds events back until its buffer fills. Send "X-Accel-Buffering: no"',
      },
    ]);
  });

  // Kills: the default version '1.1' -> '', the ', ' join -> '', the ok messages -> '', ' or transformed' and
  // 'no-transform' -> '', and the trims of X-Accel-Buffering, Content-Encoding and Connection -> untrimmed.
  it('a good stream: values joined, padded values trimmed, close on HTTP/1.1', () => {
    const checks = checkResponseHeaders([
      ['Content-Type', 'text/event-stream; charset=utf-8'],
      ['Cache-Control', 'no-cache'],
      ['cache-control', 'no-transform'],
      ['X-Accel-Buffering', ' No '],
      ['Content-Encoding', ' identity '],
      ['Connection', ' close '],
    ]);
    assert.deepEqual(checks, [
      {
        header: 'Content-Type',
        level: 'ok',
        value: 'text/event-stream; charset=utf-8',
        message: 'text/event-stream: clients and proxies treat the response as a stream',
      },
      { header: 'Cache-Control', level: 'ok', value: 'no-cache, no-transform', message: 'The stream is not cached or transformed' },
      { header: 'X-Accel-Buffering', level: 'ok', value: ' No ', message: 'no: nginx passes events through as they come' },
      {
        header: 'Connection',
        level: 'info',
        value: ' close ',
        message: '"close" on HTTP/1.1: fine for one stream, but the connection is not reused afterwards',
      },
    ]);
  });

  // Kills: the no-transform advice, the buffering and compression warnings -> '', the HTTP/2 Connection warning,
  // and `connection !== null` -> true (no Connection header on HTTP/2 is no finding).
  it('buffering headers on HTTP/2', () => {
    const checks = checkResponseHeaders(
      [
        ['content-type', 'text/event-stream'],
        ['cache-control', 'no-store'],
        ['x-accel-buffering', 'yes'],
        ['content-encoding', 'gzip'],
        ['connection', 'keep-alive'],
      ],
      '2',
    );
    assert.deepEqual(
      checks.map((c) => [c.header, c.level, c.message]),
      [
        ['Content-Type', 'ok', 'text/event-stream: clients and proxies treat the response as a stream'],
        ['Cache-Control', 'ok', 'The stream is not cached. Adding no-transform also tells proxies not to compress or rewrite it'],
        ['X-Accel-Buffering', 'warning', '"yes": nginx will buffer this stream; send "no"'],
        [
          'Content-Encoding',
          'warning',
          'gzip: compressors buffer output until a block fills, so events arrive in bursts. Exclude text/event-stream from compression (e.g. GZipMiddleware)',
        ],
        [
          'Connection',
          'warning',
          '"keep-alive": connection-specific headers are forbidden in HTTP/2; a proxy or browser may reject the response. Send it on HTTP/1.x only',
        ],
      ],
    );
    assert.deepEqual(
      checkResponseHeaders([['content-type', 'text/event-stream']], '3').map((c) => c.header),
      ['Content-Type', 'Cache-Control', 'X-Accel-Buffering'],
    );
  });
});
