/**
 * The cheapest possible SSE client, for measurements where the client must not be the bottleneck: a raw socket
 * sends one HTTP/1.1 GET and counts events ("\n\n") in the raw bytes without decoding them. Chunked framing
 * never contains a blank line, so the count is exact; the body is complete when the chunked terminator arrives.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export interface RawStreamProgress {
  readonly events: number;
  readonly bytes: number;
  /** Hang up now (the client goes away). */
  close(): void;
}

export interface RawStreamResult {
  readonly events: number;
  readonly bytes: number;
  /** The chunked terminator was received (false when the client hung up or the server cut the stream). */
  readonly complete: boolean;
  /** From sending the request to the end of the response, in ms. */
  readonly elapsedMs: number;
}

const TERMINATOR = '0\r\n\r\n';

/** GETs `path` on 127.0.0.1:`port`, calling `onData` after every read; resolves when the connection ends. */
export function rawStream(port: number, path: string, onData?: (progress: RawStreamProgress) => void): Promise<RawStreamResult> {
  return new Promise((resolve, reject) => {
    let started = 0;
    let events = 0; // the headers end with "\r\n\r\n", which contains no "\n\n"
    let bytes = 0;
    let tail = Buffer.alloc(0);
    let closedByUs = false;
    const socket = net.connect(port, '127.0.0.1', () => {
      started = performance.now();
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    const progress: RawStreamProgress = {
      get events() {
        return events;
      },
      get bytes() {
        return bytes;
      },
      close: () => {
        closedByUs = true;
        socket.destroy();
      },
    };
    const finish = () =>
      resolve({ events, bytes, complete: !closedByUs && tail.toString('latin1').endsWith(TERMINATOR), elapsedMs: performance.now() - started });
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      // The last bytes of the previous read are kept so that a "\n\n" (or the terminator) split across reads counts.
      const window = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
      for (let i = window.indexOf('\n\n', Math.max(0, tail.length - 1)); i >= 0; i = window.indexOf('\n\n', i + 2)) {
        events++;
      }
      tail = Buffer.from(window.subarray(Math.max(0, window.length - TERMINATOR.length)));
      onData?.(progress);
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', (error) => (closedByUs ? finish() : reject(error)));
  });
}
