/**
 * `catalyst-streaming demo`: a whole run streaming from a real uvicorn (in-process, so coverage sees it), and
 * the built CLI as users run it (dist/cli.js, so the bundled sample app and the wasm grammar are found
 * relative to dist/) interrupted with Ctrl-C in the middle of the stream: the server stops and the temporary
 * folder goes. Run on each Python stack by pointing CATALYST_PYTHON at its interpreter, as a user would; the
 * demo's own interpreter lookup is the product's, unchanged.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { loadExeca } from '../support/execa';
import { PYTHON_STACKS, type PythonStack } from '../support/python';

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

for (const stack of PYTHON_STACKS) {
  describe(`catalyst-streaming demo with CATALYST_PYTHON set to the interpreter ${stack.tag}`, function () {
    this.timeout(60_000);
    demoSuite(stack);
  });
}

function demoSuite(stack: PythonStack): void {
  let python: string;
  let executable: string;

  before(async () => {
    ({ command: python, executable } = await stack.interpreter());
  });

  it('adds an endpoint to the sample app, streams it token by token with timing, and cleans up', async () => {
    // Record when each piece of output is written: the answer must come in many pieces, not at the end.
    const arrivals: Array<{ text: string; at: number }> = [];
    let stderr = '';
    // In-process (so coverage sees the demo), the interpreter is chosen through the environment as for a user.
    const outer = process.env.CATALYST_PYTHON;
    process.env.CATALYST_PYTHON = python;
    let code: number;
    try {
      code = await main(['demo', '--prompt', 'Does it stream?'], {
        stdout: (text) => arrivals.push({ text, at: performance.now() }),
        stderr: (text) => (stderr += text),
        cwd: process.cwd(),
      });
    } finally {
      if (outer === undefined) {
        delete process.env.CATALYST_PYTHON;
      } else {
        process.env.CATALYST_PYTHON = outer;
      }
    }
    const stdout = arrivals.map((a) => a.text).join('');
    assert.equal(code, 0, `${stderr}\n${stdout}`);
    assert.match(
      stdout,
      /^2\. Added GET \/stream \(created streaming\/__init__\.py, created streaming\/events\.py, created streaming\/finish\.py, created streaming\/lifecycle\.py, created streaming\/parts\.py, created streaming\/response\.py, created streaming\/tokens\.py, modified main\.py\)$/m,
    );
    assert.ok(stdout.includes(`\n3. Started uvicorn main:app with ${executable} (Python `), `the demo ran ${executable}:\n${stdout}`);
    assert.match(stdout, /You asked: Does it stream\? This answer is streamed as Server-Sent Events/);
    assert.match(stdout, /first token after \d+ ms · \d{2,} tokens in [\d.]+ m?s · [\d.]+ tokens\/s/);
    assert.match(stdout, /Stopped the server and removed the temporary folder\.\n$/);

    const streamingStart = arrivals.findIndex((a) => a.text.includes('4. Streaming'));
    const statsAt = arrivals.findIndex((a) => a.text.includes('first token after'));
    const answer = arrivals.slice(streamingStart + 1, statsAt - 1);
    assert.ok(answer.length >= 30, `the answer was written in ${answer.length} pieces`);
    // Streamed, not buffered: the first words are on screen long before the last.
    const started = arrivals[streamingStart]!.at;
    const first = answer[0]!.at - started;
    const last = answer[answer.length - 1]!.at - started;
    assert.ok(first < last / 2, `first words after ${first} ms, last after ${last} ms`);

    const { folder, port } = progressOf(stdout);
    assert.equal(existsSync(folder), false, `${folder} was not removed`);
    assert.equal(await answers(port), false, 'uvicorn is still listening');
  });

  /** Starts the built CLI's demo and waits until the answer streams; returns the child and what it printed. */
  async function demoStreaming() {
    assert.ok(existsSync(CLI), `${CLI} is missing: run "npm run build" first (npm test does)`);
    const execa = await loadExeca();
    const child = execa(process.execPath, [CLI, 'demo'], { reject: false, buffer: { stdout: false }, env: { CATALYST_PYTHON: python } });
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
    assert.ok(stdout.includes(`\n3. Started uvicorn main:app with ${executable} (Python `), stdout);
    assert.equal(await answers(port), true, 'uvicorn is serving while the demo streams');
    return { child, folder, port };
  }

  for (const [signal, exitCode] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    it(`stops the server and removes the folder on ${signal} (the built CLI)`, async () => {
      const { child, folder, port } = await demoStreaming();
      child.kill(signal);
      const result = await child;
      assert.equal(result.exitCode, exitCode, result.stderr);
      assert.match(result.stderr, /Interrupted\./);
      assert.equal(existsSync(folder), false, `${folder} was not removed`);
      assert.equal(await answers(port), false, 'uvicorn is still listening');
    });
  }

  it('stops the server and removes the folder when its output is closed (demo | head -3), quietly', async () => {
    const { child, folder, port } = await demoStreaming();
    child.stdout!.destroy();
    const result = await child;
    assert.equal(result.exitCode, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /EPIPE|Error/);
    assert.equal(existsSync(folder), false, `${folder} was not removed`);
    assert.equal(await answers(port), false, 'uvicorn is still listening');
  });
}
