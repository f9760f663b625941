/**
 * `catalyst-streaming preview` against a hostile or stalled server (the uvicorn fixture app): nothing reaches
 * the terminal as a control sequence, --json is unchanged, a stall is named, a closed pipe and SIGTERM end it
 * quietly, and the summary stays small however many event types the server invents.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { loadExeca } from '../support/execa';
import { startUvicorn, type RunningServer } from '../support/uvicorn';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');
/** Any C0 control but tab and newline, DEL, or a C1 control. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['preview', ...argv], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: process.cwd() });
  return { code, stdout, stderr };
}

describe('catalyst-streaming preview: a safe terminal and bounded output', function () {
  this.timeout(60_000);
  let server: RunningServer;

  before(async function () {
    server = await startUvicorn({ cwd: path.resolve(__dirname, '../fixtures/sse'), app: 'app:app' });
  });

  after(async function () {
    await server?.stop();
  });

  it('escapes control characters in event names, ids, data and comments; --json carries them as JSON does', async function () {
    const human = await cli(`${server.baseUrl}/hostile`);
    assert.equal(human.code, 0, human.stderr);
    assert.doesNotMatch(human.stdout, CONTROL);
    assert.match(human.stdout, /: \\x1b\]0;owned title\\x07comment\n/);
    assert.match(human.stdout, /tok\\x1b\[2Jen id=7\\x1b\[31m {2}\\x1b\]52;c;ZXZpbA==\\x07clip \\x9b31m c1/);

    const json = await cli(`${server.baseUrl}/hostile`, '--json');
    assert.equal(json.code, 0);
    const first = JSON.parse(json.stdout.split('\n')[0]!) as { event: string; id: string; data: string };
    assert.equal(first.event, 'tok\x1b[2Jen');
    assert.equal(first.id, '7\x1b[31m');
    assert.ok(first.data.startsWith('\x1b]52;c;ZXZpbA==\x07clip \u009b31m c1'));
  });

  it('a stalled stream: "no data for N s" after --idle-timeout seconds, exit 1; a bad value is a usage error', async function () {
    const run = await cli(`${server.baseUrl}/stall`, '--idle-timeout', '1');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /No data for 1 s after 1 event\(s\): the server stopped sending without closing the stream/);
    assert.equal((await cli(`${server.baseUrl}/stall`, '--idle-timeout', 'soon')).code, 2);
    assert.match((await cli('--help')).stdout, /--idle-timeout SECONDS {2}give up when the server sends nothing for this long \(default 60; 0: never\)/);
  });

  it('--idle-timeout counts silence, not the stream: 8 events 0.3 s apart (2.4 s in all) outlive a 1 s timeout', async function () {
    const run = await cli(`${server.baseUrl}/slow?count=8&gap=0.3`, '--idle-timeout', '1');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /events 9 \(token 8, done 1\)/);
  });

  it('5,000 event types: a short summary with the most frequent types and "others ... (truncated)"', async function () {
    const run = await cli(`${server.baseUrl}/many-types?n=5000`);
    assert.equal(run.code, 0);
    const line = run.stdout.split('\n').find((l) => l.startsWith('events 5050 ('))!;
    assert.ok(line.length < 1_000, `${line.length} characters`);
    assert.match(line, /^events 5050 \(common 50, (type-\d+ 1, ){19}others 4981 \(truncated: only the most frequent types are listed\)\)/);
  });

  it('a reader that closes the pipe (preview --json | head -1) ends it quietly, and the server sees the client leave', async function () {
    const execa = await loadExeca();
    const child = execa(process.execPath, [CLI, 'preview', `${server.baseUrl}/forever`, '--json'], { reject: false, buffer: { stdout: false } });
    const firstLine = await new Promise<string>((resolve, reject) => {
      let seen = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('\n')) {
          child.stdout!.destroy(); // What `head -1` does after its line.
          resolve(seen.split('\n')[0]!);
        }
      });
      child.stdout!.on('error', reject);
    });
    assert.equal((JSON.parse(firstLine) as { event: string }).event, 'message');
    const result = await child;
    assert.equal(result.stderr, '', 'no EPIPE stack trace');
    assert.equal(result.exitCode, 0);
    const disconnects = (await (await fetch(`${server.baseUrl}/disconnects`)).json()) as string[];
    assert.ok(disconnects.includes('forever'));
  });

  it('SIGTERM and SIGHUP end it through the same clean path (exit 128 + signal, no stack)', async function () {
    const execa = await loadExeca();
    for (const [signal, code] of [
      ['SIGTERM', 143],
      ['SIGHUP', 129],
    ] as const) {
      const child = execa(process.execPath, [CLI, 'preview', `${server.baseUrl}/forever`], { reject: false });
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      child.kill(signal);
      const result = await child;
      assert.equal(result.exitCode, code, `${signal}: ${result.stderr}`);
      assert.match(result.stderr, /^catalyst-streaming preview: interrupted after \d+ event\(s\)\n?$/);
    }
  });
});
