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

export interface StreamingModuleOptions {
  /** Default seconds of silence before a `: ping` keep-alive comment (Python's DEFAULT_PING_INTERVAL). */
  readonly pingInterval?: number;
}

interface ResolvedOptions {
  readonly pingInterval: number;
}

export const DEFAULT_STREAMING_MODULE_OPTIONS: ResolvedOptions = { pingInterval: 15 };

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

/** The line of files/streaming.py that carries the ping interval, as it stands in the file. */
const PING_INTERVAL_LINE = 'DEFAULT_PING_INTERVAL = 15.0\n';

/** Returns the text of `streaming.py` (LF line endings; the planner converts to the target file's style). */
export async function renderStreamingModule(options: StreamingModuleOptions = {}): Promise<string> {
  const resolved: ResolvedOptions = { ...DEFAULT_STREAMING_MODULE_OPTIONS, ...options };
  if (!Number.isFinite(resolved.pingInterval) || resolved.pingInterval <= 0) {
    throw new RangeError(`pingInterval must be a positive number of seconds, got ${resolved.pingInterval}`);
  }
  const source = streamingPy.replace(/\r\n/g, '\n');
  const at = source.indexOf(`\n${PING_INTERVAL_LINE}`);
  if (at < 0 || source.indexOf(`\n${PING_INTERVAL_LINE}`, at + 1) >= 0) {
    throw new Error(`files/streaming.py must contain the line ${JSON.stringify(PING_INTERVAL_LINE)} exactly once`);
  }
  const body = source.replace(`\n${PING_INTERVAL_LINE}`, `\nDEFAULT_PING_INTERVAL = ${pythonFloat(resolved.pingInterval)}\n`);
  return withGeneratedHeader(body, { generator: 'Catalyst Streaming', version: CATALYST_VERSION });
}

/** A Python float literal: 15 -> "15.0", 2.5 -> "2.5". */
function pythonFloat(value: number): string {
  const text = String(value);
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}
