/**
 * readTextEvent and TextAssembler (src/core/sse/text.ts) event by event: the exact reading of each wire format,
 * the payloads that are not text, and the assembler's trim and replace thresholds. Each test names the Stryker
 * mutants it kills (`npm run test:mutation -- sse --mutate src/core/sse/text.ts`).
 */
import assert from 'node:assert/strict';
import { MAX_ASSEMBLED_CHARS, parseObject, readTextEvent, TextAssembler } from '../../src/core/sse/text';

const read = (event: string, json: unknown, hint?: Parameters<typeof readTextEvent>[2]) => readTextEvent(event, JSON.stringify(json), hint);

describe('readTextEvent, event by event (mutation-tested)', () => {
  // Kills: parseObject's pre-check `data.charCodeAt(0) !== 0x7b` -> false, its `||` -> `&&` and its block emptied
  // (JSON.parse accepts a leading space; the pre-check does not).
  it('parseObject takes only data that starts with "{"', () => {
    assert.equal(parseObject(' {"a":1}'), undefined);
    assert.equal(parseObject(''), undefined);
    assert.deepEqual(parseObject('{"a":1}'), { a: 1 });
  });

  // Kills: `data === '[DONE]'` -> false, the hint checks (-> false, `&&`, '' literals), `{ format: hint, done: true }` -> {}.
  it('[DONE] ends an OpenAI or AI SDK stream only', () => {
    assert.deepEqual(readTextEvent('message', '[DONE]', 'openai'), { format: 'openai', done: true });
    assert.deepEqual(readTextEvent('message', '[DONE]', 'vercel-ai'), { format: 'vercel-ai', done: true });
    assert.equal(readTextEvent('message', '[DONE]'), undefined);
    assert.equal(readTextEvent('message', '[DONE]', 'catalyst'), undefined);
  });

  // Kills: readCatalyst's `typeof json.text === 'string'` -> true (token and done), 'catalyst' -> '',
  // `event === 'error'` -> true, and str()'s `typeof value === 'string'` -> true (a numeric error type).
  it('catalyst: token, done and error need their fields', () => {
    assert.equal(read('token', { text: 5 }), undefined);
    assert.equal(read('done', { token_count: 1 }), undefined);
    assert.deepEqual(read('done', { text: 'x' }), { format: 'catalyst', full: 'x', done: true });
    assert.deepEqual(read('done', { result: { a: 1 } }), { format: 'catalyst', done: true });
    assert.equal(read('token', { message: 'm' }), undefined);
    assert.deepEqual(read('error', { message: 'boom', type: 5 }), { format: 'catalyst', error: 'Error: boom' });
    assert.deepEqual(read('error', { message: 'boom', type: 'ValueError' }), { format: 'catalyst', error: 'ValueError: boom' });
    assert.equal(read('error', { message: 1 }), undefined);
  });

  // Kills: the object checks (`chat.completion.chunk || ...` -> true, 'text_completion' -> '' / `!==` / false),
  // `c === undefined` -> false, `done ||=` -> `&&=`, `json.object === undefined` -> true, `{ done }` -> {},
  // and obj()'s `value !== null` -> true (a null choice).
  it('openai chat and text completions, choice by choice', () => {
    assert.deepEqual(read('message', { object: 'text_completion', choices: [{ index: 0, text: 'hi' }] }), { format: 'openai', delta: 'hi' });
    assert.equal(read('message', { object: 'other', choices: [{ index: 0, text: 'hi' }] }), undefined);
    assert.deepEqual(read('message', { object: 'chat.completion.chunk', choices: [5, null, { index: 0, delta: { content: 'a' } }] }), {
      format: 'openai',
      delta: 'a',
    });
    assert.deepEqual(read('message', { object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }), {
      format: 'openai',
      done: true,
    });
    assert.deepEqual(read('message', { object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: null }] }), { format: 'openai' });
    assert.deepEqual(read('message', { choices: [{ index: 1, delta: { content: 'b' } }] }), undefined);
  });

  // Kills: `str(json.type) ?? event` -> `&&`, the delta checks (-> true, `||`), 'openai' -> '' on completed,
  // `error?.message` -> `error.message`, 'the response failed' -> '', and obj() returning an array or a string.
  it('openai responses: delta, completed, failed', () => {
    assert.deepEqual(read('response.output_text.delta', { delta: 'x' }), { format: 'openai', delta: 'x' });
    assert.equal(read('message', { type: 'response.output_text.delta', delta: 5 }), undefined);
    assert.deepEqual(read('message', { type: 'text-delta', delta: 'x' }), { format: 'vercel-ai', delta: 'x' });
    assert.deepEqual(read('message', { type: 'response.completed' }), { format: 'openai', done: true });
    assert.deepEqual(read('message', { type: 'response.failed' }), { format: 'openai', error: 'the response failed' });
    assert.deepEqual(read('message', { type: 'response.failed', error: [1], response: { error: { message: 'quota' } } }), {
      format: 'openai',
      error: 'quota',
    });
    assert.deepEqual(read('message', { type: 'response.failed', error: 'x', response: { error: { message: 'quota' } } }), {
      format: 'openai',
      error: 'quota',
    });
    assert.deepEqual(read('message', { error: { message: 'rate limited' } }), { format: 'openai', error: 'rate limited' });
  });

  // Kills: the text_delta checks (-> true, `||`, `delta?.type`), every 'anthropic' literal and `{ format }` -> {},
  // the event-type case labels, and the error's 'error' / '' defaults.
  it('anthropic: every message event', () => {
    assert.deepEqual(read('message', { type: 'content_block_delta', delta: { type: 'text_delta', text: 't' } }), { format: 'anthropic', delta: 't' });
    assert.deepEqual(read('message', { type: 'content_block_delta', delta: { type: 'text_delta', text: 5 } }), { format: 'anthropic' });
    assert.deepEqual(read('message', { type: 'content_block_delta', delta: { type: 'input_json_delta', text: 't' } }), { format: 'anthropic' });
    assert.deepEqual(read('message', { type: 'content_block_delta' }), { format: 'anthropic' });
    for (const type of ['message_start', 'content_block_start', 'content_block_stop', 'message_delta']) {
      assert.deepEqual(read('message', { type }), { format: 'anthropic' }, type);
    }
    assert.deepEqual(read('message', { type: 'message_stop' }), { format: 'anthropic', done: true });
    assert.deepEqual(read('message', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }), {
      format: 'anthropic',
      error: 'overloaded_error: Overloaded',
    });
    assert.deepEqual(read('message', { type: 'error', error: {} }), { format: 'anthropic', error: 'error: ' });
    assert.equal(read('message', { type: 'ping' }), undefined);
  });

  // Kills: every 'vercel-ai' literal and case label, `{ format, done: true }` -> {} / done false, and
  // `typeof json.errorText === 'string'` -> true.
  it('vercel ai: every text event', () => {
    for (const type of ['start', 'start-step', 'finish-step', 'text-start', 'text-end']) {
      assert.deepEqual(read('message', { type }), { format: 'vercel-ai' }, type);
    }
    assert.deepEqual(read('message', { type: 'finish' }), { format: 'vercel-ai', done: true });
    assert.deepEqual(read('message', { type: 'error', errorText: 'bad' }), { format: 'vercel-ai', error: 'bad' });
    assert.equal(read('message', { type: 'error' }), undefined);
    assert.equal(read('message', { type: 'text-delta', delta: 5 }), undefined);
    assert.equal(read('message', { type: 'reasoning-delta', delta: 'r' }), undefined);
  });
});

