/**
 * The generated streaming module on a real uvicorn, checked on the wire.
 *
 * Everything runs on each Python stack (test/support/python.ts), the stack in the title. Per stack, one server
 * (test/fixtures/streaming/app.py next to a freshly generated streaming/ package) runs under that stack's
 * coverage.py for the whole suite; the last test stops every process cleanly and asserts the package's line coverage.
 * Ordering is forced with gates the test opens (POST /runs/NAME/release), never with sleeps: a module that
 * buffered would hold back the very event the test waits for before opening the gate, and the test would fail
 * at its deadline instead of passing by luck.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { loadExeca } from '../support/execa';
import { renderPackageFiles } from '../../src/core/codegen/python/package';
import { combinedFolderCoverage, coverageDataFiles, requireCoverage } from '../support/pythonCoverage';
import { ALL_PACKAGE_NAMES } from '../support/streamingPackage';
import { startProviderServer, type ProviderServer } from '../support/providers/server';
import { PYTHON_STACKS, type PythonStack } from '../support/python';
import { startStreamingApp, STREAMING_FIXTURES, type StreamingApp } from '../support/streamingApp';
import { makeTempDir } from '../support/tempdir';
import { protocolWireSuite } from './streamingProtocols.part';
import { eventually, getJson, openStream, parseSse, readStream, wallClockMs, type WireStream } from '../support/wire';

interface RunStatus {
  readonly produced: number;
  readonly produced_at: number[];
  readonly closed_at: number | null;
  readonly closed_by: string | null;
  readonly outcomes: Record<string, string>;
}

/** The bytes stream_tokens writes for one token (JSON.stringify matches the module's compact, unescaped-UTF-8 JSON). */
const tokenEvent = (text: string) => `event: token\ndata: ${JSON.stringify({ text })}\n\n`;
const doneEvent = (text: string, count: number, usage?: Readonly<Record<string, number>>) =>
  `event: done\ndata: ${JSON.stringify({ text, token_count: count, finish_reason: 'completed', ...(usage ? { usage } : {}) })}\n\n`;
const includes = (needle: string) => (body: Buffer) => body.includes(needle);
const countOf = (body: Buffer, needle: string) => body.toString('utf8').split(needle).length - 1;

/** Tokens that break naive SSE writers: non-ASCII, newlines that would end a data line, text that looks like SSE. */
const AWKWARD_TOKENS = [
  'héllo wörld',
  '日本語のテキスト',
  '🙂👍🏽',
  'line one\nline two',
  'carriage\rreturn and\r\nCRLF',
  '\n\n',
  'data: not an event\n\nevent: done\n\n',
  '"quoted" \\ backslash / slash',
  'tab\tbell\u0007nul\u0000',
  'line\u2028separator\u2029paragraph',
  '',
  ': not a comment',
];

type Serialiser = 'orjson' | 'stdlib';

/** A folder whose sitecustomize.py makes orjson unimportable (see there); put on PYTHONPATH. */
const WITHOUT_ORJSON = path.join(STREAMING_FIXTURES, 'without-orjson');

/**
 * The data line of each row of app.py's JSON_TABLE that both serialisers must spell alike, byte for byte
 * (strings through JSON.stringify, which writes the same compact, unescaped-UTF-8 JSON; numbers as written).
 * Floats under 1e-4 are where Python's repr and orjson part ways (1e-05 against 0.00001, 1e-07 against
 * 1e-7): the fallback writes orjson's form. A row the serialiser refuses reads "refused <exception type>".
 */
const JSON_ALIKE: Record<string, string> = {
  escapes: JSON.stringify('quote " backslash \\ slash / controls \b\f\n\r\t \u0000\u0001\u001f DEL \u007f'),
  'non-ascii': JSON.stringify('h\u00e9llo \u65e5\u672c\u8a9e \u{1f642}\u{1f44d}\u{1f3fd} \u2028\u2029 \ue000 \uffff'),
  'sse-lookalike': String.raw`"data: x\n\nevent: done\n\n: comment"`,
  keys: '{"\u{1f642}":1,"\u043a\u043b\u044e\u0447":[1,2],"":"","a\\nb":null}',
  ints: '[0,-1,2147483648,9007199254740993,9223372036854775807,-9223372036854775808,18446744073709551615]',
  floats: '[0.0,-0.0,0.1,1.0,100.0,0.3333333333333333,123456.789,1000000000000000.0,1e+16,1.5e+300,0.0001,1e-10,5e-324]',
  'small-floats': '[0.00001,-0.000099,0.000015,0.00009999,1e-6,1.5e-7,2.5e-10]',
  'non-finite': '[null,null,null]',
  literals: '[true,false,null]',
  nested: '{"a":{"b":[[],{},[[]]]},"tuple":[1,"a"]}',
  'int-keys': 'refused TypeError',
};

