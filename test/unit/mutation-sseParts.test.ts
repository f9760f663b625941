/**
 * readPartEvent and PartsAssembler (src/core/sse/parts.ts) event by event: the exact reading of each protocol's
 * reasoning and tool-call events, the payloads that carry none, and the assembler's bounds. Each test names the
 * Stryker mutants it kills (`npm run test:mutation -- sse --mutate src/core/sse/parts.ts`).
 */
import assert from 'node:assert/strict';
import { MAX_REASONING_CHARS, MAX_TOOL_ARGUMENT_CHARS, MAX_TOOL_CALLS, PartsAssembler, protocolFromHeaders, readPartEvent } from '../../src/core/sse/parts';
import type { PartReaderState } from '../../src/core/sse/parts';

const fresh = (): PartReaderState => ({ openAiCalls: new Map(), anthropicBlocks: new Map() });
const read = (event: string, json: unknown, state: PartReaderState = fresh()) => readPartEvent(event, JSON.stringify(json), state);
const chunk = (choices: unknown[]) => ({ object: 'chat.completion.chunk', choices });
const toolChunk = (toolCalls: unknown[]) => chunk([{ index: 0, delta: { tool_calls: toolCalls } }]);

describe('readPartEvent, event by event (mutation-tested)', () => {
  // Kills: `value.trim() === 'v1'` -> true, `value.trim()` -> `value`, the `&&` -> `||`, the name check -> true.
  it('protocolFromHeaders: the AI SDK header with v1 only', () => {
    assert.equal(protocolFromHeaders([['x-vercel-ai-ui-message-stream', ' v1 ']]), 'ai-sdk');
    assert.equal(protocolFromHeaders([['x-vercel-ai-ui-message-stream', 'v2']]), undefined);
    assert.equal(protocolFromHeaders([['x-other', 'v1']]), undefined);
  });

  // Kills: readSse's field checks (reasoning text, tool_call id, token/done/error fields: -> true / false), the
  // 'sse' literals, `json.input === undefined` -> false, the `input` spread's conditions and str() -> any value.
  it('sse: each event needs its fields', () => {
    assert.equal(read('reasoning', { text: 5 }), undefined);
    assert.deepEqual(read('reasoning', { text: 'r' }), { protocol: 'sse', reasoning: 'r' });
    assert.equal(read('tool_call', { name: 'n' }), undefined);
    assert.deepEqual(read('tool_call', { id: 'c', name: 5 }), { protocol: 'sse', toolCall: { id: 'c', name: '', arguments: '', done: true } });
    assert.deepEqual(read('tool_call', { id: 'c', name: 'n', arguments: '{"a"', input: { a: 1 } }), {
      protocol: 'sse',
      toolCall: { id: 'c', name: 'n', arguments: '{"a"', done: true },
    });
    assert.deepEqual(read('tool_call', { id: 'c', name: 'n', input: { a: 1 } }), {
      protocol: 'sse',
      toolCall: { id: 'c', name: 'n', arguments: '{"a":1}', input: { a: 1 }, done: true },
    });
    assert.deepEqual(read('done', { text: 'x' }), { protocol: 'sse' });
    assert.deepEqual(read('done', { result: 1 }), { protocol: 'sse' });
    assert.equal(read('done', { other: 1 }), undefined);
    assert.equal(read('token', { other: 1 }), undefined);
    assert.deepEqual(read('error', { message: 'm' }), { protocol: 'sse' });
    assert.equal(read('error', { message: 1 }), undefined);
  });

  // Kills: `type === 'error'` -> true (errorText on another type), `startsWith('data-')` -> `endsWith`, the content_block type check -> true,
  // readAiSdk's checks (delta, toolCallId, name, fragment: -> true / false) and its 'ai-sdk' literals.
  it('ai-sdk: chunk types, reasoning and tool input', () => {
    assert.equal(read('message', { type: 'error' }), undefined);
    assert.equal(read('message', { type: 'other', errorText: 'x' }), undefined);
    assert.deepEqual(read('message', { type: 'data-weather' }), { protocol: 'ai-sdk', chunkType: 'data-weather' });
    assert.equal(read('message', { type: 'other', delta: { type: 'thinking_delta', thinking: 'x' } }), undefined);
    assert.deepEqual(read('message', { type: 'reasoning-delta', delta: 5 }), { protocol: 'ai-sdk', chunkType: 'reasoning-delta' });
    assert.deepEqual(read('message', { type: 'reasoning-delta', delta: 'r' }), { protocol: 'ai-sdk', chunkType: 'reasoning-delta', reasoning: 'r' });
    assert.deepEqual(read('message', { type: 'tool-input-start', toolName: 'n' }), { protocol: 'ai-sdk', chunkType: 'tool-input-start' });
    assert.deepEqual(read('message', { type: 'tool-input-start', toolCallId: 'c', toolName: 'n' }), {
      protocol: 'ai-sdk',
      chunkType: 'tool-input-start',
      toolCall: { id: 'c', name: 'n' },
    });
    assert.deepEqual(read('message', { type: 'tool-input-delta', toolCallId: 'c', inputTextDelta: '{' }), {
      protocol: 'ai-sdk',
      chunkType: 'tool-input-delta',
      toolCall: { id: 'c', arguments: '{' },
    });
  });

  // Kills: the choice selection (`c !== undefined` -> true, the index checks), the optional chainings on choice,
  // delta and fn, obj() letting through null, a string or an array, the fragment index check, `call_${index}`,
  // and the finish checks (a null finish_reason, `size > 0` -> `>= 0` / true, `[...values()]` -> [], `at(-1)` -> `at(+1)`).
  it('openai: choices, reasoning, tool call fragments and the finish', () => {
    assert.deepEqual(read('message', chunk([])), { protocol: 'openai' });
    assert.deepEqual(read('message', chunk([{ index: 0 }])), { protocol: 'openai' });
    assert.deepEqual(read('message', chunk([5, { index: 1, delta: { reasoning_content: 'no' } }, { index: 0, delta: { reasoning_content: 'yes' } }])), {
      protocol: 'openai',
      reasoning: 'yes',
    });
    assert.deepEqual(read('message', chunk([{ delta: { reasoning: 'r' } }])), { protocol: 'openai', reasoning: 'r' });
    for (const fragment of ['x', [1], null]) {
      assert.deepEqual(read('message', toolChunk([fragment])), { protocol: 'openai' }, JSON.stringify(fragment));
    }
    assert.deepEqual(read('message', chunk([null, { delta: { reasoning: 'r' } }])), { protocol: 'openai', reasoning: 'r' });
    const state = fresh();
    assert.deepEqual(read('message', toolChunk([{ index: 3 }]), state), { protocol: 'openai', toolCall: { id: 'call_3' } });
    assert.deepEqual(read('message', toolChunk([{ index: '2', id: 'a' }]), state), { protocol: 'openai', toolCall: { id: 'a' } });
    assert.deepEqual(read('message', toolChunk([{ index: 0, function: { arguments: '{}' } }]), state), {
      protocol: 'openai',
      toolCall: { id: 'a', arguments: '{}' },
    });
    assert.deepEqual(read('message', toolChunk([{ index: 1, id: 'b', function: { name: 'n' } }]), state), {
      protocol: 'openai',
      toolCall: { id: 'b', name: 'n' },
    });
    assert.deepEqual(read('message', chunk([{ index: 0, delta: {}, finish_reason: null }]), state), { protocol: 'openai' });
    assert.deepEqual(read('message', chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]), state), {
      protocol: 'openai',
      toolCall: { id: 'b', done: true },
    });
    assert.deepEqual(read('message', chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]), state), { protocol: 'openai' });
    assert.deepEqual(read('message', chunk([{ index: 0, delta: {}, finish_reason: null }]), state), { protocol: 'openai' });
  });

  // Kills: the block index check (-> true / false / ''), `block?.id` / `block?.type`, the tool_use conditions,
  // `str(block.name) ?? ''`, the stop's `id === undefined`, and the thinking / input_json delta conditions.
  it('anthropic: content blocks by index', () => {
    const state = fresh();
    assert.equal(read('message', { type: 'content_block_start', index: 0 }, state), undefined);
    assert.equal(read('message', { type: 'content_block_start', index: 0, content_block: { type: 'text', id: 't' } }, state), undefined);
    assert.equal(read('message', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use' } }, state), undefined);
    assert.deepEqual(read('message', { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'tu' } }, state), {
      toolCall: { id: 'tu', name: '' },
    });
    const delta = (index: number | undefined, d: unknown) => read('message', { type: 'content_block_delta', index, delta: d }, state);
    assert.deepEqual(delta(2, { type: 'input_json_delta', partial_json: '{"a":' }), { toolCall: { id: 'tu', arguments: '{"a":' } });
    assert.equal(delta(0, { type: 'input_json_delta', partial_json: '{' }), undefined);
    assert.equal(delta(2, { type: 'input_json_delta', partial_json: 5 }), undefined);
    assert.equal(delta(2, { type: 'text_delta', partial_json: '{' }), undefined);
    assert.equal(delta(2, undefined), undefined);
    assert.deepEqual(delta(2, { type: 'thinking_delta', thinking: 't' }), { reasoning: 't' });
    assert.equal(delta(2, { type: 'thinking_delta', thinking: 5 }), undefined);
    assert.equal(delta(2, { type: 'text_delta', thinking: 't' }), undefined);
    assert.equal(read('message', { type: 'content_block_stop', index: 0 }, state), undefined);
    assert.deepEqual(read('message', { type: 'content_block_stop', index: 2 }, state), { toolCall: { id: 'tu', done: true } });
    assert.equal(read('message', { type: 'content_block_stop', index: 2 }, state), undefined);
    // No index: block 0.
    assert.deepEqual(read('message', { type: 'content_block_start', content_block: { type: 'tool_use', id: 'z', name: 'n' } }, state), {
      toolCall: { id: 'z', name: 'n' },
    });
    assert.deepEqual(delta(0, { type: 'input_json_delta', partial_json: '{}' }), { toolCall: { id: 'z', arguments: '{}' } });
  });
});

