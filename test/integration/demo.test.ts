/**
 * `catalyst-streaming demo` as users run it: the built CLI (dist/cli.js, so the bundled sample app and the
 * wasm grammar are found relative to dist/) in its own process, streaming from a real uvicorn; and Ctrl-C in
 * the middle of the stream stops the server and removes the temporary folder.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { loadExeca } from '../support/execa';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

interface Progress {
  readonly folder: string;
  readonly port: number;
}

function progressOf(stdout: string): Progress {
  const folder = /^1\. Copied the sample app to (.+)$/m.exec(stdout)?.[1];
  const port = /^4\. Streaming GET http:\/\/127\.0\.0\.1:(\d+)\/stream\?prompt=/m.exec(stdout)?.[1];
  assert.ok(folder && port, stdout);
  return { folder, port: Number(port) };
}

describe('catalyst-streaming demo', function () {
  this.timeout(60_000);

  before(function () {
    assert.ok(existsSync(CLI), `${CLI} is missing: run "npm run build" first (npm test does)`);
  });

  it('adds an endpoint to the sample app, streams it token by token with timing, and cleans up', async () => {
    const execa = await loadExeca();
    const child = execa(process.execPath, [CLI, 'demo', '--prompt', 'Does it stream?'], { reject: false, env: { NO_COLOR: '1' } });
    // Record when each piece of output arrives: the answer must come in many pieces, not at the end.
    const arrivals: Array<{ text: string; at: number }> = [];
    child.stdout!.setEncoding('utf8').on('data', (text: string) => arrivals.push({ text, at: performance.now() }));
    const result = await child;
    assert.equal(result.exitCode, 0, `${result.stderr}\n${result.stdout}`);
    const stdout = arrivals.map((a) => a.text).join('');
    assert.match(stdout, /^2\. Added GET \/stream \(created streaming\.py, modified main\.py\)$/m);
    assert.match(stdout, /^3\. Started uvicorn main:app with .+ \(Python 3\.\d+\.\d+\)$/m);
    assert.match(stdout, /You asked: Does it stream\? This answer is streamed as Server-Sent Events/);
    assert.match(stdout, /first token after \d+ ms · \d{2,} tokens in [\d.]+ m?s · [\d.]+ tokens\/s/);
    assert.match(stdout, /Stopped the server and removed the temporary folder\.\n$/);

    const streamingStart = arrivals.findIndex((a) => a.text.includes('4. Streaming'));
    const statsAt = arrivals.findIndex((a) => a.text.includes('first token after'));
    assert.ok(statsAt - streamingStart >= 10, `the answer arrived in ${statsAt - streamingStart} pieces`);

    const { folder, port } = progressOf(stdout);
    assert.equal(existsSync(folder), false, `${folder} was not removed`);
    assert.equal(await answers(port), false, 'uvicorn is still listening');
  });

  it('stops the server and removes the folder on Ctrl-C', async () => {
    const execa = await loadExeca();
    const child = execa(process.execPath, [CLI, 'demo'], { reject: false });
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the stream did not start:\n${stdout}`)), 30_000);
      child.stdout!.setEncoding('utf8').on('data', (text: string) => {
        stdout += text;
        if (stdout.includes('You asked')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const { folder, port } = progressOf(stdout);
    assert.equal(await answers(port), true, 'uvicorn is serving while the demo streams');
    child.kill('SIGINT');
    const result = await child;
    assert.equal(result.exitCode, 130, result.stderr);
    assert.match(result.stderr, /Interrupted\./);
    assert.equal(existsSync(folder), false, `${folder} was not removed`);
    assert.equal(await answers(port), false, 'uvicorn is still listening');
  });
});
