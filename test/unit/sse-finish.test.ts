/** The finish reason, usage and model a stream reports about itself (finish.ts), in each wire format. */
import assert from 'node:assert/strict';
import { FinishAssembler, readFinishEvent, readUsage } from '../../src/core/sse/finish';
import { readPartEvent } from '../../src/core/sse/parts';
import { parseObject } from '../../src/core/sse/text';

function assemble(events: ReadonlyArray<readonly [event: string, data: string]>): FinishAssembler {
  const finish = new FinishAssembler();
  for (const [event, data] of events) {
    finish.push(event, parseObject(data));
  }
  return finish;
}

describe('stream finish: reason, usage, model', function () {
  it('sse: the done event of a generated route', function () {
    const finish = assemble([
      ['token', '{"text":"Hi"}'],
      [
        'done',
        '{"text":"Hi","token_count":1,"finish_reason":"completed","usage":{"input_tokens":12,"output_tokens":3,"cached_input_tokens":8,"reasoning_tokens":1}}',
      ],
    ]);
    assert.deepEqual(finish.current, {
      finishReason: 'completed',
      usage: { inputTokens: 12, outputTokens: 3, cachedInputTokens: 8, reasoningTokens: 1 },
    });
  });

  it('ai-sdk: the finish chunk’s messageMetadata, in the AI SDK’s names or ours', function () {
    const camel = assemble([
      ['message', '{"type":"start","messageId":"m"}'],
      ['message', '{"type":"text-delta","id":"t","delta":"Hi"}'],
      ['message', '{"type":"finish","messageMetadata":{"finishReason":"stop","model":"gpt-4o","usage":{"inputTokens":5,"outputTokens":2,"totalTokens":7}}}'],
    ]);
    assert.deepEqual(camel.current, { finishReason: 'stop', model: 'gpt-4o', usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 } });
    const snake = assemble([['message', '{"type":"finish","messageMetadata":{"finish_reason":"stopped","usage":{"input_tokens":5,"output_tokens":1}}}']]);
    assert.deepEqual(snake.current, { finishReason: 'stopped', usage: { inputTokens: 5, outputTokens: 1 } });
  });

  it('openai: finish_reason on the last choice, then the usage chunk (include_usage)', function () {
    const chunk = (fields: Record<string, unknown>) => JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'm', ...fields });
    const finish = assemble([
      ['message', chunk({ choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] })],
      ['message', chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })],
      [
        'message',
        chunk({
          choices: [],
          usage: {
            prompt_tokens: 9,
            completion_tokens: 4,
            total_tokens: 13,
            prompt_tokens_details: { cached_tokens: 2 },
            completion_tokens_details: { reasoning_tokens: 1 },
          },
        }),
      ],
      ['message', '[DONE]'],
    ]);
    assert.deepEqual(finish.current, {
      finishReason: 'stop',
      usage: { inputTokens: 9, outputTokens: 4, totalTokens: 13, cachedInputTokens: 2, reasoningTokens: 1 },
    });
  });

  it('anthropic: input and model from message_start, output and stop reason from message_delta, merged', function () {
    const finish = assemble([
      ['message_start', '{"type":"message_start","message":{"model":"claude-x","usage":{"input_tokens":20,"cache_read_input_tokens":4,"output_tokens":1}}}'],
      ['message_delta', '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":15}}'],
    ]);
    assert.deepEqual(finish.current, { model: 'claude-x', finishReason: 'end_turn', usage: { inputTokens: 20, cachedInputTokens: 4, outputTokens: 15 } });
  });

  it('the Responses API: response.completed', function () {
    const data =
      '{"type":"response.completed","response":{"status":"completed","model":"o4","usage":{"input_tokens":3,"output_tokens":2,"output_tokens_details":{"reasoning_tokens":1}}}}';
    assert.deepEqual(readFinishEvent('response.completed', parseObject(data)), {
      finishReason: 'completed',
      model: 'o4',
      usage: { inputTokens: 3, outputTokens: 2, reasoningTokens: 1 },
    });
  });

  it('says nothing for events without them, and ignores counts that are not counts', function () {
    assert.equal(readFinishEvent('token', parseObject('{"text":"x"}')), undefined);
    assert.equal(readFinishEvent('done', parseObject('{"text":"x","usage":{"input_tokens":"many","output_tokens":-1}}')), undefined);
    assert.equal(readFinishEvent('done', undefined), undefined);
    assert.equal(readUsage([1, 2]), undefined);
    assert.equal(assemble([['token', '{"text":"x"}']]).current, null);
  });
});

describe('ai-sdk chunk type per event', function () {
  it('names the chunk type of each UI message stream event, and of no other protocol’s', function () {
    const state = { openAiCalls: new Map<number, string>(), anthropicBlocks: new Map<number, string>() };
    const types = [
      '{"type":"text-delta","id":"t","delta":"a"}',
      '{"type":"reasoning-delta","id":"r","delta":"b"}',
      '{"type":"tool-input-start","toolCallId":"c","toolName":"f"}',
    ].map((data) => readPartEvent('message', data, state)?.chunkType);
    assert.deepEqual(types, ['text-delta', 'reasoning-delta', 'tool-input-start']);
    assert.equal(readPartEvent('token', '{"text":"a"}', state)?.chunkType, undefined);
  });
});
