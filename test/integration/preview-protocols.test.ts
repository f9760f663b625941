/**
 * The preview's protocol detection and assembly against the real generated encoders (stream_tokens,
 * ui_message_stream_response, openai_chat_completion_response in the generated streaming.py), fed one scripted
 * source of typed parts by the streaming fixture app on real uvicorn: what the preview's StreamSession assembles
 * is exactly what the source produced, for each protocol. (The hand-written fixture routes in
 * test/fixtures/sse/app.py cover the CLI and the webview; this pins the real bytes.)
 */
import assert from 'node:assert/strict';
import { StreamSession } from '../../src/core/sse/session';
import { startStreamingApp, type StreamingApp } from '../support/streamingApp';

/** The scripted source: reasoning, text, a tool call in fragments, a second call, more text. */
const PARTS = [
  { reasoning: 'Think ' },
  { reasoning: 'twice.' },
  'Hello',
  { text: ', world' },
  { tool_start: ['call_a', 'get_weather'] },
  { tool_args: ['call_a', '{"city":'] },
  { tool_args: ['call_a', '"Paris"}'] },
  { tool_end: 'call_a' },
  { tool_start: ['call_b', 'get_time'] },
  { tool_args: ['call_b', '{}'] },
  { tool_end: 'call_b' },
  '!',
];

describe('preview: protocol detection and assembly on the generated encoders', function () {
  let app: StreamingApp;

  before(async function () {
    app = await startStreamingApp();
  });

  after(async function () {
    await app?.stop();
  });

  for (const protocol of ['sse', 'ai-sdk', 'openai'] as const) {
    it(protocol, async function () {
      const session = new StreamSession({
        url: `${app.server.baseUrl}/protocol/${protocol}/preview-${protocol}`,
        method: 'POST',
        headers: [],
        body: JSON.stringify({ parts: PARTS }),
      });
      const result = await session.run({ idleTimeoutMs: 30_000 });
      assert.equal(result.outcome.kind, 'completed');
      assert.equal(session.parts.protocol, protocol);
      assert.equal(session.text.text, 'Hello, world!');
      assert.equal(session.parts.reasoning, 'Think twice.');
      assert.deepEqual(
        session.parts.toolCalls.map(({ id, name, input, done }) => ({ id, name, input, done })),
        [
          { id: 'call_a', name: 'get_weather', input: { city: 'Paris' }, done: true },
          { id: 'call_b', name: 'get_time', input: {}, done: true },
        ],
      );
    });
  }
});
