/**
 * The generated streaming module behind a real nginx reverse proxy with proxy_buffering at its default (on), as
 * in a typical production config: events must still arrive one by one. (Measured here: nginx 1.22 forwards a
 * chunked upstream's events as they come even without the module's `X-Accel-Buffering: no`, so this test guards
 * the module's own buffering, not that header; streaming.test.ts asserts the header on the wire.)
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startNginxProxy, type RunningProxy } from '../support/nginx';
import { PYTHON_STACKS, type PythonStack } from '../support/python';
import { startStreamingApp, type StreamingApp } from '../support/streamingApp';
import { eventually, getJson, openStream } from '../support/wire';

interface RunStatus {
  readonly produced: number;
  readonly closed_at: number | null;
}

for (const stack of PYTHON_STACKS) {
  describe(`generated streaming module behind nginx (proxy_buffering on) ${stack.tag}`, function () {
    nginxSuite(stack);
  });
}

function nginxSuite(stack: PythonStack): void {
  let app: StreamingApp;
  let proxy: RunningProxy;

  before(async () => {
    app = await startStreamingApp({ stack });
    proxy = await startNginxProxy(app.server.port);
  });

  after(async () => {
    await proxy?.stop();
    await app?.stop();
  });

  it('delivers each event as it is produced, not all at the end', async () => {
    const name = randomUUID();
    const count = 5;
    const stream = await openStream(`${proxy.baseUrl}/gated/${name}?count=${count}`);
    assert.match(String(stream.headers.server), /^nginx/, 'the response came through nginx');
    for (let k = 0; k < count; k++) {
      // Token k+1 is produced only after the test saw token k through the proxy: a buffering proxy stalls here.
      await stream.waitFor((body) => body.includes(`{"text":"token ${k}"}`), `token ${k} through nginx before token ${k + 1} was produced`);
      const { produced } = await getJson<RunStatus>(`${app.server.baseUrl}/runs/${name}`);
      assert.equal(produced, k + 1);
      if (k + 1 < count) {
        await getJson(`${app.server.baseUrl}/runs/${name}/release`, 'POST');
      }
    }
    assert.equal((await stream.finished).complete, true);
    assert.ok(stream.chunks.length >= count, `events arrived in ${stream.chunks.length} separate reads`);
  });

  it('passes a client disconnect through to the token generator', async () => {
    const name = randomUUID();
    const stream = await openStream(`${proxy.baseUrl}/endless/${name}`);
    await stream.waitFor((body) => body.includes('"tick"'), 'the first token through nginx');
    stream.close();
    await eventually('the generator behind nginx to be closed', async () => {
      const status = await getJson<RunStatus>(`${app.server.baseUrl}/runs/${name}`);
      return status.closed_at ?? undefined;
    });
  });
}
