/**
 * The preview model's reducer (src/core/sse/preview/model.ts) and the Batcher (batcher.ts) at their edges: what
 * each message changes and reports, the reasoning and tool-call parts, the bounds. Each test names the Stryker
 * mutants it kills (`npm run test:mutation -- sse --mutate src/core/sse/preview/model.ts`).
 */
import assert from 'node:assert/strict';
import { apply, Batcher, emptyModel, persisted, redirectText, TEXT_LIMIT, type Changes } from '../../src/core/sse/preview';
import type { EventView, HostMessage } from '../../src/protocol/preview';
import type { ToolCallView } from '../../src/protocol/stream';
import { batchMessage } from '../support/previewMessages';

const request = { url: 'http://127.0.0.1:8000/s', method: 'GET', headers: [] } as const;
const event = (seq: number, id: string | null = null, data = 'd'): EventView => ({ seq, event: 'token', id, tMs: seq, chunk: 0, data });
const batch = batchMessage;

describe('preview model reducer (mutation-tested)', () => {
  // Kills: emptyModel's reasoning '' -> "Stryker was here!" and toolCalls [] -> ["Stryker was here"], the
  // setRequest case and `changes.all = true` -> false for setRequest and started.
  it('starts empty; setRequest and started redraw everything', () => {
    const model = emptyModel(request);
    assert.equal(model.reasoning, '');
    assert.deepEqual(model.toolCalls, []);
    const other = { ...request, url: 'http://127.0.0.1:8000/other' };
    const changes: Changes = {};
    apply(model, { type: 'setRequest', request: other }, changes);
    assert.equal(model.request, other);
    assert.equal(changes.all, true);
    assert.equal(model.status.kind, 'idle');
    const started: Changes = {};
    apply(model, { type: 'started', run: 1, request }, started);
    assert.equal(started.all, true);
  });

  // Kills: `events.length > EVENT_WINDOW` -> true (a negative drop counted as hidden), `length - 1` -> `+ 1`
  // and `last !== undefined` -> false (the last event's id), `message.text !== ''` -> true (an empty text is no change).
  it('a small batch hides nothing, remembers the last id, and reports no text when there is none', () => {
    const model = emptyModel(request);
    const changes: Changes = {};
    apply(model, batch({ events: [event(0, 'a'), event(1, 'b')] }), changes);
    assert.equal(model.hidden, 0);
    assert.equal(model.lastEventId, 'b');
    assert.equal(changes.text, undefined);
    assert.equal(changes.parts, undefined, 'no protocol, reasoning or tool call changed');
  });

  // Kills: the response object -> {} and its `{ redirects }` -> {}, and redirectText's parts (no coverage before).
  it('a response keeps its status, headers and redirects; a redirect reads as one line', () => {
    const model = emptyModel(request);
    const same = { status: 307, from: 'http://127.0.0.1/a', to: 'http://127.0.0.1/b', crossOrigin: false, droppedHeaders: [] };
    const other = { status: 302, from: 'http://127.0.0.1/b', to: 'http://localhost/c', crossOrigin: true, droppedHeaders: ['Authorization', 'X-Key'] };
    apply(model, { type: 'response', run: 0, status: 200, headers: [['a', 'b']], checks: [], redirects: [same, other] }, {});
    assert.deepEqual(model.response, { status: 200, headers: [['a', 'b']], checks: [], redirects: [same, other] });
    assert.equal(model.status.kind, 'streaming');
    apply(model, { type: 'response', run: 0, status: 204, headers: [], checks: [], redirects: [] }, {});
    assert.deepEqual(model.response, { status: 204, headers: [], checks: [] });
    assert.equal(redirectText(same), '307 -> http://127.0.0.1/b');
    assert.equal(redirectText(other), '302 -> http://localhost/c (another origin; not sent there: Authorization, X-Key)');
    assert.equal(redirectText({ ...other, droppedHeaders: [] }), '302 -> http://localhost/c (another origin)');
  });

  // Kills: the text trim `> TEXT_LIMIT * 1.5` -> `>=` and `TEXT_LIMIT / 1.5`.
  it('text is trimmed past 1.5 times the limit only', () => {
    const model = emptyModel(request);
    apply(model, batch({ text: 'a'.repeat(300_000) }), {});
    assert.equal(model.textDropped, 0);
    apply(model, batch({ text: 'b'.repeat(TEXT_LIMIT * 1.5 - 300_000) }), {});
    assert.equal(model.textDropped, 0);
    assert.equal(model.text.length, TEXT_LIMIT * 1.5);
  });

  // Kills: applyParts's change condition (each side -> true / false, `||` -> `&&`, `> 0` -> `>= 0` / `<= 0`),
  // the reasoning append and its trim (`+=` -> `-=`, the 1.5 bound, the drop), and the tool call update by id.
  it('parts: protocol, reasoning and tool calls, each reported as a change', () => {
    const model = emptyModel(request);
    const step = (fields: Partial<Extract<HostMessage, { type: 'batch' }>>): Changes => {
      const changes: Changes = {};
      apply(model, batch(fields), changes);
      return changes;
    };
    assert.equal(step({ protocol: 'sse' }).parts, true);
    assert.equal(step({ protocol: 'sse' }).parts, undefined);
    assert.equal(step({ protocol: 'sse', reasoning: 'Think ' }).parts, true);
    assert.equal(step({ protocol: 'sse', reasoning: 'twice.' }).parts, true);
    assert.equal(model.reasoning, 'Think twice.');
    const call = (id: string, args: string): ToolCallView => ({ id, name: 'n', arguments: args, done: false });
    assert.equal(step({ protocol: 'sse', toolCalls: [call('a', '{')] }).parts, true);
    step({ protocol: 'sse', toolCalls: [call('b', '')], toolCallsOmitted: 2 });
    step({ protocol: 'sse', toolCalls: [call('a', '{}')] });
    assert.deepEqual(model.toolCalls, [call('a', '{}'), call('b', '')]);
    assert.equal(model.toolCallsOmitted, 0);
    step({ protocol: 'sse', reasoning: 'r'.repeat(300_000) });
    assert.equal(model.reasoningDropped, 0);
    step({ protocol: 'sse', reasoning: 'r'.repeat(TEXT_LIMIT * 1.5 - 300_000 - 'Think twice.'.length) });
    assert.equal(model.reasoningDropped, 0);
    step({ protocol: 'sse', reasoning: 'z' });
    assert.equal(model.reasoningDropped, TEXT_LIMIT * 1.5 + 1 - TEXT_LIMIT);
    assert.equal(model.reasoning.length, TEXT_LIMIT);
    assert.ok(model.reasoning.endsWith('rz'));
  });

  // Kills: persisted's `e.data.length > cut` -> true / `>=` (data of exactly 1024 characters is kept as it is).
  it('persisted cuts only event data longer than 1024 characters', () => {
    const model = emptyModel(request);
    apply(model, batch({ events: [event(0, null, 'x'.repeat(1024)), event(1, null, 'y'.repeat(1025))] }), {});
    const [kept, cut] = persisted(model).events;
    assert.deepEqual(kept, event(0, null, 'x'.repeat(1024)));
    assert.equal(cut?.data.length, 1024);
    assert.equal(cut?.fullLength, 1025);
  });
});

describe('Batcher timer (mutation-tested)', () => {
  // Kills: flush's `timer !== undefined` -> true / false / `===` and its block emptied (the timer is cleared once
  // and a later push starts a new one), dispose's check -> true, and dispose's `items = []` -> ["Stryker was here"].
  it('flush clears its timer, a later push sets a new one, dispose drops pending items', () => {
    const sets: Array<() => void> = [];
    const clears: unknown[] = [];
    const clock = { set: (callback: () => void) => sets.push(callback), clear: (handle: unknown) => clears.push(handle) };
    const batches: number[][] = [];
    const batcher = new Batcher<number>((items) => batches.push(items), 20, clock);
    batcher.flush();
    assert.deepEqual(clears, []);
    batcher.push(1);
    batcher.push(2);
    assert.equal(sets.length, 1);
    batcher.flush();
    assert.deepEqual(batches, [[1, 2]]);
    assert.deepEqual(clears, [1]);
    batcher.push(3);
    assert.equal(sets.length, 2);
    batcher.dispose();
    assert.deepEqual(clears, [1, 2]);
    batcher.dispose();
    assert.deepEqual(clears, [1, 2]);
    batcher.flush();
    assert.deepEqual(batches, [[1, 2]]);
  });
});