describe('PartsAssembler bounds (mutation-tested)', () => {
  // Kills: the reasoning trim (`+=` -> `-=`, `> MAX * 1.5` -> true / false / `>=` / `<=`, `MAX / 1.5`, the drop
  // arithmetic and slice) and the empty reasoning's '' default.
  it('reasoning: trimmed at more than 1.5 times the bound, to its end', () => {
    const parts = new PartsAssembler();
    assert.equal(parts.reasoning, '');
    const reason = (text: string) => parts.push('reasoning', JSON.stringify({ text }));
    reason('a'.repeat(300_000));
    assert.equal(parts.reasoningDropped, 0);
    reason('b'.repeat(MAX_REASONING_CHARS * 1.5 - 300_000));
    assert.equal(parts.reasoningDropped, 0);
    assert.equal(parts.reasoning.length, MAX_REASONING_CHARS * 1.5);
    reason('c');
    assert.equal(parts.reasoningDropped, MAX_REASONING_CHARS * 1.5 + 1 - MAX_REASONING_CHARS);
    assert.equal(parts.reasoning.length, MAX_REASONING_CHARS);
    assert.ok(parts.reasoning.endsWith('bc'));
    reason('d');
    assert.equal(parts.reasoning.length, MAX_REASONING_CHARS + 1);
  });

  // Kills: `before === undefined` -> true (a known call still updates past the bound).
  it('a known call still updates when the call bound is reached', () => {
    const parts = new PartsAssembler();
    for (let i = 0; i < MAX_TOOL_CALLS; i++) parts.push('message', JSON.stringify({ type: 'tool-input-start', toolCallId: `c${i}`, toolName: 'n' }));
    parts.push('message', JSON.stringify({ type: 'tool-input-start', toolCallId: 'extra', toolName: 'n' }));
    assert.equal(parts.toolCallsOmitted, 1);
    const update = parts.push('message', JSON.stringify({ type: 'tool-input-delta', toolCallId: 'c0', inputTextDelta: '{}' }));
    assert.deepEqual(update?.call, { id: 'c0', name: 'n', arguments: '{}', done: false });
  });

  // Kills: `MAX_TOOL_ARGUMENT_CHARS - args.length` -> `+`, `before?.name` -> `before.name`, `'input' in part`
  // -> '' (the given input wins over the arguments), `call.arguments === ''` -> false, and
  // `argumentsDropped === undefined` -> true (cut arguments are never parsed, even when the cut is JSON).
  it('tool calls: argument bound, names, given input, empty and cut arguments', () => {
    const parts = new PartsAssembler();
    const ai = (json: Record<string, unknown>) => parts.push('message', JSON.stringify(json));
    ai({ type: 'tool-input-delta', toolCallId: 'big', inputTextDelta: 'x'.repeat(MAX_TOOL_ARGUMENT_CHARS - 1000) });
    const big = ai({ type: 'tool-input-delta', toolCallId: 'big', inputTextDelta: 'y'.repeat(3000) });
    assert.equal(big?.call?.argumentsDropped, 2000);
    assert.equal(big?.call?.name, '');
    ai({ type: 'tool-input-start', toolCallId: 'given', toolName: 'n' });
    ai({ type: 'tool-input-delta', toolCallId: 'given', inputTextDelta: '{"a":' });
    const given = ai({ type: 'tool-input-available', toolCallId: 'given', input: { a: 1 } });
    assert.deepEqual(given?.call, { id: 'given', name: 'n', arguments: '{"a":', input: { a: 1 }, done: true });
    const empty = new PartsAssembler();
    empty.push('tool_call', '{"id":"e","name":"n"}');
    assert.deepEqual(empty.toolCalls, [{ id: 'e', name: 'n', arguments: '', input: {}, done: true }]);
    const cut = new PartsAssembler();
    cut.push('tool_call', JSON.stringify({ id: 'k', name: 'n', arguments: '1' + '0'.repeat(MAX_TOOL_ARGUMENT_CHARS + 10) }));
    const [call] = cut.toolCalls;
    assert.equal(call?.argumentsDropped, 11);
    assert.equal(call?.done, true);
    assert.equal('input' in call!, false);
  });
});
