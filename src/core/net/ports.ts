/** Loopback ports: picking a free one and waiting until a server answers on one. */
import net from 'node:net';

/** A port that was free on 127.0.0.1 a moment ago (the OS picks it; a race with another process is possible). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') {
          resolve(address.port);
        } else {
          reject(new Error('could not read the bound port'));
        }
      });
    });
  });
}

export interface WaitForPortOptions {
  readonly host?: string;
  readonly timeoutMs?: number;
  /** Polling stops early when this aborts (e.g. the server process exited). */
  readonly signal?: AbortSignal;
  readonly intervalMs?: number;
}

/** Resolves once a TCP connection to host:port succeeds; rejects on timeout or abort. */
export async function waitForPort(port: number, options: WaitForPortOptions = {}): Promise<void> {
  const { host = '127.0.0.1', timeoutMs = 15_000, signal, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    if (await canConnect(host, port)) {
      return;
    }
    if (Date.now() >= deadline) {
      throw new Error(`nothing answered on ${host}:${port} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1_000);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
