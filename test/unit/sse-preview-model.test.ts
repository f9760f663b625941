/** The preview model both sides fold host messages into: bounded, and late messages of a replaced run ignored. */
import assert from 'node:assert/strict';
import type { StreamStats } from '../../src/protocol/stream';
import {
  apply,
  cleared,
  emptyModel,
  EVENT_WINDOW,
  NOTICE_LIMIT,
  PERSISTED_EVENTS,
  persisted,
  runOutcome,
  TEXT_LIMIT,
  type Changes,
} from '../../src/core/sse/preview';
import type { EventView, HostMessage } from '../../src/protocol/preview';
import { isHostMessage, isWebviewMessage, postToHost, postToWebview } from '../../src/protocol/preview';
import { batchMessage } from '../support/previewMessages';

const request = { url: 'http://127.0.0.1:8000/s', method: 'GET', headers: [] } as const;
const stats = { events: 0 } as unknown as StreamStats;
const events = (from: number, count: number, data = 'd'): EventView[] =>
  Array.from({ length: count }, (_, i) => ({ seq: from + i, event: 'token', id: null, tMs: from + i, chunk: 0, data }));
const batch = (run: number, list: EventView[], text = '', textReplaced = false): HostMessage => batchMessage({ run, events: list, text, textReplaced });

describe('preview model', function () {
  it('keeps a bounded window of events and counts the hidden ones', function () {
    const model = emptyModel(request);
    apply(model, { type: 'started', run: 1, request }, {});
    const changes: Changes = {};
    apply(model, batch(1, events(0, EVENT_WINDOW)), changes);
    apply(model, batch(1, events(EVENT_WINDOW, 120)), changes);
    assert.equal(model.events.length, EVENT_WINDOW);
    assert.equal(model.events[0]!.seq, 120);
    assert.equal(model.hidden, 120);
    assert.equal(changes.events?.length, EVENT_WINDOW + 120, 'the view gets every new event and draws what it can');
    assert.equal(model.status.kind, 'connecting');
  });

  it('appends text, replaces it on textReplaced, and drops its start past the limit', function () {
    const model = emptyModel(request);
    const changes: Changes = {};
    apply(model, batch(0, [], 'Hel'), changes);
    apply(model, batch(0, [], 'lo'), changes);
    // Read through a function: an assertion on `model.text` would narrow its type for the lines after it.
    const text = () => model.text;
    assert.equal(text(), 'Hello');
    assert.deepEqual(changes.text, { appended: 'Hello' });
    apply(model, batch(0, [], 'Bye', true), changes);
    assert.equal(text(), 'Bye');
    assert.equal(changes.text, 'reset');
    apply(model, batch(0, [], 'x'.repeat(TEXT_LIMIT * 2)), {});
    assert.equal(text().length, TEXT_LIMIT);
    assert.equal(model.textDropped, TEXT_LIMIT + 3);
  });

  it('bounds notices, follows the run to its end, and ignores messages of a replaced run', function () {
    const model = emptyModel(request);
    apply(model, { type: 'started', run: 2, request }, {});
    const notice = { kind: 'malformed-line', message: 'm', tMs: 1 } as const;
    apply(
      model,
      { ...(batch(2, events(0, 1)) as Extract<HostMessage, { type: 'batch' }>), notices: Array.from({ length: NOTICE_LIMIT + 5 }, () => notice) },
      {},
    );
    assert.deepEqual([model.notices.length, model.noticesOmitted], [NOTICE_LIMIT, 5]);
    apply(model, { type: 'response', run: 2, status: 200, headers: [['a', 'b']], checks: [] }, {});
    assert.equal(model.status.kind, 'streaming');
    const warning = { burstEvents: 10, silenceMs: 300, atMs: 5, causes: [] };
    apply(model, { type: 'buffering', run: 2, warning }, {});
    apply(model, batch(1, events(50, 3)), {});
    assert.equal(model.events.length, 1, 'a batch of run 1 arriving after run 2 started is ignored');
    apply(model, { type: 'ended', run: 2, end: { kind: 'completed' }, lastEventId: '9', stats, textError: 'E' }, {});
    assert.deepEqual([model.status.kind, model.lastEventId, model.textError, model.buffering], ['completed', '9', 'E', warning]);
    apply(model, { type: 'exported', path: '/tmp/t.jsonl', events: 1, omitted: 0 }, {});
    const again = cleared(model);
    assert.deepEqual([again.events.length, again.run, again.lastEventId, again.status.kind], [0, 2, '9', 'idle']);
  });

  it('takes a snapshot whole, and a new request', function () {
    const host = emptyModel(request);
    apply(host, { type: 'started', run: 3, request }, {});
    apply(host, batch(3, events(0, 2), 'hi'), {});
    const view = emptyModel({ url: '', method: 'GET', headers: [] });
    const changes: Changes = {};
    apply(view, { type: 'snapshot', model: structuredClone(host) }, changes);
    assert.deepEqual(view, host);
    assert.equal(changes.all, true);
    const other = { url: 'http://127.0.0.1:1/x', method: 'POST', headers: [], body: '{}' };
    apply(view, { type: 'setRequest', request: other }, {});
    assert.deepEqual(view.request, other);
  });

  it('saves long event data cut short', function () {
    const model = emptyModel(request);
    apply(model, batch(0, [...events(0, 1, 'y'.repeat(5000)), ...events(1, 1, 'short')]), {});
    const saved = persisted(model);
    assert.equal(saved.events[0]!.data.length, 1024);
    assert.equal(saved.events[0]!.fullLength, 5000);
    assert.equal(saved.events[1]!.data, 'short');
    assert.equal(model.events[0]!.data.length, 5000, 'the live model is untouched');
  });
});

