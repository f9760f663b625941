/**
 * The request body each streaming protocol's clients send, defined once: the client snippets (fetch, httpx,
 * curl) and the preview's prefilled body all send these, so a body that works in one works in the others.
 * Pure: plain JSON values in, nothing else.
 *
 * - sse: our generated routes read `{"prompt"}` on POST (and `?prompt=` on GET);
 * - ai-sdk: what the AI SDK's DefaultChatTransport posts for `sendMessage({ text })` (node_modules/ai,
 *   HttpChatTransport.sendMessages: `{ ...body, id, messages, trigger, messageId }`, messageId left out by
 *   JSON.stringify when undefined); the user message is `{ id, role: "user", parts: [{ type: "text", text }] }`;
 * - openai: a Chat Completions request with `stream: true`.
 */
import type { StreamProtocol } from '../../protocol/stream';

/** The model name the OpenAI-shaped bodies send; the generated route echoes it. */
export const EXAMPLE_MODEL = 'catalyst';
/** What the examples ask. */
export const EXAMPLE_PROMPT = 'Hello!';

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** The AI SDK's chat request for one user message, as DefaultChatTransport sends it. */
export function aiSdkChatBody(prompt: string, ids: { readonly chat: string; readonly message: string } = { chat: 'chat-1', message: 'message-1' }): JsonValue {
  return {
    id: ids.chat,
    messages: [{ id: ids.message, role: 'user', parts: [{ type: 'text', text: prompt }] }],
    trigger: 'submit-message',
  };
}

/** A streaming Chat Completions request for one user message. */
export function openAiChatBody(prompt: string, model: string = EXAMPLE_MODEL): JsonValue {
  return { model, messages: [{ role: 'user', content: prompt }], stream: true };
}

/** The body a POST to a route speaking `protocol` sends for `prompt`. */
export function protocolRequestBody(protocol: StreamProtocol, prompt: string = EXAMPLE_PROMPT): JsonValue {
  switch (protocol) {
    case 'sse':
      return { prompt };
    case 'ai-sdk':
      return aiSdkChatBody(prompt);
    case 'openai':
      return openAiChatBody(prompt);
  }
}
