/** Checks of an SSE response's headers: what makes a stream arrive whole, late, or not at all. */
import type { HeaderCheck } from '../../protocol/stream';

/** The HTTP version a response came over: '1.0', '1.1', '2' or '3'. */
export type HttpVersion = '1.0' | '1.1' | '2' | '3';

/** "Text/Event-Stream; charset=utf-8" -> "text/event-stream". */
export function mediaType(contentType: string): string {
  return (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
}

export function checkResponseHeaders(headers: ReadonlyArray<readonly [string, string]>, httpVersion: HttpVersion = '1.1'): HeaderCheck[] {
  const get = (name: string): string | null => {
    const values = headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
    return values.length > 0 ? values.join(', ') : null;
  };
  const checks: HeaderCheck[] = [];
  const add = (header: string, level: HeaderCheck['level'], message: string) => checks.push({ header, level, value: get(header.toLowerCase()), message });

  const contentType = get('content-type');
  if (contentType !== null && mediaType(contentType) === 'text/event-stream') {
    add('Content-Type', 'ok', 'text/event-stream: clients and proxies treat the response as a stream');
  } else {
    add('Content-Type', 'error', 'Not text/event-stream: EventSource rejects the response and proxies may buffer it whole');
  }

  const cacheControl = (get('cache-control') ?? '').toLowerCase();
  if (cacheControl.includes('no-cache') || cacheControl.includes('no-store')) {
    add(
      'Cache-Control',
      'ok',
      `The stream is not cached${cacheControl.includes('no-transform') ? ' or transformed' : '. Adding no-transform also tells proxies not to compress or rewrite it'}`,
    );
  } else {
    add('Cache-Control', 'warning', 'Missing no-cache: a proxy or CDN may cache or hold back the stream. Send "Cache-Control: no-cache"');
  }

  const accel = get('x-accel-buffering');
  if (accel === null) {
    add('X-Accel-Buffering', 'info', 'Missing: behind nginx, proxy_buffering holds events back until its buffer fills. Send "X-Accel-Buffering: no"');
  } else if (accel.trim().toLowerCase() === 'no') {
    add('X-Accel-Buffering', 'ok', 'no: nginx passes events through as they come');
  } else {
    add('X-Accel-Buffering', 'warning', `"${accel}": nginx will buffer this stream; send "no"`);
  }

  const encoding = get('content-encoding');
  if (encoding !== null && encoding.trim().toLowerCase() !== 'identity') {
    add(
      'Content-Encoding',
      'warning',
      `${encoding}: compressors buffer output until a block fills, so events arrive in bursts. Exclude text/event-stream from compression (e.g. GZipMiddleware)`,
    );
  }

  // Connection is HTTP/1.x's own header (keep-alive is what a stream wants there); HTTP/2 and 3 forbid it
  // (RFC 9113 8.2.2, RFC 9114 4.2), and a client may treat the response as malformed.
  const connection = get('connection');
  if (connection !== null && (httpVersion === '2' || httpVersion === '3')) {
    add(
      'Connection',
      'warning',
      `"${connection}": connection-specific headers are forbidden in HTTP/${httpVersion}; a proxy or browser may reject the response. Send it on HTTP/1.x only`,
    );
  } else if (connection !== null && connection.trim().toLowerCase() === 'close') {
    add('Connection', 'info', `"close" on HTTP/${httpVersion}: fine for one stream, but the connection is not reused afterwards`);
  }
  return checks;
}