describe('run outcome: one status per outcome', function () {
  const ended = (end: Extract<HostMessage, { type: 'ended' }>['end'], textError: string | null, responded = true) => {
    const model = emptyModel(request);
    apply(model, { type: 'started', run: 1, request }, {});
    if (responded) {
      apply(model, { type: 'response', run: 1, status: 200, headers: [], checks: [] }, {});
    }
    apply(model, { type: 'ended', run: 1, end, lastEventId: null, stats, textError }, {});
    return runOutcome(model);
  };
  const failure = (kind: 'unexpected-end' | 'idle-timeout' | 'network' | 'connection-refused' | 'http-status') =>
    ({ kind: 'failed', failure: { kind, message: `${kind} message`, url: 'u', status: 500, body: '', idleMs: 1 } }) as const;

  it('completed, error event, connection lost, stopped, failed', function () {
    assert.deepEqual(ended({ kind: 'completed' }, null), { kind: 'completed' });
    assert.deepEqual(ended({ kind: 'completed' }, 'RateLimitError: slow down'), { kind: 'error-event', message: 'RateLimitError: slow down' });
    assert.deepEqual(ended(failure('unexpected-end'), 'E'), { kind: 'error-event', message: 'E' }, 'the error the stream sent is the news');
    assert.deepEqual(ended({ kind: 'stopped' }, 'E'), { kind: 'stopped' }, 'the user stopped it');
    for (const kind of ['unexpected-end', 'idle-timeout', 'network'] as const) {
      assert.deepEqual(ended(failure(kind), null), { kind: 'connection-lost', message: `${kind} message` }, kind);
    }
    assert.equal(ended(failure('network'), null, false).kind, 'failed', 'no response yet: it never connected');
    assert.equal(ended(failure('connection-refused'), null, false).kind, 'failed');
    assert.equal(ended(failure('http-status'), null).kind, 'failed');
    const running = emptyModel(request);
    assert.equal(runOutcome(running).kind, 'idle');
    apply(running, { type: 'started', run: 1, request }, {});
    assert.equal(runOutcome(running).kind, 'connecting');
  });

  it('keeps the finish a batch reports, and forgets it on the next run', function () {
    const model = emptyModel(request);
    apply(model, { type: 'started', run: 1, request }, {});
    apply(model, batchMessage({ run: 1, finish: { finishReason: 'stop', usage: { inputTokens: 3 } } }), {});
    apply(model, batchMessage({ run: 1 }), {});
    assert.deepEqual(model.finish, { finishReason: 'stop', usage: { inputTokens: 3 } }, 'a batch without one keeps it');
    apply(model, { type: 'started', run: 2, request }, {});
    assert.equal(model.finish, null);
  });

  it('saves the newest events only, counting the rest as hidden', function () {
    const model = emptyModel(request);
    apply(model, batch(0, events(0, PERSISTED_EVENTS + 10)), {});
    const saved = persisted(model);
    assert.equal(saved.events.length, PERSISTED_EVENTS);
    assert.equal(saved.events[0]!.seq, 10);
    assert.equal(saved.hidden, 10);
  });
});

describe('preview protocol', function () {
  it('recognises each side\u2019s messages and nothing else', function () {
    for (const type of ['ready', 'send', 'stop', 'reconnect', 'clear', 'export', 'startServer', 'saveRequest', 'history']) {
      assert.ok(isWebviewMessage({ type }), type);
      assert.ok(!isHostMessage({ type }), type);
    }
    for (const type of ['snapshot', 'setRequest', 'started', 'response', 'batch', 'buffering', 'ended', 'exported']) {
      assert.ok(isHostMessage({ type }), type);
    }
    for (const value of [null, undefined, 'ready', 42, {}, { type: 'eval' }, []]) {
      assert.ok(!isWebviewMessage(value) && !isHostMessage(value), String(value));
    }
  });

  it('posts through the given target', function () {
    const sent: unknown[] = [];
    postToHost({ postMessage: (m) => sent.push(m) }, { type: 'stop' });
    assert.equal(postToWebview({ postMessage: (m) => sent.push(m) > 0 }, { type: 'exported', path: 'p', events: 0, omitted: 0 }), true);
    assert.deepEqual(sent, [{ type: 'stop' }, { type: 'exported', path: 'p', events: 0, omitted: 0 }]);
  });
});
