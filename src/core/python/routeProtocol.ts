/**
 * Which wire protocol a route speaks, read from its handler's code: the generated encoder it calls (names fixed
 * by the issue 10 contract, and the responses the generated routes return around them): `ui_message_stream(...)` /
 * `ui_message_stream_response(...)` -> ai-sdk, `openai_chat_completion_stream(...)`, `openai_chat_completion(...)` /
 * `openai_chat_completion_response(...)` -> openai; any other event stream -> sse (our `stream_tokens` events).
 * Called as a name or an attribute (`streaming.ui_message_stream`): the names are ours and distinctive.
 */
import type { StreamProtocol } from '../../protocol/stream';
import type { Route } from './analysis';
import { requiredField } from './syntax';

// A Map, not an object literal: a handler calling `x.constructor()` or `x.toString()` must not find a protocol.
export const ENCODER_PROTOCOLS: ReadonlyMap<string, StreamProtocol> = new Map([
  ['stream_tokens', 'sse'],
  ['ui_message_stream', 'ai-sdk'],
  // What the generated ai-sdk and openai routes return (the encoders wrapped in their responses).
  ['ui_message_stream_response', 'ai-sdk'],
  ['openai_chat_completion_stream', 'openai'],
  ['openai_chat_completion', 'openai'],
  ['openai_chat_completion_response', 'openai'],
]);

/** The route's protocol; null when the route does not stream and calls none of the encoders. */
export function routeProtocol(route: Route): StreamProtocol | null {
  let found: StreamProtocol | null = null;
  for (const name of calledNames(route)) {
    const protocol = ENCODER_PROTOCOLS.get(name);
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
  return calledNames(route).includes('resumable_response');
}

/**
 * The names the route's handler calls, in source order: `f` of `f(...)` and of `x.f(...)`; none for a handler
 * defined in another module. Any other callee gives its text (`f()`, `items[0]`), which is never a bare name.
 */
function calledNames(route: Route): string[] {
  const calls = route.handler === undefined ? [] : requiredField(route.handler.node, 'body').descendantsOfType('call');
  return calls.map((call) => {
    const callee = requiredField(call!, 'function');
    return callee.type === 'attribute' ? requiredField(callee, 'attribute').text : callee.text;
  });
}
