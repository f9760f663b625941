/**
 * The body limits of the routes that take a body (ai-sdk, openai, sse POST), served by real uvicorn on each
 * Python stack: a body just under and just over each limit (bytes 413, messages and text per message 422),
 * each answer's JSON naming the limit and its value; a limit changed in the route applies; and a chunked body
 * (no Content-Length) far over the limit is cut off: the server answers 413 and closes the connection, so only
 * a bounded part of the body is ever sent to it, and its memory hardly grows.
 */
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { PYTHON_STACKS, type PythonStack } from '../support/python';
import { makeTempDir } from '../support/tempdir';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { copyFixture, runCli } from './addEndpointSupport';

/** request_body.py's defaults. */
const MAX_BYTES = 1_000_000;
const MAX_MESSAGES = 1_000;
const MAX_TEXT_CHARS = 100_000;

/** A route-level limit the test sets in the generated sse POST route, as a user would. */
const CHANGED_MAX_BYTES = 2_000;

/** The server's resident memory, from a route the test adds to the app. */
const RSS_ROUTE = `

@app.get("/test-rss")
async def test_rss() -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024
`;

const aiSdkBody = (messages: number, text: string) => ({
  messages: Array.from({ length: messages }, (_, i) => ({ id: `m${i}`, role: 'user', parts: [{ type: 'text', text: i === messages - 1 ? text : 'x' }] })),
});
const openaiBody = (messages: number, text: string) => ({
  model: 'demo',
  stream: true,
  messages: Array.from({ length: messages }, (_, i) => ({ role: 'user', content: i === messages - 1 ? text : 'x' })),
});

/** `value` padded with spaces (JSON whitespace) to exactly `bytes` bytes. */
function paddedTo(value: unknown, bytes: number): string {
  const json = JSON.stringify(value);
  assert.ok(json.length <= bytes, `${json.length} > ${bytes}`);
  return json + ' '.repeat(bytes - json.length);
}

async function post(url: string, body: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (response.ok) {
    // Accepted: the answer streams on; only the status matters here.
    await response.body?.cancel();
    return { status: response.status, json: undefined };
  }
  const text = await response.text();
  return { status: response.status, json: response.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : text };
}

interface ChunkedResult {
  readonly status: number;
  readonly body: string;
  /** Bytes of the body the client got onto the connection before the server answered and closed it. */
  readonly bytesSent: number;
  /** Whether the server closed the connection (else the client gave up waiting for it to read on). */
  readonly closed: boolean;
}

/** POSTs up to `total` bytes in 64 KB chunks without a Content-Length, stopping when the server answers or closes. */
function postChunked(url: string, total: number): Promise<ChunkedResult> {
  const chunk = Buffer.alloc(65_536, 0x20);
  chunk[0] = 0x7b; // starts like a JSON object
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered: { status: number; body: string } | undefined;
    let finished = false;
    let closed = false;
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
    const finish = () => {
      if (!finished) {
        finished = true;
        clearTimeout(timer);
        request.destroy();
        if (answered) {
          resolve({ ...answered, bytesSent: sent, closed });
        } else if (closed) {
          // The server closed with our bytes still unread in its socket: its kernel then resets the connection,
          // which can discard the 413 before we read it (any server without a lingering close does this).
          resolve({ status: 0, body: '', bytesSent: sent, closed });
        } else {
          reject(new Error(`no answer after ${sent} bytes`));
        }
      }
    };
    const timer = setTimeout(finish, 20_000);
    let responded = false;
    request.on('response', (response) => {
      responded = true;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (part: string) => (body += part));
      response.on('end', () => (answered = { status: response.statusCode ?? 0, body }));
    });
    // Writing stops once the answer starts (data written into a connection the server closed would make its
    // kernel reset it, which can discard the answer before it is read); then only the server closes it.
    const serverClosed = () => {
      closed = true;
      setTimeout(finish, 200);
    };
    request.on('error', serverClosed);
    request.on('close', serverClosed);
    const write = () => {
      // At most total / 64 KB chunks; waits for 'drain', so only what the connection takes is counted.
      while (!finished && !responded && sent < total) {
        sent += chunk.length;
        if (!request.write(chunk)) {
          request.once('drain', write);
          return;
        }
      }
      if (sent >= total && !finished && !responded) {
        request.end();
      }
    };
    write();
  });
}

for (const stack of PYTHON_STACKS) {
  describe(`request body limits of the generated routes, served by real uvicorn ${stack.tag}`, function () {
    this.timeout(120_000);
    limitsSuite(stack);
  });
}

