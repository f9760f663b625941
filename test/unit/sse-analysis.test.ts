/** Timing statistics, header checks, buffering detection, transcripts and batching. */
import assert from 'node:assert/strict';
import { BufferingDetector, likelyCauses } from '../../src/core/sse/buffering';
import { checkResponseHeaders, type HttpVersion } from '../../src/core/sse/headers';
import type { SseEvent } from '../../src/protocol/stream';
import { RECENT_GAPS, round, StatsTracker } from '../../src/core/sse/stats';
import { Batcher, eventRecord, Transcript, transcriptLine } from '../../src/core/sse/preview';

const event = (seq: number, data = 'x', tMs = seq): SseEvent => ({ seq, event: 'message', data, id: seq % 2 ? String(seq) : null, tMs, chunk: seq });

describe('SSE stream statistics', function () {
  it('times headers, first byte, first token; rates tokens between the first and the last', function () {
    const stats = new StatsTracker();
    assert.equal(stats.snapshot().headersMs, null);
    stats.headers(10);
    stats.chunk(100, 20);
    stats.chunk(50, 30);
    stats.event('meta', 20, false);
    stats.event('token', 120, true);
    stats.event('token', 320, true);
    stats.event('token', 620, true);
    stats.comment();
    stats.retry(3000);
    const s = stats.snapshot();
    assert.deepEqual(
      { headers: s.headersMs, byte: s.firstByteMs, first: s.firstEventMs, token: s.firstTokenMs, last: s.lastEventMs },
      { headers: 10, byte: 20, first: 20, token: 120, last: 620 },
    );
    assert.equal(s.tokensPerSecond, 4, '3 tokens over 500 ms: 2 intervals');
    assert.deepEqual([s.events, s.tokens, s.comments, s.chunks, s.bytes, s.retryMs], [4, 3, 1, 2, 150, 3000]);
    assert.deepEqual(s.countsByType, { meta: 1, token: 3 });
    assert.deepEqual(s.recentGapsMs, [100, 200, 300]);
    assert.equal(s.maxGapMs, 300);
  });

  it('keeps only the most recent gaps', function () {
    const stats = new StatsTracker();
    for (let i = 0; i <= RECENT_GAPS + 10; i++) {
      stats.event('token', i * i, true);
    }
    const gaps = stats.snapshot().recentGapsMs;
    assert.equal(gaps.length, RECENT_GAPS);
    assert.equal(gaps.at(-1), 2 * (RECENT_GAPS + 10) - 1);
    assert.equal(round(1.23456), 1.23);
  });

  it('has no rate with one token, or two at the same instant', function () {
    const one = new StatsTracker();
    one.event('token', 5, true);
    assert.equal(one.snapshot().tokensPerSecond, null);
    one.event('token', 5, true);
    assert.equal(one.snapshot().tokensPerSecond, null);
  });
});

describe('SSE response header checks', function () {
  it('judges Connection by the HTTP version: right on HTTP/1.x, forbidden on HTTP/2 and 3', function () {
    const connection = (value: string, version?: HttpVersion) => checkResponseHeaders([['Connection', value]], version).find((c) => c.header === 'Connection');
    assert.equal(connection('keep-alive'), undefined, 'HTTP/1.1 is the default: what our module sends is not flagged');
    assert.equal(connection('keep-alive', '1.0'), undefined);
    assert.equal(connection('close', '1.1')?.level, 'info');
    for (const version of ['2', '3'] as const) {
      const check = connection('keep-alive', version);
      assert.equal(check?.level, 'warning');
      assert.match(check?.message ?? '', new RegExp(`forbidden in HTTP/${version}`));
    }
  });

  const levels = (headers: [string, string][]) => Object.fromEntries(checkResponseHeaders(headers).map((c) => [c.header, c.level]));

  it('passes a well-configured stream', function () {
    assert.deepEqual(
      levels([
        ['Content-Type', 'text/event-stream; charset=utf-8'],
        ['Cache-Control', 'no-cache, no-transform'],
        ['X-Accel-Buffering', 'no'],
      ]),
      {
        'Content-Type': 'ok',
        'Cache-Control': 'ok',
        'X-Accel-Buffering': 'ok',
      },
    );
  });

  it('flags what buffers or breaks a stream', function () {
    assert.deepEqual(
      levels([
        ['content-type', 'application/json'],
        ['x-accel-buffering', 'yes'],
        ['content-encoding', 'gzip'],
      ]),
      { 'Content-Type': 'error', 'Cache-Control': 'warning', 'X-Accel-Buffering': 'warning', 'Content-Encoding': 'warning' },
    );
    assert.deepEqual(levels([]), { 'Content-Type': 'error', 'Cache-Control': 'warning', 'X-Accel-Buffering': 'info' });
    assert.deepEqual(levels([['Content-Encoding', 'identity']])['Content-Encoding'], undefined);
    const checks = checkResponseHeaders([['Content-Encoding', 'br']]);
    assert.equal(checks.find((c) => c.header === 'Content-Encoding')?.value, 'br');
  });
});

