/**
 * `catalyst-streaming preview` against a hostile or stalled server (the uvicorn fixture app): nothing reaches
 * the terminal as a control sequence, --json is unchanged, a stall is named, a closed pipe and SIGTERM end it
 * quietly, and the summary stays small however many event types the server invents. Redirects: two servers, on
 * 127.0.0.1 and 127.0.0.2, record what reaches each; the user's headers never reach the other host.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { apply, emptyModel, runPreview } from '../../src/core/sse/preview';
import type { HostMessage } from '../../src/protocol/preview';
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

/** One request as a test server saw it. */
interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A plain HTTP server on `host` (a loopback address) that records every request and answers with `respond`.
 * Node's http: the point is what arrives on each host, which a few lines show exactly.
 */
async function recordingServer(
  host: string,
  respond: (request: Seen, response: http.ServerResponse) => void,
): Promise<{ seen: Seen[]; origin: string; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const entry = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body };
      seen.push(entry);
      respond(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    seen,
    origin: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function sse(response: http.ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.end('event: token\ndata: {"text":"hi"}\n\nevent: done\ndata: {"text":"hi"}\n\n');
}

describe('catalyst-streaming preview: redirects keep the user’s headers on the origin they were meant for', function () {
  this.timeout(60_000);
  let home: Awaited<ReturnType<typeof recordingServer>>;
  let other: Awaited<ReturnType<typeof recordingServer>>;
  const USER_HEADERS = ['--header', 'X-Api-Key: secret-key', '--header', 'Authorization: Bearer secret-token', '--last-event-id', 'stream-7:3'];
  const SECRET = /secret-key|secret-token|stream-7/;
  /** What one server saw at `path`: the requests, each with every header value the user gave and it got. */
  const at = (server: typeof home, path: string) => server.seen.filter((s) => s.path === path);

  before(async function () {
    // 127.0.0.1 redirects to 127.0.0.2 (another host, same scheme): another origin.
    other = await recordingServer('127.0.0.2', (request, response) => {
      if (request.path === '/bounce') {
        response.writeHead(302, { location: `${home.origin}/stream` }).end();
      } else {
        sse(response);
      }
    });
    home = await recordingServer('127.0.0.1', (request, response) => {
      const to: Record<string, [number, string]> = {
        '/cross': [302, `${other.origin}/stream`],
        '/cross-post': [307, `${other.origin}/stream`],
        '/same': [302, '/stream'],
        '/see-other': [303, '/stream'],
        '/there-and-back': [302, `${other.origin}/bounce`],
        '/loop': [302, '/loop'],
        '/elsewhere': [302, 'file:///etc/passwd'],
      };
      const target = request.path.startsWith('/to?') ? new URL(request.path, home.origin).searchParams.get('url') : null;
      const redirect = target !== null ? ([302, target] as const) : to[request.path];
      if (redirect) {
        response.writeHead(redirect[0], { location: redirect[1] }).end();
      } else {
        sse(response);
      }
    });
  });

  after(async function () {
    await Promise.all([home?.close(), other?.close()]);
  });

  beforeEach(function () {
    home.seen.length = 0;
    other.seen.length = 0;
  });

  it('to another host: none of the user’s headers (nor Last-Event-ID) arrive there, and the output says where it went', async function () {
    const run = await cli(`${home.origin}/cross`, ...USER_HEADERS);
    assert.equal(run.code, 0, run.stderr);
    const [first] = at(home, '/cross');
    assert.equal(first!.headers['x-api-key'], 'secret-key');
    assert.equal(first!.headers.authorization, 'Bearer secret-token');
    assert.equal(first!.headers['last-event-id'], 'stream-7:3');
    const [there] = at(other, '/stream');
    assert.ok(there, 'the redirect was followed');
    assert.doesNotMatch(JSON.stringify(there.headers), SECRET);
    assert.equal(there.headers.accept, 'text/event-stream', 'the defaults of an SSE client still go');
    assert.ok(
      run.stdout.startsWith(
        `redirect 302 -> ${other.origin}/stream (another origin; not sent there: X-Api-Key, Authorization, Last-Event-ID)\nHTTP 200 after `,
      ),
      run.stdout,
    );

    const json = await cli(`${home.origin}/cross`, ...USER_HEADERS, '--json');
    assert.equal(json.code, 0, json.stderr);
    const events = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      events.map((e) => [e.event, e.data]),
      [
        ['token', '{"text":"hi"}'],
        ['done', '{"text":"hi"}'],
      ],
    );
    for (const event of events) {
      assert.deepEqual(event.redirects, [
        {
          status: 302,
          from: `${home.origin}/cross`,
          to: `${other.origin}/stream`,
          cross_origin: true,
          dropped_headers: ['X-Api-Key', 'Authorization', 'Last-Event-ID'],
        },
      ]);
    }
    assert.match(
      json.stderr,
      /^redirect 302 -> http:\/\/127\.0\.0\.2:\d+\/stream \(another origin; not sent there: X-Api-Key, Authorization, Last-Event-ID\)\n$/,
    );
    assert.doesNotMatch(JSON.stringify(at(other, '/stream').map((s) => s.headers)), SECRET);
  });

  it('a 307 to another host repeats the POST and its body, without the user’s headers', async function () {
    const run = await cli(
      `${home.origin}/cross-post`,
      '--data',
      '{"prompt":"hi"}',
      ...USER_HEADERS,
      '--header',
      'Content-Type: application/json; charset=utf-8',
    );
    assert.equal(run.code, 0, run.stderr);
    const [there] = at(other, '/stream');
    assert.deepEqual([there!.method, there!.body, there!.headers['content-type']], ['POST', '{"prompt":"hi"}', 'application/json']);
    assert.doesNotMatch(JSON.stringify(there!.headers), SECRET);
  });

  it('on the same origin the headers go along; a 303 turns the POST into a GET without its body', async function () {
    assert.equal((await cli(`${home.origin}/same`, ...USER_HEADERS)).code, 0);
    const [same] = at(home, '/stream');
    assert.equal(same!.headers['x-api-key'], 'secret-key');
    assert.equal(same!.headers.authorization, 'Bearer secret-token');
    const run = await cli(`${home.origin}/see-other`, '--data', '{"prompt":"hi"}', ...USER_HEADERS);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^redirect 303 -> http:\/\/127\.0\.0\.1:\d+\/stream\nHTTP 200/);
    const seeOther = at(home, '/stream')[1]!;
    assert.deepEqual([seeOther.method, seeOther.body, seeOther.headers['content-type']], ['GET', '', undefined]);
    assert.equal(seeOther.headers['x-api-key'], 'secret-key');
  });

  it('there and back: nothing of the user’s on the other host, everything again on the home origin', async function () {
    const run = await cli(`${home.origin}/there-and-back`, ...USER_HEADERS);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(JSON.stringify(at(other, '/bounce')[0]!.headers), SECRET);
    assert.equal(at(home, '/stream')[0]!.headers['x-api-key'], 'secret-key');
    assert.match(run.stdout, /^redirect 302 -> \S+\/bounce \(another origin; [^)]+\)\nredirect 302 -> http:\/\/127\.0\.0\.1:\d+\/stream\nHTTP 200/);
  });

  it('at most 20 redirects, and only to http(s): a clear failure otherwise', async function () {
    const loop = await cli(`${home.origin}/loop`);
    assert.equal(loop.code, 1);
    assert.match(loop.stderr, /Gave up after 20 redirects \(the last one from http:\/\/127\.0\.0\.1:\d+\/loop to http:\/\/127\.0\.0\.1:\d+\/loop\)/);
    assert.equal(at(home, '/loop').length, 21);
    const file = await cli(`${home.origin}/elsewhere`);
    assert.equal(file.code, 1);
    assert.match(file.stderr, /redirected \(302\) to "file:\/\/\/etc\/passwd", which is not an http\(s\) URL; not followed/);
  });

  it('a redirect to a host that refuses the connection: the failure names that host, not the first one', async function () {
    const closed = await recordingServer('127.0.0.2', () => undefined);
    await closed.close();
    const run = await cli(`${home.origin}/to?url=${encodeURIComponent(`${closed.origin}/stream`)}`);
    assert.equal(run.code, 1);
    assert.ok(run.stdout.startsWith(`redirect 302 -> ${closed.origin}/stream (another origin)\n`), run.stdout);
    assert.match(run.stderr, new RegExp(`Could not connect to ${closed.origin.slice('http://'.length).replace(/\./g, '\\.')}: connection refused`));
    assert.ok(run.stderr.includes(`uvicorn main:app --port ${new URL(closed.origin).port}\n`), run.stderr);
  });

  it('the preview panel’s model gets the redirects with the response', async function () {
    const messages: HostMessage[] = [];
    await runPreview({
      run: 1,
      request: { url: `${home.origin}/cross`, method: 'GET', headers: [['X-Api-Key', 'secret-key']] },
      post: (message) => messages.push(message),
    });
    const model = emptyModel({ url: '', method: 'GET', headers: [] });
    for (const message of messages) {
      apply(model, message, {});
    }
    assert.deepEqual(model.response?.redirects, [
      { status: 302, from: `${home.origin}/cross`, to: `${other.origin}/stream`, crossOrigin: true, droppedHeaders: ['X-Api-Key'] },
    ]);
    assert.equal(model.status.kind, 'completed');
  });
});
