/** Loopback ports: a free one, and waiting until something answers on it (bounded, abortable). */
import assert from 'node:assert/strict';
import net from 'node:net';
import { freePort, waitForPort } from '../../src/core/net/ports';

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.end());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('freePort / waitForPort', () => {
  it('gives a port that can be bound on 127.0.0.1', async () => {
    const port = await freePort();
    assert.ok(port > 0 && port < 65536);
    await close(await listen(port));
  });

  it('resolves once a server starts listening', async () => {
    const port = await freePort();
    let server: net.Server | undefined;
    // Waiting starts before the server exists; the server comes up while it polls.
    const waiting = waitForPort(port, { timeoutMs: 5_000, intervalMs: 10 });
    const started = new Promise<void>((resolve) => setImmediate(() => void listen(port).then((s) => ((server = s), resolve()))));
    await Promise.all([waiting, started]);
    await close(server!);
  });

  it('rejects after the timeout when nothing answers, naming the port', async () => {
    const port = await freePort();
    await assert.rejects(waitForPort(port, { timeoutMs: 50, intervalMs: 10 }), { message: `nothing answered on 127.0.0.1:${port} within 50 ms` });
  });

  it('stops early when its signal aborts', async () => {
    const port = await freePort();
    const controller = new AbortController();
    const waiting = waitForPort(port, { timeoutMs: 10_000, intervalMs: 10, signal: controller.signal });
    controller.abort(new Error('server exited'));
    await assert.rejects(waiting, { message: 'server exited' });
  });
});
