/** The names a route imports from the streaming package, by protocol, resumability and token source. */
import {
  CHAT_REQUEST_MODEL,
  CHAT_STREAM_RESPONSE,
  READ_BODY_FUNCTION,
  RESUMABLE_RESPONSE_CLASS,
  RESUMABLE_RESPONSE_FUNCTION,
  STOP_RESPONSE,
  UNTIL_STOPPED,
} from '../../codegen/python/templates/route.py';
import type { TokenSourceCode } from '../../codegen/python/templates/tokenSources.py';
import type { EndpointPlanning } from './planning';

/** What a route with an on_finish hook imports from the package besides its encoder. */
const LIFECYCLE_NAMES = ['FinishResult', 'with_on_finish'] as const;

/** What every resumable route imports: the response, and what its stop endpoint needs. */
const RESUMABLE_NAMES = [RESUMABLE_RESPONSE_CLASS, RESUMABLE_RESPONSE_FUNCTION, STOP_RESPONSE, UNTIL_STOPPED] as const;

/** What the handler imports from the streaming module: the protocol's encoder and request model, the source's adapter. */
export function streamingNames({ request, method, protocol }: EndpointPlanning, source: TokenSourceCode, lifecycle: boolean): string[] {
  // A POST route reads its body within limits (request_body.py); every chat route is a POST.
  const readBody = method === 'POST' || protocol !== 'sse' ? [READ_BODY_FUNCTION] : [];
  switch (protocol) {
    case 'sse': {
      // A resumable route responds through the package's resumable response instead.
      if (request.resumable === true) {
        const answer = lifecycle ? [...LIFECYCLE_NAMES, ...source.answer.streamingNames] : source.streamingNames;
        return ['stream_tokens', ...RESUMABLE_NAMES, ...readBody, ...answer];
      }
      const encoders = ['EventStreamResponse', 'stream_tokens', 'streaming_response', ...readBody];
      return lifecycle ? [...encoders, ...LIFECYCLE_NAMES, ...source.answer.streamingNames] : [...encoders, ...source.streamingNames];
    }
    case 'ai-sdk': {
      const encoders =
        request.resumable === true
          ? ['UI_MESSAGE_STREAM_HEADERS', 'ui_message_stream', 'ai_sdk_error_event', CHAT_STREAM_RESPONSE, ...RESUMABLE_NAMES]
          : ['EventStreamResponse', 'ui_message_stream_response'];
      return [CHAT_REQUEST_MODEL['ai-sdk'], ...readBody, ...encoders, ...(lifecycle ? LIFECYCLE_NAMES : []), ...source.chat.streamingNames];
    }
    case 'openai': {
      const encoders = request.resumable === true ? ['openai_chat_completion_stream', 'openai_error_event', ...RESUMABLE_NAMES] : [];
      return [
        CHAT_REQUEST_MODEL.openai,
        ...readBody,
        'openai_chat_completion_response',
        ...encoders,
        ...(lifecycle ? LIFECYCLE_NAMES : []),
        ...source.chat.streamingNames,
      ];
    }
  }
}
