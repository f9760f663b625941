/** Protocol detection, reasoning and tool calls (parts.ts) for the three protocols of the issue 10 contract. */
import assert from 'node:assert/strict';
import { MAX_TOOL_ARGUMENT_CHARS, MAX_TOOL_CALLS, PartsAssembler, protocolFromHeaders } from '../../src/core/sse/parts';

function assemble(events: ReadonlyArray<readonly [event: string, data: string]>, headers: ReadonlyArray<readonly [string, string]> = []): PartsAssembler {
  const parts = new PartsAssembler();
  parts.headers(headers);
  for (const [event, data] of events) {
    parts.push(event, data);
  }
  return parts;
}

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });

describe('stream parts: protocol, reasoning, tool calls', function () {
  it('sse: reasoning events and a complete tool_call event', function () {
    const parts = assemble([
      ['reasoning', '{"text":"Think "}'],
      ['reasoning', '{"text":"first."}'],
      ['token', '{"text":"Hi"}'],
      ['tool_call', '{"id":"call_1","name":"get_weather","input":{"city":"Paris"}}'],
      ['tool_call', '{"id":"call_2","name":"raw","arguments":"{not json"}'],
      ['done', '{"text":"Hi","token_count":1}'],
    ]);
    assert.equal(parts.protocol, 'sse');
    assert.equal(parts.reasoning, 'Think first.');
    assert.deepEqual(parts.toolCalls, [
      { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', input: { city: 'Paris' }, done: true },
      { id: 'call_2', name: 'raw', arguments: '{not json', done: true },
    ]);
  });

  it('ai-sdk: the header settles the protocol before any event; reasoning and streamed tool input', function () {
    assert.equal(protocolFromHeaders([['X-Vercel-AI-UI-Message-Stream', 'v1']]), 'ai-sdk');
    assert.equal(protocolFromHeaders([['content-type', 'text/event-stream']]), undefined);
    const headerOnly = assemble([], [['x-vercel-ai-ui-message-stream', 'v1']]);
    assert.equal(headerOnly.protocol, 'ai-sdk');
    const parts = assemble([
      ['message', '{"type":"start","messageId":"m1"}'],
      ['message', '{"type":"reasoning-start","id":"r1"}'],
      ['message', '{"type":"reasoning-delta","id":"r1","delta":"Let me "}'],
      ['message', '{"type":"reasoning-delta","id":"r1","delta":"see."}'],
      ['message', '{"type":"reasoning-end","id":"r1"}'],
      ['message', '{"type":"tool-input-start","toolCallId":"call_1","toolName":"get_weather"}'],
      ['message', '{"type":"tool-input-delta","toolCallId":"call_1","inputTextDelta":"{\\"city\\":"}'],
      ['message', '{"type":"tool-input-delta","toolCallId":"call_1","inputTextDelta":"\\"Paris\\"}"}'],
    ]);
    assert.equal(parts.protocol, 'ai-sdk', 'detected from the events alone (no header)');
    assert.equal(parts.reasoning, 'Let me see.');
    assert.deepEqual(parts.toolCalls, [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', done: false }]);
    const available = parts.push('message', '{"type":"tool-input-available","toolCallId":"call_1","toolName":"get_weather","input":{"city":"Paris"}}');
    assert.deepEqual(available?.call, { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', input: { city: 'Paris' }, done: true });
  });

  it('openai: reasoning_content and tool_calls fragments keyed by index, completed by finish_reason', function () {
    const parts = assemble([
      ['message', chunk({ role: 'assistant', content: '' })],
      ['message', chunk({ reasoning_content: 'Hmm, ' })],
      ['message', chunk({ reasoning: 'weather.' })],
      ['message', chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] })],
      ['message', chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] })],
      ['message', chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } }] })],
      ['message', chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] })],
    ]);
    assert.equal(parts.protocol, 'openai');
    assert.equal(parts.reasoning, 'Hmm, weather.');
    assert.deepEqual(
      parts.toolCalls.map((c) => [c.id, c.name, c.arguments, c.done]),
      [
        ['call_a', 'get_weather', '{"city":"Paris"}', false],
        ['call_b', 'get_time', '{}', false],
      ],
    );
    parts.push('message', chunk({}, 'tool_calls'));
    assert.deepEqual(
      parts.toolCalls.map((c) => [c.id, c.done, c.input]),
      [
        ['call_a', true, { city: 'Paris' }],
        ['call_b', true, {}],
      ],
    );
    assert.equal(parts.push('message', '[DONE]'), undefined);
  });

  it('anthropic: thinking_delta and a tool_use block (no protocol of ours)', function () {
    const parts = assemble([
      ['content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"ok"}}'],
      ['content_block_start', '{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"lookup","input":{}}}'],
      ['content_block_delta', '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"q\\": 1}"}}'],
      ['content_block_stop', '{"type":"content_block_stop","index":1}'],
    ]);
    assert.equal(parts.protocol, null);
    assert.equal(parts.reasoning, 'ok');
    assert.deepEqual(parts.toolCalls, [{ id: 'toolu_1', name: 'lookup', arguments: '{"q": 1}', input: { q: 1 }, done: true }]);
  });

  it('the first protocol seen sticks; other streams and non-JSON data say nothing', function () {
    assert.equal(
      assemble([
        ['message', 'plain text'],
        ['message', '{"hello":1}'],
        ['error', '{"type":"error","error":{}}'],
      ]).protocol,
      null,
    );
    assert.equal(
      assemble([
        ['token', '{"text":"a"}'],
        ['message', chunk({ content: 'b' })],
      ]).protocol,
      'sse',
    );
    // Anthropic's error has a `type: "error"` too, but no errorText: not the AI SDK's.
    assert.equal(assemble([['message', '{"type":"error","error":{"type":"overloaded_error"}}']]).protocol, null);
    assert.equal(assemble([['message', '{"type":"error","errorText":"boom"}']]).protocol, 'ai-sdk');
  });

  it('stays bounded: tool calls counted beyond the limit, arguments cut at their start', function () {
    const parts = new PartsAssembler();
    for (let i = 0; i < MAX_TOOL_CALLS + 5; i++) {
      parts.push('tool_call', JSON.stringify({ id: `c${i}`, name: 'f', input: {} }));
    }
    assert.equal(parts.toolCalls.length, MAX_TOOL_CALLS);
    assert.equal(parts.toolCallsOmitted, 5);
    const big = new PartsAssembler();
    big.push('message', '{"type":"tool-input-start","toolCallId":"x","toolName":"f"}');
    big.push('message', JSON.stringify({ type: 'tool-input-delta', toolCallId: 'x', inputTextDelta: 'a'.repeat(MAX_TOOL_ARGUMENT_CHARS + 10) }));
    assert.equal(big.toolCalls[0]!.arguments.length, MAX_TOOL_ARGUMENT_CHARS);
    assert.equal(big.toolCalls[0]!.argumentsDropped, 10);
  });
});