describe('SSE buffering detection', function () {
  it('warns once for a burst after a silence, and reports the burst\u2019s final size', function () {
    const detector = new BufferingDetector(0, [['Content-Encoding', 'gzip']]);
    const warnings = [];
    for (let i = 0; i < 5; i++) {
      assert.equal(detector.event(i * 20), undefined, 'a steady stream is fine');
    }
    for (let i = 0; i < 25; i++) {
      const w = detector.event(600 + i * 0.1);
      if (w) {
        warnings.push(w);
      }
    }
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.burstEvents, 10, 'raised as soon as the burst reached the threshold');
    assert.deepEqual({ ...detector.result!, causes: undefined }, { burstEvents: 25, silenceMs: 520, atMs: 600, causes: undefined });
    assert.match(detector.result!.causes[0]!, /^Response compression \(Content-Encoding: gzip\)/);
    for (let i = 0; i < 30; i++) {
      assert.equal(detector.event(2000 + i * 0.1), undefined, 'only the first burst is reported');
    }
  });

  it('does not warn for a fast stream without a silence, or a small burst', function () {
    const fast = new BufferingDetector(0);
    for (let i = 0; i < 1000; i++) {
      assert.equal(fast.event(1 + i * 0.05), undefined);
    }
    const small = new BufferingDetector(0);
    for (let i = 0; i < 9; i++) {
      assert.equal(small.event(1000 + i * 0.1), undefined);
    }
    assert.equal(small.result, null);
  });

  it('orders the causes by what the headers show', function () {
    assert.match(likelyCauses([['Server', 'nginx/1.22']])[0]!, /reverse proxy buffering the response \(this one says Server: nginx\/1\.22\)/);
    assert.match(likelyCauses([['Via', '1.1 proxy']])[0]!, /reverse proxy/);
    assert.match(likelyCauses([])[0]!, /^A blocked event loop/);
    assert.equal(likelyCauses([]).length, 4);
  });
});

describe('SSE transcripts', function () {
  it('exports one JSON object per event and line, with timings and chunks', function () {
    const transcript = new Transcript();
    transcript.add(event(0, 'a "quoted"\nline', 1.234));
    transcript.add(event(1, 'b', 2));
    assert.equal(
      transcript.toJsonl(),
      '{"event":"message","data":"a \\"quoted\\"\\nline","id":null,"t_ms":1.23,"chunk":0}\n{"event":"message","data":"b","id":"1","t_ms":2,"chunk":1}\n',
    );
    assert.deepEqual(eventRecord(event(1)), { event: 'message', data: 'x', id: '1', t_ms: 1 });
    assert.equal(transcriptLine(event(3)), '{"event":"message","data":"x","id":"3","t_ms":3,"chunk":3}');
  });

  it('stops keeping events at its limits and counts the rest', function () {
    const byCount = new Transcript({ maxEvents: 2, maxDataChars: 100 });
    for (let i = 0; i < 5; i++) {
      byCount.add(event(i));
    }
    assert.deepEqual([byCount.size, byCount.omitted], [2, 3]);
    const bySize = new Transcript({ maxEvents: 100, maxDataChars: 10 });
    bySize.add(event(0, '12345678'));
    bySize.add(event(1, '123'));
    bySize.add(event(2, '1'));
    assert.deepEqual([bySize.size, bySize.omitted], [1, 2], 'no gaps: once full, later events are all omitted');
    bySize.clear();
    assert.deepEqual([bySize.size, bySize.omitted, bySize.toJsonl()], [0, 0, '']);
  });
});

describe('SSE batcher', function () {
  /** A manual clock: timers fire only when the test advances time. */
  function manualClock() {
    let now = 0;
    let next = 0;
    const timers = new Map<number, { at: number; callback: () => void }>();
    return {
      timer: {
        set: (callback: () => void, ms: number) => {
          timers.set(++next, { at: now + ms, callback });
          return next;
        },
        clear: (handle: unknown) => void timers.delete(handle as number),
      },
      pending: () => timers.size,
      advance(ms: number) {
        now += ms;
        for (const [id, timer] of [...timers].filter(([, t]) => t.at <= now)) {
          timers.delete(id);
          timer.callback();
        }
      },
    };
  }

  it('hands items over once per interval, and at once on flush', function () {
    const clock = manualClock();
    const batches: number[][] = [];
    const batcher = new Batcher<number>((items) => batches.push(items), 20, clock.timer);
    batcher.push(1);
    batcher.push(2);
    assert.equal(clock.pending(), 1, 'one timer for the whole batch');
    clock.advance(19);
    assert.deepEqual(batches, [], 'nothing before the interval');
    clock.advance(1);
    assert.deepEqual(batches, [[1, 2]]);
    batcher.push(3);
    batcher.flush();
    batcher.flush();
    assert.deepEqual(batches, [[1, 2], [3]], 'flush hands over what is pending, and nothing twice');
    assert.equal(clock.pending(), 0, 'flush clears the timer');
    batcher.push(4);
    batcher.dispose();
    assert.equal(clock.pending(), 0, 'dispose clears the timer');
    clock.advance(100);
    assert.deepEqual(batches, [[1, 2], [3]], 'dispose drops pending items');
  });
});
