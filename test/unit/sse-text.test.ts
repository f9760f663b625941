/** Text assembly from the token stream formats the preview understands. */
import assert from 'node:assert/strict';
import { readTextEvent, TextAssembler } from '../../src/core/sse/text';

function assemble(events: ReadonlyArray<readonly [event: string, data: string]>): TextAssembler {
  const assembler = new TextAssembler();
  for (const [event, data] of events) {
    assembler.push(event, data);
  }
  return assembler;
}

describe('SSE text assembly', function () {
  it('reads our token/done events, and takes the done text when it differs', function () {
    const a = assemble([
      ['token', '{"text":"Hel"}'],
      ['token', '{"text":"lo"}'],
      ['done', '{"text":"Hello","token_count":2}'],
    ]);
    assert.deepEqual([a.text, a.format, a.done, a.tokens], ['Hello', 'catalyst', true, 2]);
    const replaced = new TextAssembler();
    replaced.push('token', '{"text":"Hel"}');
    assert.deepEqual(replaced.push('done', '{"text":"Hello!"}'), { delta: 'Hello!', replaced: true });
    assert.equal(replaced.text, 'Hello!');
    assert.equal(replaced.push('done', '{"text":"Hello!"}'), undefined, 'the same text again changes nothing');
  });

  it('reads an in-band error event and a partial-results done', function () {
    const a = assemble([['error', '{"type":"RuntimeError","message":"upstream timeout"}']]);
    assert.equal(a.error, 'RuntimeError: upstream timeout');
    assert.deepEqual(readTextEvent('done', '{"result":[1,2]}'), { format: 'catalyst', done: true });
  });

  it('reads OpenAI Chat Completions chunks, choice 0 only, and [DONE] once the format is known', function () {
    const chunk = (content: string, extra = '') =>
      `{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}}${extra}},{"index":1,"delta":{"content":"other"}}]}`;
    const a = assemble([
      ['message', '{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant"}}]}'],
      ['message', chunk('Hi')],
      ['message', chunk(' there', ',"finish_reason":"stop"')],
      ['message', '[DONE]'],
    ]);
    assert.deepEqual([a.text, a.format, a.done, a.tokens], ['Hi there', 'openai', true, 2]);
    assert.equal(readTextEvent('message', '[DONE]'), undefined, '[DONE] alone says nothing about the format');
    assert.deepEqual(readTextEvent('message', '{"choices":[{"text":"legacy"}]}'), { format: 'openai', delta: 'legacy' });
    assert.equal(readTextEvent('message', '{"choices":[]}'), undefined, 'an untyped object with empty choices is not claimed');
  });

  it('reads OpenAI Responses events and stream errors', function () {
    const a = assemble([
      ['response.output_text.delta', '{"type":"response.output_text.delta","delta":"Yes"}'],
      ['response.completed', '{"type":"response.completed"}'],
    ]);
    assert.deepEqual([a.text, a.format, a.done], ['Yes', 'openai', true]);
    assert.deepEqual(readTextEvent('message', '{"error":{"message":"rate limited"}}'), { format: 'openai', error: 'rate limited' });
    assert.deepEqual(readTextEvent('response.failed', '{"type":"response.failed","response":{"error":{"message":"bad"}}}'), { format: 'openai', error: 'bad' });
  });

  it('reads Anthropic Messages events: text deltas only, then message_stop', function () {
    const a = assemble([
      ['message_start', '{"type":"message_start","message":{}}'],
      ['content_block_start', '{"type":"content_block_start","index":0}'],
      ['content_block_delta', '{"type":"content_block_delta","delta":{"type":"text_delta","text":"Bon"}}'],
      ['content_block_delta', '{"type":"content_block_delta","delta":{"type":"input_json_delta","partial_json":"{"}}'],
      ['content_block_delta', '{"type":"content_block_delta","delta":{"type":"text_delta","text":"jour"}}'],
      ['content_block_stop', '{"type":"content_block_stop"}'],
      ['message_delta', '{"type":"message_delta"}'],
      ['message_stop', '{"type":"message_stop"}'],
    ]);
    assert.deepEqual([a.text, a.format, a.done, a.tokens], ['Bonjour', 'anthropic', true, 2]);
    assert.deepEqual(readTextEvent('error', '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'), {
      format: 'anthropic',
      error: 'overloaded_error: Overloaded',
    });
  });

  it('reads the Vercel AI SDK UI message stream', function () {
    const a = assemble([
      ['message', '{"type":"start","messageId":"m1"}'],
      ['message', '{"type":"text-start","id":"t"}'],
      ['message', '{"type":"text-delta","id":"t","delta":"Hey"}'],
      ['message', '{"type":"text-end","id":"t"}'],
      ['message', '{"type":"finish"}'],
      ['message', '[DONE]'],
    ]);
    assert.deepEqual([a.text, a.format, a.done, a.tokens], ['Hey', 'vercel-ai', true, 1]);
    assert.deepEqual(readTextEvent('message', '{"type":"error","errorText":"boom"}'), { format: 'vercel-ai', error: 'boom' });
    assert.equal(readTextEvent('message', '{"type":"text-delta"}'), undefined);
  });

  it('leaves anything else alone', function () {
    for (const data of ['plain text', '', '[1,2]', '{not json', '{"hello":"world"}', 'null']) {
      assert.equal(readTextEvent('message', data), undefined, data);
    }
    const a = assemble([['message', '{"hello":"world"}']]);
    assert.deepEqual([a.text, a.format, a.tokens], ['', null, 0]);
  });
});
