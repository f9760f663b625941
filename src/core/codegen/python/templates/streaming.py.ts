/**
 * The generated Python module `streaming.py`: SSE formatting, an unbuffered event-stream response, token
 * streaming, concurrent partial results and the provider adapters, for FastAPI.
 *
 * The Python is the real file `../files/streaming.py` (bundled as text), which `npm run lint:python` holds
 * to ruff, `ruff format`, black and pyright strict. The one templated part is the `DEFAULT_PING_INTERVAL`
 * line. The result starts with the generated header (generatedHeader.ts): the generator version and a
 * checksum of the code, so later runs can tell an untouched module (safe to update) from one its owner
 * edited (never touched). Pure and deterministic: the same options give the same bytes.
 */
import { CATALYST_VERSION } from '../../../version';
import streamingPy from '../files/streaming.py';
import { withGeneratedHeader } from '../generatedHeader';
import { DEFAULT_PING_INTERVAL_SECONDS, withPingInterval } from '../package/pingInterval';

export interface StreamingModuleOptions {
  /** Default seconds of silence before a `: ping` keep-alive comment (Python's DEFAULT_PING_INTERVAL). */
  readonly pingInterval?: number;
}

interface ResolvedOptions {
  readonly pingInterval: number;
}

export const DEFAULT_STREAMING_MODULE_OPTIONS: ResolvedOptions = { pingInterval: DEFAULT_PING_INTERVAL_SECONDS };

/** Names the provider-adapter section of the module defines. */
export const PROVIDER_ADAPTER_EXPORTS = [
  'anthropic_stream_parts',
  'anthropic_text_stream',
  'langchain_text_stream',
  'openai_responses_stream_parts',
  'openai_responses_text_stream',
  'openai_stream_parts',
  'openai_text_stream',
  'ProviderStreamError',
] as const;

/** The typed parts a token source may yield besides plain text (files/streaming.py "Stream parts"). */
export const STREAM_PART_EXPORTS = ['ReasoningDelta', 'StreamPart', 'TextDelta', 'TokenSource', 'ToolCallDelta', 'ToolCallEnd', 'ToolCallStart'] as const;

/** The protocol encoders, their response helpers and the request bodies of the protocol routes. */
export const PROTOCOL_EXPORTS = [
  'ChatCompletionMessage',
  'ChatCompletionRequest',
  'ChatCompletionStreamOptions',
  'ChatContentPart',
  'UI_MESSAGE_STREAM_HEADERS',
  'UIChatRequest',
  'UIMessage',
  'UIMessagePart',
  'openai_chat_completion',
  'openai_chat_completion_response',
  'openai_chat_completion_stream',
  'ui_message_stream',
  'ui_message_stream_response',
] as const;

/** Public names of the generated module, for code that imports from it. */
export const STREAMING_MODULE_EXPORTS = [
  'DEFAULT_PING_INTERVAL',
  'EventStreamResponse',
  'format_sse',
  'stream_partial_results',
  'stream_tokens',
  'streaming_response',
  ...STREAM_PART_EXPORTS,
  ...PROTOCOL_EXPORTS,
  ...PROVIDER_ADAPTER_EXPORTS,
] as const;

/** Returns the text of `streaming.py` (LF line endings; the planner converts to the target file's style). */
export async function renderStreamingModule(options: StreamingModuleOptions = {}): Promise<string> {
  const resolved: ResolvedOptions = { ...DEFAULT_STREAMING_MODULE_OPTIONS, ...options };
  const body = withPingInterval(streamingPy.replace(/\r\n/g, '\n'), resolved.pingInterval, 'files/streaming.py');
  return withGeneratedHeader(body, { generator: 'Catalyst Streaming', version: CATALYST_VERSION });
}
