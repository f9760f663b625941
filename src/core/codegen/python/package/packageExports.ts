/**
 * Where each public name of the generated package lives: the module (relative to the package, dotted) whose
 * `__all__` lists it. Code that writes imports (the route, the quick fix) imports each name from its module;
 * test/unit/packageExports.test.ts holds this table to the files' `__all__`, so the two cannot drift.
 */
export const PACKAGE_EXPORTS = {
  format_sse: 'events',
  DEFAULT_PING_INTERVAL: 'response',
  EventStreamResponse: 'response',
  streaming_response: 'response',
  TextDelta: 'parts',
  ReasoningDelta: 'parts',
  ToolCallStart: 'parts',
  ToolCallDelta: 'parts',
  ToolCallEnd: 'parts',
  StreamPart: 'parts',
  TokenSource: 'parts',
  stream_tokens: 'tokens',
  stream_partial_results: 'partial',
  read_body: 'request_body',
  DEFAULT_MAX_BODY_BYTES: 'request_body',
  DEFAULT_MAX_MESSAGES: 'request_body',
  DEFAULT_MAX_TEXT_CHARS: 'request_body',
  Usage: 'finish',
  FinishReason: 'finish',
  FinishResult: 'finish',
  FinishedToolCall: 'finish',
  OnFinish: 'finish',
  FinishOnce: 'finish',
  with_on_finish: 'lifecycle',
  OnDisconnect: 'lifecycle',
  AnswerTimeout: 'lifecycle',
  DEFAULT_MAX_DURATION: 'lifecycle',
  GenAIUsage: 'telemetry',
  traced_stream: 'telemetry',
  UI_MESSAGE_STREAM_HEADERS: 'protocols.ai_sdk',
  UIChatRequest: 'protocols.ai_sdk',
  UIMessage: 'protocols.ai_sdk',
  UIMessagePart: 'protocols.ai_sdk',
  ui_message_stream: 'protocols.ai_sdk',
  ui_message_stream_response: 'protocols.ai_sdk',
  ChatCompletionMessage: 'protocols.openai_chat',
  ChatCompletionRequest: 'protocols.openai_chat',
  ChatCompletionStreamOptions: 'protocols.openai_chat',
  ChatContentPart: 'protocols.openai_chat',
  openai_chat_completion: 'protocols.openai_chat',
  openai_chat_completion_response: 'protocols.openai_chat',
  openai_chat_completion_stream: 'protocols.openai_chat',
  anthropic_text_stream: 'providers.anthropic',
  anthropic_stream_parts: 'providers.anthropic',
  openai_text_stream: 'providers.openai',
  openai_stream_parts: 'providers.openai',
  openai_responses_text_stream: 'providers.openai',
  openai_responses_stream_parts: 'providers.openai',
  ProviderStreamError: 'providers.openai',
  langchain_text_stream: 'providers.langchain',
  StreamStore: 'resumable.store',
  Batch: 'resumable.store',
  StoreUnavailable: 'resumable.store',
  MemoryStreamStore: 'resumable.store',
  StreamClosed: 'resumable.store',
  StreamFull: 'resumable.store',
  StreamInfo: 'resumable.store',
  RedisStreamStore: 'resumable.redis_store',
  ResumableStreamResponse: 'resumable.response',
  resumable_response: 'resumable.response',
  chat_stream_response: 'resumable.response',
  stop_response: 'resumable.stopping',
  until_stopped: 'resumable.stopping',
  default_store: 'resumable.response',
  DEFAULT_ABANDON_AFTER: 'resumable.response',
  DEFAULT_KEEP_FOR: 'resumable.response',
  sse_error_event: 'resumable.response',
  ai_sdk_error_event: 'resumable.response',
  openai_error_event: 'resumable.response',
} as const satisfies Record<string, string>;

/** A public name of the generated package. */
export type PackageName = keyof typeof PACKAGE_EXPORTS;

/** Every public name, in the table's order. */
export const PACKAGE_NAMES = Object.keys(PACKAGE_EXPORTS) as readonly PackageName[];

export function isPackageName(name: string): name is PackageName {
  return Object.hasOwn(PACKAGE_EXPORTS, name);
}