/**
 * Where orjson and the standard-library fallback still differ (measured with orjson 3.13 on Python 3.11):
 * orjson refuses an integer beyond 64 bits, which the fallback writes; both refuse a lone surrogate, orjson
 * with TypeError (orjson.JSONEncodeError is TypeError), the fallback with UnicodeEncodeError.
 */
const JSON_DIFFERENT: Record<string, Record<Serialiser, string>> = {
  'int-beyond-64-bit': { orjson: 'refused TypeError', stdlib: '18446744073709551616' },
  'lone-surrogate': { orjson: 'refused TypeError', stdlib: 'refused UnicodeEncodeError' },
};

for (const stack of PYTHON_STACKS) {
  describe(`generated streaming module on a real uvicorn (stream_tokens, stream_partial_results, EventStreamResponse) ${stack.tag}`, function () {
    streamingModuleSuite(stack);
  });
}

/** Package files other suites drive (see the coverage test at the end). */
const NOT_DRIVEN_HERE = ['resumable/', 'telemetry.py', 'providers/langchain.py', 'lifecycle.py', 'request_body.py'];

/** Every test of this file, on one stack: its own server, module folder and coverage.py data. */
function streamingModuleSuite(stack: PythonStack): void {
  let python: string;
  let moduleDir: string;
  let coverageDir: string;
  let dataFile: string;
  let app: StreamingApp;
  let base: string;
  /** Processes started under coverage.py; each must leave a data file behind. */
  let coveredProcesses = 0;
  const servers: StreamingApp[] = [];
  /** The LLM provider the real SDKs of the provider routes talk to. */
  let provider: ProviderServer;

  const run = () => randomUUID();
  const status = (name: string) => getJson<RunStatus>(`${base}/runs/${name}`);
  const release = (name: string) => getJson(`${base}/runs/${name}/release`, 'POST');
  const cpuSeconds = async () => (await getJson<{ seconds: number }>(`${base}/cpu`)).seconds;

  before(async () => {
    python = (await stack.interpreter()).command;
    await requireCoverage(python);
    moduleDir = await makeTempDir('streaming-module');
    coverageDir = await makeTempDir('streaming-coverage');
    dataFile = path.join(coverageDir, '.coverage');
    provider = await startProviderServer();
    app = await startCovered();
    base = app.server.baseUrl;
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await provider?.stop();
    await rm(moduleDir, { recursive: true, force: true });
    await rm(coverageDir, { recursive: true, force: true });
  });

  async function startCovered(env?: Record<string, string>): Promise<StreamingApp> {
    const started = await startStreamingApp({
      dir: moduleDir,
      stack,
      coverage: { source: moduleDir, dataFile },
      env: { ...provider.sdkEnvironment(), ...env },
    });
    servers.push(started);
    coveredProcesses++;
    return started;
  }

  describe('stream_tokens', () => {
    it('writes exactly one token event per token, then done, and ends the chunked body cleanly', async () => {
      const stream = await readStream(`${base}/echo`, { json: { tokens: ['Hello', ', ', 'world'] } });
      assert.equal(stream.status, 200);
      assert.equal(
        stream.body().toString('utf8'),
        'event: token\ndata: {"text":"Hello"}\n\n' +
          'event: token\ndata: {"text":", "}\n\n' +
          'event: token\ndata: {"text":"world"}\n\n' +
          'event: done\ndata: {"text":"Hello, world","token_count":3,"finish_reason":"completed"}\n\n',
      );
      assert.equal(stream.complete, true, 'the chunked terminator was received');
    });

    it('without include_done writes the token events only', async () => {
      const stream = await readStream(`${base}/echo`, { json: { tokens: ['a', 'b'], include_done: false } });
      assert.equal(stream.body().toString('utf8'), tokenEvent('a') + tokenEvent('b'));
      assert.equal(stream.complete, true);
    });

    it('keeps non-ASCII and newline-containing tokens exact, byte for byte and through an SSE parser', async () => {
      const stream = await readStream(`${base}/echo`, { json: { tokens: AWKWARD_TOKENS } });
      const text = stream.body().toString('utf8');
      assert.equal(text, AWKWARD_TOKENS.map(tokenEvent).join('') + doneEvent(AWKWARD_TOKENS.join(''), AWKWARD_TOKENS.length));
      const { events, comments } = parseSse(text);
      assert.deepEqual(comments, []);
      assert.deepEqual(
        events.map((e) => e.event),
        [...AWKWARD_TOKENS.map(() => 'token'), 'done'],
      );
      assert.deepEqual(
        events.slice(0, -1).map((e) => (JSON.parse(e.data) as { text: string }).text),
        AWKWARD_TOKENS,
      );
      assert.deepEqual(JSON.parse(events.at(-1)!.data), { text: AWKWARD_TOKENS.join(''), token_count: AWKWARD_TOKENS.length, finish_reason: 'completed' });
    });

    it('sends each token the moment it is produced: token k arrives before token k+1 is produced', async () => {
      const name = run();
      const count = 6;
      const stream = await openStream(`${base}/gated/${name}?count=${count}`);
      const receivedAt: number[] = [];
      for (let k = 0; k < count; k++) {
        // The generator cannot produce token k+1 until released, so token k must be on the wire on its own.
        await stream.waitFor(includes(tokenEvent(`token ${k}`)), `token ${k} (before token ${k + 1} was allowed)`);
        receivedAt.push(arrivalOf(stream, tokenEvent(`token ${k}`)));
        assert.equal((await status(name)).produced, k + 1, `the server produced exactly ${k + 1} tokens so far`);
        if (k + 1 < count) {
          await release(name);
        }
      }
      assert.equal((await stream.finished).complete, true);
      // Both sides read the system's real-time clock (Python's time.time(), Node's time origin plus its
      // monotonic clock); 1 ms allows for how Node anchors its time origin.
      const { produced_at: producedAt } = await status(name);
      for (let k = 0; k + 1 < count; k++) {
        assert.ok(
          receivedAt[k]! < producedAt[k + 1]! * 1000,
          `token ${k} received (${receivedAt[k]}) before token ${k + 1} produced (${producedAt[k + 1]! * 1000})`,
        );
        assert.ok(producedAt[k]! * 1000 <= receivedAt[k]! + 1, `token ${k} produced (${producedAt[k]! * 1000}) before it was received (${receivedAt[k]})`);
      }
    });

    it('turns an exception mid-stream into exactly one error event (no traceback) and ends the body cleanly', async () => {
      const stream = await readStream(`${base}/failing`);
      const text = stream.body().toString('utf8');
      assert.equal(
        text,
        tokenEvent('partial ') +
          tokenEvent('answer') +
          'event: error\ndata: {"type":"RuntimeError","message":"The stream failed; the server log has the details."}\n\n',
      );
      assert.equal(parseSse(text).events.filter((e) => e.event === 'error').length, 1);
      assert.equal(stream.complete, true, 'the chunked terminator was received');
    });

    it('closes the token generator promptly when the client goes away', async () => {
      const name = run();
      const stream = await openStream(`${base}/endless/${name}`);
      await stream.waitFor((body) => countOf(body, 'event: token') >= 3, 'three tokens');
      const disconnectedAt = wallClockMs();
      stream.close();
      const closed = await eventually('the generator to be closed after the disconnect', async () => {
        const s = await status(name);
        return s.closed_at === null ? undefined : s;
      });
      assert.equal(closed.closed_by, 'finally');
      // Closing is explicit: left to the garbage collector it took ~1.5 s here.
      assert.ok(closed.closed_at! * 1000 - disconnectedAt < 1_000, `closed ${Math.round(closed.closed_at! * 1000 - disconnectedAt)} ms after the disconnect`);
      const later = await status(name);
      assert.equal(later.produced, closed.produced, 'nothing was produced after the close');
    });

    it('a generator that never awaits does not starve another request, and a disconnect stops it within a bounded number of events', async () => {
      const name = run();
      const total = 2_000_000;
      const stream = await openStream(`${base}/in-memory/${name}?count=${total}`);
      await stream.waitFor((body) => body.length > 100_000, 'the first 100 kB');
      // A second request on another connection is answered while the first stream is still producing.
      const during = await status(name).catch((error: Error) => {
        stream.close();
        throw new Error(`a second request was not served while the never-awaiting stream ran: ${error.message}`);
      });
      assert.ok(during.produced > 0 && during.produced < total, `served mid-stream (after ${during.produced} of ${total} events)`);
      assert.equal(during.closed_at, null, 'the stream was still running');

      const received = countOf(stream.body(), '\n\n');
      stream.close();
      const closed = await eventually('the never-awaiting generator to notice the disconnect', async () => {
        const s = await status(name);
        return s.closed_at === null ? undefined : s;
      });
      // What was produced but not received sits in socket buffers (a few MB on loopback, ~30 bytes an event)
      // or was produced after the disconnect. Unnoticed, all 2M events would be produced.
      const unreceived = closed.produced - received;
      assert.ok(unreceived < 300_000, `${unreceived} events produced beyond the ${received} received`);
    });
  });

  protocolWireSuite(() => base);

  describe('stream_partial_results', () => {
    it('streams results in completion order, the fast one first though listed last; a failure does not stop the others', async () => {
      const stream = await readStream(`${base}/partial/order`);
      assert.equal(
        stream.body().toString('utf8'),
        'event: partial\ndata: {"index":2,"result":"fast"}\n\n' +
          'event: error\ndata: {"index":1,"type":"ValueError","message":"The stream failed; the server log has the details."}\n\n' +
          'event: partial\ndata: {"index":0,"result":"slow"}\n\n' +
          'event: done\ndata: {"result":["slow","fast"]}\n\n',
      );
      assert.equal(stream.complete, true);
    });

    it('interleaves async iterables item by item, and merges in the order of the operations', async () => {
      const stream = await readStream(`${base}/partial/iterables`);
      const events = parseSse(stream.body().toString('utf8')).events;
      const partials = events.filter((e) => e.event === 'partial').map((e) => JSON.parse(e.data) as { index: number; result: string });
      const fromIterables = partials.filter((p) => p.index < 2).map((p) => p.result);
      // Each iterable waits for the other's previous item: consumed one after the other, this would never end.
      assert.deepEqual(fromIterables, ['a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
      assert.deepEqual(
        partials.filter((p) => p.index === 2),
        [{ index: 2, result: 'one-shot' }],
      );
      assert.equal(events.at(-1)!.event, 'done');
      assert.deepEqual(JSON.parse(events.at(-1)!.data), { result: ['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'one-shot'] });
      assert.equal(stream.complete, true);
    });

    it('sends no done event without merge_results', async () => {
      const stream = await readStream(`${base}/partial/no-merge`);
      const events = parseSse(stream.body().toString('utf8')).events;
      assert.deepEqual(
        events.map((e) => e.event),
        ['partial', 'partial'],
      );
      assert.deepEqual(new Set(events.map((e) => e.data)), new Set(['{"index":0,"result":1}', '{"index":1,"result":2}']));
    });

    it('cancels pending operations and closes iterables when the client goes away', async () => {
      const name = run();
      const stream = await openStream(`${base}/partial/cancel/${name}`);
      await stream.waitFor((body) => body.includes('"quick"') && body.includes('"tick"'), 'the quick result and the first tick');
      stream.close();
      const outcomes = await eventually('pending operations to be cancelled', async () => {
        const s = await status(name);
        return Object.keys(s.outcomes).length === 3 ? s.outcomes : undefined;
      });
      assert.deepEqual(outcomes, { forever: 'cancelled', ticks: 'closed', flood: 'closed' });
    });
  });

  describe('EventStreamResponse', () => {
    it('sends the SSE content type and the anti-buffering headers, with Connection: keep-alive over HTTP/1.1', async () => {
      const stream = await readStream(`${base}/echo`, { json: { tokens: ['x'] } });
      assert.equal(stream.httpVersion, '1.1');
      assert.equal(stream.headers['content-type'], 'text/event-stream; charset=utf-8');
      assert.equal(stream.headers['cache-control'], 'no-cache');
      assert.equal(stream.headers['x-accel-buffering'], 'no');
      assert.equal(stream.headers.connection, 'keep-alive');
      assert.equal(stream.headers['transfer-encoding'], 'chunked');
      assert.equal(headerCount(stream, 'connection'), 1, 'one Connection header');
    });

    it('adds caller headers, which may override the defaults', async () => {
      const stream = await readStream(`${base}/headers`);
      assert.equal(stream.headers['x-request-kind'], 'test');
      assert.equal(stream.headers['cache-control'], 'no-store');
      assert.equal(headerCount(stream, 'cache-control'), 1);
      assert.equal(stream.headers['x-accel-buffering'], 'no');
    });

    it('fills silences with ": ping" comments, and sends none with ping_interval=None', async () => {
      const pinging = run();
      const silent = run();
      const withPings = await openStream(`${base}/quiet/${pinging}?ping_interval=0.05`);
      const withoutPings = await openStream(`${base}/quiet-no-ping/${silent}`);
      await withPings.waitFor(includes(tokenEvent('token 0')), 'token 0');
      await withoutPings.waitFor(includes(tokenEvent('token 0')), 'token 0 (no pings)');
      // Two pings prove the interval repeats; by then the silent stream has been quiet as long.
      await withPings.waitFor((body) => countOf(body, ': ping\n\n') >= 2, 'two pings during the silence');
      await release(pinging);
      await release(silent);
      const [pinged, quiet] = await Promise.all([withPings.finished, withoutPings.finished]);
      assert.ok(pinged.complete && quiet.complete);

      const text = withPings.body().toString('utf8');
      const pings = countOf(withPings.body(), ': ping\n\n');
      assert.equal(text, tokenEvent('token 0') + ': ping\n\n'.repeat(pings) + tokenEvent('token 1') + doneEvent('token 0token 1', 2));
      const parsed = parseSse(text);
      assert.deepEqual(
        parsed.items.map((item) => (item.kind === 'event' ? item.event.event : `:${item.comment}`)),
        ['token', ...Array<string>(pings).fill(':ping'), 'token', 'done'],
      );
      assert.equal(withoutPings.body().toString('utf8'), tokenEvent('token 0') + tokenEvent('token 1') + doneEvent('token 0token 1', 2));
    });

    it('keeps pinging a stream after the stream that opened before it (whose task group ran the pings) ended', async () => {
      // One task per event loop pings every stream, run by the stream that opened while none ran it; when that
      // stream ends the task moves to another open one. No other stream of this suite is open here.
      const [first, second] = [run(), run()];
      const opener = await openStream(`${base}/quiet/${first}?ping_interval=0.05`);
      await opener.waitFor(includes(tokenEvent('token 0')), 'token 0 of the first stream');
      const later = await openStream(`${base}/quiet/${second}?ping_interval=0.05`);
      await later.waitFor(includes(tokenEvent('token 0')), 'token 0 of the second stream');
      await release(first);
      assert.ok((await opener.finished).complete);
      const pingsBefore = countOf(later.body(), ': ping\n\n');
      await later.waitFor((body) => countOf(body, ': ping\n\n') >= pingsBefore + 2, 'two more pings after the first stream ended');
      await release(second);
      assert.ok((await later.finished).complete);
    });
  });

  describe('EventStreamResponse and a client that stops reading', () => {
    it('waits without spinning while a write is held up (the keep-alive task included)', async () => {
      const name = run();
      // A client that stops reading: the socket buffers fill, then the server's send() waits for the client.
      const socket = net.connect(app.server.port, '127.0.0.1', () => {
        socket.write(`GET /in-memory/${name}?count=100000000&token_size=4000&ping_interval=0.02 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      });
      try {
        await once(socket, 'data');
        socket.pause();
        // Blocked: the count stays put over three polls in a row.
        let last = -1;
        let unchanged = 0;
        await eventually(
          'the stream to block on the stalled client',
          async () => {
            const { produced } = await status(name);
            unchanged = produced === last ? unchanged + 1 : 0;
            last = produced;
            return unchanged >= 2 ? produced : undefined;
          },
          20_000,
          200,
        );
        // Let the server's own clock measure the window: ten pings of another stream, ~0.5 s.
        const clockRun = run();
        const clock = await openStream(`${base}/quiet/${clockRun}?ping_interval=0.05`);
        await clock.waitFor(includes(tokenEvent('token 0')), 'token 0 of the clock stream');
        const before = { cpu: await cpuSeconds(), wall: wallClockMs() };
        await clock.waitFor((body) => countOf(body, ': ping\n\n') >= 10, 'ten pings');
        const after = { cpu: await cpuSeconds(), wall: wallClockMs() };
        await release(clockRun);
        await clock.finished;
        const share = ((after.cpu - before.cpu) * 1000) / (after.wall - before.wall);
        assert.equal((await status(name)).produced, last, 'still blocked on the stalled client');
        // Measured here under coverage.py: spinning ~98% of a core, waiting ~2%.
        assert.ok(share < 0.1, `the server used ${(share * 100).toFixed(1)}% of a CPU while the client was not reading`);
      } finally {
        socket.destroy();
      }
    });
  });

  // The provider routes call the real SDKs, which only the current stack installs.
  if (stack.name === 'current') {
    describe(`provider adapters with the real SDKs ${stack.tag}`, () => {
      // The app's /provider routes call the real anthropic and openai SDKs, configured through ANTHROPIC_BASE_URL
      // and OPENAI_BASE_URL to reach the local provider. Disconnects and upstream errors per SDK: providerSdks.test.ts.
      const tokens = ['Bon', 'jour', ' 🙂'];
      const cases = [
        ['anthropic', 'anthropic_text_stream (messages.create, not awaited)', 'anthropic'],
        ['anthropic-manager', 'anthropic_text_stream (messages.stream manager)', 'anthropic'],
        ['openai', 'openai_text_stream (chat.completions.create, not awaited)', 'openai-chat'],
        ['openai-awaited', 'openai_text_stream (an awaited stream)', 'openai-chat'],
        ['responses', 'openai_responses_text_stream (responses.create, not awaited)', 'openai-responses'],
      ] as const;
      for (const [kind, adapter, api] of cases) {
        it(`${adapter} streams only the text deltas of the SDK's stream, then done`, async () => {
          provider.clear();
          provider.behave({ tokens });
          const stream = await readStream(`${base}/provider/${kind}`);
          assert.equal(stream.body().toString('utf8'), tokens.map(tokenEvent).join('') + doneEvent(tokens.join(''), tokens.length));
          assert.deepEqual(
            provider.requests.map((r) => [r.api, r.stream, r.outcome]),
            [[api, true, 'complete']],
          );
        });
      }

      // The provider's usage (test/support/providers: 12 prompt tokens, one output token per delta) on done, as
      // each API reports it: Anthropic's message_start/message_delta, the Responses API's response.completed;
      // Chat Completions asked for no usage here.
      const anthropicUsage = { input_tokens: 12, output_tokens: tokens.length, cached_input_tokens: 0 };
      const partsCases = [
        ['anthropic', 'anthropic_stream_parts (messages.create)', anthropicUsage],
        ['anthropic-manager', 'anthropic_stream_parts (messages.stream manager)', anthropicUsage],
        ['openai', 'openai_stream_parts (chat.completions.create)', undefined],
        ['responses', 'openai_responses_stream_parts (responses.create)', { ...anthropicUsage, reasoning_tokens: 0 }],
      ] as const;
      for (const [kind, adapter, usage] of partsCases) {
        it(`${adapter} streams reasoning, text and tool calls as the provider sent them`, async () => {
          provider.behave({
            tokens,
            reasoning: ['Hmm', '…'],
            toolCalls: [{ id: 'call_1', name: 'lookup', arguments: ['{"q":', ' "x"}'] }],
          });
          const stream = await readStream(`${base}/provider-parts/${kind}`);
          assert.equal(
            stream.body().toString('utf8'),
            'event: reasoning\ndata: {"text":"Hmm"}\n\nevent: reasoning\ndata: {"text":"…"}\n\n' +
              tokens.map(tokenEvent).join('') +
              'event: tool_call\ndata: {"id":"call_1","name":"lookup","input":{"q":"x"}}\n\n' +
              doneEvent(tokens.join(''), tokens.length, usage),
          );
        });
      }

      it('openai_responses_stream_parts ends with one error event when the stream reports an error', async () => {
        provider.behave({ tokens, streamErrorAfter: 1 });
        const stream = await readStream(`${base}/provider-parts/responses`);
        const events = parseSse(stream.body().toString('utf8')).events;
        assert.deepEqual(
          events.map((e) => [e.event, (JSON.parse(e.data) as { type?: string }).type]),
          [
            ['token', undefined],
            ['error', 'ProviderStreamError'],
          ],
        );
      });

      it('openai_responses_text_stream ends with one error event when the stream reports an error', async () => {
        provider.behave({ tokens, streamErrorAfter: 1 });
        const stream = await readStream(`${base}/provider/responses`);
        const events = parseSse(stream.body().toString('utf8')).events;
        assert.deepEqual(
          events.map((e) => e.event),
          ['token', 'error'],
        );
        assert.equal((JSON.parse(events[1]!.data) as { type: string }).type, 'ProviderStreamError');
        assert.equal(stream.complete, true);
      });
    });
  }

  describe('JSON serialisation', () => {
    // The current stack's lock pins orjson, so there the real orjson is compared with the standard-library
    // fallback of the same module in a second server where orjson is made unimportable. Debian's oldest stack
    // has no orjson: there the fallback is the only path, and it is what these tests run.
    const withOrjson = stack.name === 'current';
    let servers: Array<{ readonly serialiser: Serialiser; readonly baseUrl: string }>;

    before(async () => {
      servers = [{ serialiser: withOrjson ? 'orjson' : 'stdlib', baseUrl: base }];
      if (withOrjson) {
        const blocked = await startCovered({ PYTHONPATH: WITHOUT_ORJSON });
        servers.push({ serialiser: 'stdlib', baseUrl: blocked.server.baseUrl });
      }
    });

    const picks = withOrjson
      ? 'the real orjson, and the standard library where orjson is unimportable'
      : 'the standard-library fallback (this stack has no orjson)';
    it(`uses ${picks}`, async () => {
      assert.equal(await stack.has('orjson'), withOrjson, withOrjson ? 'orjson is installed (requirements/current-stack.txt)' : 'Debian has no orjson');
      const infos = await Promise.all(servers.map((s) => getJson<{ json: string; orjson: string | null }>(`${s.baseUrl}/info`)));
      // "streaming.events" is the generated package's own _stdlib_json_dumps; "orjson" is orjson.dumps.
      const picked = infos.map((info) => [info.json, info.orjson === null ? null : 'orjson imported']);
      assert.deepEqual(
        picked,
        withOrjson
          ? [
              ['orjson', 'orjson imported'],
              ['streaming.events', null],
            ]
          : [['streaming.events', null]],
      );
      if (withOrjson) {
        assert.match(infos[0]!.orjson!, /^3\.\d+\.\d+$/, "orjson's own __version__: the real package");
      }
    });

    const spells = withOrjson
      ? 'spells every value of the table as expected: alike with and without orjson, apart from the documented differences'
      : "spells every value of the table as the standard library must (the current stack compares these spellings with orjson's)";
    it(spells, async () => {
      for (const { serialiser, baseUrl } of servers) {
        const events = parseSse((await readStream(`${baseUrl}/json-table`)).body().toString('utf8')).events;
        const actual = Object.fromEntries(events.map((e) => [e.id, e.event === 'value' ? e.data : `refused ${(JSON.parse(e.data) as { type: string }).type}`]));
        const expected = Object.fromEntries([
          ...Object.entries(JSON_ALIKE),
          ...Object.entries(JSON_DIFFERENT).map(([name, spelt]) => [name, spelt[serialiser]]),
        ]);
        assert.deepEqual(actual, expected, serialiser);
      }
    });

    if (withOrjson) {
      it('gives the same bytes on the wire with the real orjson as without it: the table rows that must be alike, and awkward tokens', async () => {
        const [orjson, stdlib] = servers;
        const eventsOf = async (baseUrl: string) =>
          (await readStream(`${baseUrl}/json-table`))
            .body()
            .toString('utf8')
            .split('\n\n')
            .filter((event) => Object.keys(JSON_ALIKE).some((name) => event.includes(`\nid: ${name}\n`)));
        const [withIt, without] = await Promise.all([eventsOf(orjson!.baseUrl), eventsOf(stdlib!.baseUrl)]);
        assert.equal(withIt.length, Object.keys(JSON_ALIKE).length);
        assert.deepEqual(withIt, without);

        const payload = { json: { tokens: AWKWARD_TOKENS } };
        const [tokensWith, tokensWithout] = await Promise.all([readStream(`${orjson!.baseUrl}/echo`, payload), readStream(`${stdlib!.baseUrl}/echo`, payload)]);
        assert.ok(tokensWithout.body().length > 0);
        assert.deepEqual(tokensWith.body(), tokensWithout.body());
      });
    }
  });

  describe('format_sse and the response, called directly (cases a server cannot show)', () => {
    interface DirectResult {
      format: string;
      format_with_id: string;
      refusals: Record<string, string | null>;
      stdlib_json: string;
      http: Record<string, { headers: [string, string][]; bodies: [string, boolean][] }>;
    }
    let result: DirectResult;

    before(async () => {
      const execa = await loadExeca();
      const { stdout } = await execa(
        python,
        ['-m', 'coverage', 'run', '--parallel-mode', `--source=${moduleDir}`, `--data-file=${dataFile}`, path.join(STREAMING_FIXTURES, 'check_direct.py')],
        { cwd: moduleDir, env: { PYTHONPATH: moduleDir } },
      );
      coveredProcesses++;
      result = JSON.parse(stdout) as DirectResult;
    });

    it('formats an event, with an id line only when an id is given', () => {
      assert.equal(result.format, 'event: update\ndata: {"n":1,"s":"é\\n"}\n\n');
      assert.equal(result.format_with_id, 'event: update\nid: 42\ndata: [1,null,true]\n\n');
    });

    it("writes orjson's JSON without orjson too: NaN as null, small floats as orjson writes them", () => {
      assert.equal(result.stdlib_json, '{"n":[1,-0.0,0.00001,1e-7,null,true,null],"s":["é\\n",{}]}');
    });

    it('raises ValueError for CR or LF in the event name or id', () => {
      for (const [what, refusal] of Object.entries(result.refusals)) {
        if (what === 'plain') {
          assert.equal(refusal, null, 'a plain event name and id are accepted');
        } else {
          assert.match(refusal ?? 'no error', /^ValueError: SSE (event|id) must not contain CR, LF or NUL/, what);
        }
      }
    });

    it('sends Connection: keep-alive over HTTP/1.0 and 1.1 only (HTTP/2 forbids it), and ends the body', () => {
      const connection = (version: string) => result.http[version]!.headers.filter(([name]) => name === 'connection').map(([, value]) => value);
      assert.deepEqual(connection('1.0'), ['keep-alive']);
      assert.deepEqual(connection('1.1'), ['keep-alive']);
      assert.deepEqual(connection('2'), []);
      for (const version of ['1.0', '1.1', '2']) {
        assert.deepEqual(result.http[version]!.bodies, [
          [tokenEvent('a'), true],
          [doneEvent('a', 1), true],
          ['', false],
        ]);
      }
    });
  });

  describe('coverage.py of the generated package', () => {
    // The provider adapters run only with the real SDKs, which only the current stack installs: there the whole
    // package is measured, on the oldest stack everything but providers/. Not driven here, so not counted:
    // resumable/ (resumable*.test.ts run it behind uvicorn workers, Redis and nginx), telemetry.py
    // (streamingTelemetry.test.ts, with the real opentelemetry-sdk), providers/langchain.py (providerSdks.test.ts) and
    // lifecycle.py (lifecycle.test.ts, with the real SDKs and on both stacks) and request_body.py (requestLimits.test.ts).
    const whole = stack.name === 'current';
    it(`is at least 90% of ${whole ? 'its lines' : 'its lines outside providers/'}, measured while the tests above drove it`, async function () {
      await Promise.all(servers.splice(0).map((s) => s.stop()));
      const files = await coverageDataFiles(dataFile);
      assert.equal(files.length, coveredProcesses, `every process under coverage wrote its data on exit (SIGINT): ${files.join(', ')}`);
      const measured = (await renderPackageFiles(ALL_PACKAGE_NAMES))
        .map((file) => file.path)
        .filter((file) => !NOT_DRIVEN_HERE.some((prefix) => file.startsWith(prefix)) && (whole || !file.startsWith('providers/')));
      const coverage = await combinedFolderCoverage(python, dataFile, path.join(moduleDir, 'streaming'), measured);
      const perFile = [...coverage.files].map(([file, c]) => `${file} ${c.percent.toFixed(0)}% (never run: ${c.missingLines.join(', ') || '-'})`);
      assert.ok(
        coverage.percent >= 90,
        `coverage.py: ${coverage.percent.toFixed(1)}% of the package${whole ? '' : ' outside providers/'} (${coverage.covered}/${coverage.statements}):\n${perFile.join('\n')}`,
      );
    });
  });
}

/** When the last byte of the first occurrence of `needle` arrived. */
function arrivalOf(stream: WireStream, needle: string): number {
  const target = Buffer.from(needle);
  let seen = Buffer.alloc(0);
  for (const chunk of stream.chunks) {
    seen = Buffer.concat([seen, chunk.bytes]);
    if (seen.includes(target)) {
      return chunk.at;
    }
  }
  throw new Error(`${needle} was not received`);
}

function headerCount(stream: WireStream, name: string): number {
  return stream.rawHeaders.filter((value, i) => i % 2 === 0 && value.toLowerCase() === name).length;
}