describe('TextAssembler thresholds (mutation-tested)', () => {
  // Kills: `done = false` -> true, `reading.done` -> true, `this.format ?? undefined` -> `&&` ([DONE] needs the
  // format the first chunk settled).
  it('is done only when the stream says so; [DONE] after a chunk without finish_reason', () => {
    const text = new TextAssembler();
    assert.equal(text.done, false);
    text.push('message', JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'a' } }] }));
    assert.equal(text.done, false);
    assert.equal(text.push('message', '[DONE]'), undefined);
    assert.equal(text.done, true);
    assert.equal(text.text, 'a');
  });

  // Kills: `reading.delta !== ''` -> true and '' -> "Stryker was here!" (an empty token is no token).
  it('an empty token appends nothing and counts no token', () => {
    const text = new TextAssembler();
    assert.equal(text.push('token', '{"text":""}'), undefined);
    assert.equal(text.tokens, 0);
  });

  // Kills: the trim threshold `> MAX * 1.5` -> `>=`, `<=`, `MAX / 1.5`.
  it('trims at more than 1.5 times the bound, to the bound', () => {
    const text = new TextAssembler();
    const token = (n: number) => text.push('token', JSON.stringify({ text: 'a'.repeat(n) }));
    token(300_000);
    assert.equal(text.dropped, 0);
    assert.equal(text.text.length, 300_000);
    token(MAX_ASSEMBLED_CHARS * 1.5 - 300_000);
    assert.equal(text.dropped, 0);
    token(1);
    assert.equal(text.dropped, MAX_ASSEMBLED_CHARS * 1.5 + 1 - MAX_ASSEMBLED_CHARS);
    assert.equal(text.text.length, MAX_ASSEMBLED_CHARS);
  });

  // Kills: `reading.full.length !== this.dropped + this.length` -> false and the `||` -> `&&` (a final text that
  // ends with the assembled one but is longer replaces it).
  it('a longer final text that ends with the assembled one replaces it', () => {
    const text = new TextAssembler();
    text.push('token', '{"text":"b"}');
    assert.deepEqual(text.push('done', '{"text":"ab"}'), { delta: 'ab', replaced: true });
    assert.equal(text.text, 'ab');
    assert.equal(text.push('done', '{"text":"ab"}'), undefined);
  });
});