function limitsSuite(stack: PythonStack): void {
  let root: string;
  let server: RunningServer;

  before(async () => {
    root = await makeTempDir('request-limits');
    const dir = await copyFixture('single-file', path.join(root, 'app'));
    for (const args of [
      ['--protocol', 'ai-sdk'],
      ['--protocol', 'openai'],
      ['--route', '/ask', '--method', 'POST'],
    ]) {
      const run = await runCli(['add-endpoint', '--workspace', dir, '--no-verify', ...args]);
      assert.equal(run.code, 0, run.stderr);
    }
    // A limit changed in the route, as the README says to.
    const main = path.join(dir, 'main.py');
    const source = await readFile(main, 'utf8');
    const changed = source.replace('= await read_body(request, AskRequest)', `= await read_body(request, AskRequest, max_bytes=${CHANGED_MAX_BYTES})`);
    assert.notEqual(changed, source);
    await writeFile(main, changed + RSS_ROUTE);
    server = await startUvicorn({ stack, cwd: dir, app: 'main:app' });
  });

  after(async () => {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  for (const [protocol, route, body] of [
    ['ai-sdk', '/api/chat', aiSdkBody],
    ['openai', '/v1/chat/completions', openaiBody],
  ] as const) {
    it(`${protocol}: bytes, messages and text per message, just under and just over each limit`, async () => {
      const url = `${server.baseUrl}${route}`;
      const ok = (answer: { status: number; json: unknown }) => assert.equal(answer.status, 200, String(JSON.stringify(answer.json)).slice(0, 300));
      const refused = (answer: { status: number; json: unknown }, status: number, limit: string, value: number) => {
        assert.equal(answer.status, status, String(JSON.stringify(answer.json)).slice(0, 300));
        assert.deepEqual({ ...(answer.json as { detail: object }).detail, message: undefined }, { limit, value, message: undefined });
      };
      ok(await post(url, paddedTo(body(1, 'Hi'), MAX_BYTES)));
      refused(await post(url, paddedTo(body(1, 'Hi'), MAX_BYTES + 1)), 413, 'max_bytes', MAX_BYTES);
      ok(await post(url, JSON.stringify(body(MAX_MESSAGES, 'Hi'))));
      refused(await post(url, JSON.stringify(body(MAX_MESSAGES + 1, 'Hi'))), 422, 'max_messages', MAX_MESSAGES);
      ok(await post(url, JSON.stringify(body(1, 'é'.repeat(MAX_TEXT_CHARS)))));
      refused(await post(url, JSON.stringify(body(1, 'é'.repeat(MAX_TEXT_CHARS + 1)))), 422, 'max_text_chars', MAX_TEXT_CHARS);
      // A bad body still gets FastAPI's kind of 422, naming the field.
      const wrong = await post(url, JSON.stringify({ messages: 'no' }));
      assert.equal(wrong.status, 422);
      assert.deepEqual(((wrong.json as { detail: Array<{ loc: unknown[] }> }).detail[0]!.loc ?? []).slice(0, 2), ['body', 'messages']);
    });
  }

  it('sse POST: a limit changed in the route applies (bytes just under and just over it)', async () => {
    const url = `${server.baseUrl}/ask`;
    assert.equal((await post(url, paddedTo({ prompt: 'Hi' }, CHANGED_MAX_BYTES))).status, 200);
    const over = await post(url, paddedTo({ prompt: 'Hi' }, CHANGED_MAX_BYTES + 1));
    assert.equal(over.status, 413);
    assert.deepEqual((over.json as { detail: { limit: string; value: number } }).detail.value, CHANGED_MAX_BYTES);
  });

  it('a chunked body far over the limit is cut off: 413, the connection closed, little of it sent, memory flat', async () => {
    const rss = async () => Number(await (await fetch(`${server.baseUrl}/test-rss`)).text());
    const before = await rss();
    const total = 64 * MAX_BYTES;
    const result = await postChunked(`${server.baseUrl}/api/chat`, total);
    const grown = (await rss()) - before;
    // 413 with its JSON, unless the connection reset took the answer with it (status 0, see postChunked).
    if (result.status !== 0) {
      assert.equal(result.status, 413, result.body);
      assert.deepEqual(JSON.parse(result.body), { detail: { limit: 'max_bytes', value: MAX_BYTES, message: `The body is over ${MAX_BYTES} bytes.` } });
    }
    // What reached the connection: the limit plus what the kernel's socket buffers on both ends hold, a small
    // part of the 64 MB offered (without the cut-off the server reads, and the client sends, all of it).
    assert.ok(result.closed, 'the server closed the connection (Connection: close), not left it waiting');
    assert.ok(result.bytesSent < total / 4, `${result.bytesSent} of ${total} bytes sent`);
    assert.ok(grown < 4 * MAX_BYTES, `the server grew by ${grown} bytes`);
  });
}
