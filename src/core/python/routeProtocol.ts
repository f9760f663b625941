/**
 * Which wire protocol a route speaks, read from its handler's code: the generated encoder it calls (names fixed
 * by the issue 10 contract, and the responses the generated routes return around them): `ui_message_stream(...)` /
 * `ui_message_stream_response(...)` -> ai-sdk, `openai_chat_completion_stream(...)`, `openai_chat_completion(...)` /
 * `openai_chat_completion_response(...)` -> openai; any other event stream -> sse (our `stream_tokens` events).
 * Called as a name or an attribute (`streaming.ui_message_stream`): the names are ours and distinctive.
 */
import type { StreamProtocol } from '../../protocol/stream';
import type { Route } from './analysis';

export const ENCODER_PROTOCOLS: Readonly<Record<string, StreamProtocol>> = {
  stream_tokens: 'sse',
  ui_message_stream: 'ai-sdk',
  // What the generated ai-sdk and openai routes return (the encoders wrapped in their responses).
  ui_message_stream_response: 'ai-sdk',
  openai_chat_completion_stream: 'openai',
  openai_chat_completion: 'openai',
  openai_chat_completion_response: 'openai',
};

/** The route's protocol; null when the route does not stream and calls none of the encoders. */
export function routeProtocol(route: Route): StreamProtocol | null {
  const body = route.handler?.node.childForFieldName('body');
  let found: StreamProtocol | null = null;
  for (const call of body?.descendantsOfType('call') ?? []) {
    const callee = call?.childForFieldName('function');
    const name = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.type === 'identifier' ? callee.text : undefined;
    const protocol = name === undefined ? undefined : ENCODER_PROTOCOLS[name];
    // The AI SDK's and OpenAI's encoders are what set a route apart; stream_tokens alone is ours.
    if (protocol !== undefined && protocol !== 'sse') {
      return protocol;
    }
    found ??= protocol ?? null;
  }
  return found ?? (route.streamsSse ? 'sse' : null);
}

/** Whether the route streams through the package's resumable response (`resumable_response(...)`). */
export function routeIsResumable(route: Route): boolean {
  const body = route.handler?.node.childForFieldName('body');
  return (body?.descendantsOfType('call') ?? []).some((call) => {
    const callee = call?.childForFieldName('function');
    const name = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.type === 'identifier' ? callee.text : undefined;
    return name === 'resumable_response';
  });
}
