/**
 * The bodies the LLM providers send, per API, as their API references document them (sources in ./server.ts).
 * Pure functions from "the answer" (a list of text tokens) to JSON bodies or SSE event lists; ./server.ts
 * puts them on the wire.
 */

/** One Server-Sent Event as the provider writes it: an optional `event:` line and one `data:` line. */
export interface ProviderEvent {
  readonly event?: string;
  readonly data: string;
}

export type ApiName = 'anthropic' | 'openai-chat' | 'openai-responses' | 'azure-chat' | 'groq-chat';

/** A tool call the model makes after its text: the call's id, the tool's name, its JSON arguments in fragments. */
export interface ProviderToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: readonly string[];
}

/** Token counts the provider reports instead of its defaults (12 prompt tokens, one output token per delta). */
export interface ProviderUsage {
  /** The whole prompt, cached tokens included. */
  readonly input: number;
  readonly output: number;
  readonly cached: number;
  readonly reasoning: number;
}

/** What the model says besides its text: reasoning before it, tool calls after it, its usage (all optional). */
export interface AnswerExtras {
  readonly reasoning?: readonly string[];
  readonly toolCalls?: readonly ProviderToolCall[];
  readonly usage?: ProviderUsage;
}

const json = (value: unknown) => JSON.stringify(value);
const named = (event: string, body: Record<string, unknown>): ProviderEvent => ({ event, data: json({ type: event, ...body }) });

// --- Anthropic Messages -----------------------------------------------------------------------------------------

const ANTHROPIC_MODEL = 'claude-haiku-4-5';

function anthropicMessage(id: string, model: string, content: unknown[], stopReason: string | null, outputTokens: number, usage?: ProviderUsage) {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    // Anthropic's input_tokens leave out the tokens read from the cache.
    usage: usage
      ? { input_tokens: usage.input - usage.cached, output_tokens: outputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: usage.cached }
      : { input_tokens: 12, output_tokens: outputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

export function anthropicMessageBody(id: string, model: string | undefined, tokens: readonly string[]): unknown {
  return anthropicMessage(id, model ?? ANTHROPIC_MODEL, [{ type: 'text', text: tokens.join('') }], 'end_turn', tokens.length);
}

/**
 * message_start, content_block_start, ping, one content_block_delta (text_delta) per token, content_block_stop,
 * message_delta (stop_reason, usage), message_stop. Every event is named and its data repeats the name in "type".
 */
export function anthropicEvents(id: string, model: string | undefined, tokens: readonly string[], extras: AnswerExtras = {}) {
  // Extended thinking: a "thinking" block first, its text in thinking_delta events, then its signature in one
  // signature_delta. Tool use: a "tool_use" block per call after the text, its input as input_json_delta
  // fragments (partial_json), and stop_reason "tool_use" ("Streaming Messages": content block delta types).
  const thinking: ProviderEvent[] = [];
  if (extras.reasoning) {
    thinking.push(
      named('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
      ...extras.reasoning.map((text) => named('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: text } })),
      named('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds' } }),
      named('content_block_stop', { index: 0 }),
    );
  }
  const textIndex = thinking.length > 0 ? 1 : 0;
  const tools = (extras.toolCalls ?? []).flatMap((call, i) => {
    const index = textIndex + 1 + i;
    return [
      named('content_block_start', { index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } }),
      ...['', ...call.arguments].map((partial) => named('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: partial } })),
      named('content_block_stop', { index }),
    ];
  });
  const stopReason = tools.length > 0 ? 'tool_use' : 'end_turn';
  return {
    head: [
      named('message_start', { message: anthropicMessage(id, model ?? ANTHROPIC_MODEL, [], null, 1, extras.usage) }),
      ...thinking,
      named('content_block_start', { index: textIndex, content_block: { type: 'text', text: '' } }),
      named('ping', {}),
    ],
    token: (text: string) => named('content_block_delta', { index: textIndex, delta: { type: 'text_delta', text } }),
    tail: [
      named('content_block_stop', { index: textIndex }),
      ...tools,
      named('message_delta', {
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage: extras.usage
          ? { output_tokens: extras.usage.output, output_tokens_details: { thinking_tokens: extras.usage.reasoning } }
          : { output_tokens: tokens.length },
      }),
      named('message_stop', {}),
    ],
    /** An error after the stream started: `event: error` with the same body as an HTTP error. */
    error: (type: string, message: string) => ({ event: 'error', data: json(anthropicErrorBody(type, message)) }),
  };
}

export function anthropicErrorBody(type: string, message: string): unknown {
  return { type: 'error', error: { type, message } };
}

// --- OpenAI Chat Completions (OpenAI, Azure OpenAI, Groq) -------------------------------------------------------

const CREATED = 1_764_000_000;

function chunk(id: string, model: string, choices: unknown[], extra: Record<string, unknown> = {}) {
  return { id, object: 'chat.completion.chunk', created: CREATED, model, system_fingerprint: 'fp_local', choices, ...extra };
}

export function chatCompletionBody(id: string, model: string, tokens: readonly string[]): unknown {
  return {
    id,
    object: 'chat.completion',
    created: CREATED,
    model,
    system_fingerprint: 'fp_local',
    choices: [{ index: 0, message: { role: 'assistant', content: tokens.join(''), refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: tokens.length, total_tokens: 12 + tokens.length },
  };
}

/**
 * Unnamed events: a first chunk with the role and empty content, one chunk per token with `delta.content`, a
 * chunk with `finish_reason: "stop"` and an empty delta, a usage chunk with empty `choices` when
 * `stream_options.include_usage` was asked for, then the `data: [DONE]` sentinel. Azure adds a first chunk with
 * empty `choices` and `prompt_filter_results`; Groq adds `x_groq` (the request id, and usage at the end).
 */
export function chatCompletionEvents(
  api: 'openai-chat' | 'azure-chat' | 'groq-chat',
  id: string,
  model: string,
  tokens: readonly string[],
  includeUsage: boolean,
  extras: AnswerExtras = {},
) {
  const delta = (d: Record<string, unknown>, finish: string | null = null) => [{ index: 0, delta: d, logprobs: null, finish_reason: finish }];
  const extra = (d: Record<string, unknown>): ProviderEvent => ({ data: json(chunk(id, model, delta(d))) });
  // Reasoning: Groq streams it as delta.reasoning (reasoning_format "parsed"); OpenAI-compatible servers such as
  // DeepSeek's and vLLM's as delta.reasoning_content. Tool calls: the first delta of a call has its index, id,
  // type and function name with empty arguments, the next ones (same index) argument fragments; the last chunk
  // has finish_reason "tool_calls" (API reference, "The chat completion chunk object": delta.tool_calls).
  const reasoningField = api === 'groq-chat' ? 'reasoning' : 'reasoning_content';
  const reasoning = (extras.reasoning ?? []).map((text) => extra({ [reasoningField]: text }));
  const tools = (extras.toolCalls ?? []).flatMap((call, index) => [
    extra({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }),
    ...call.arguments.map((fragment) => extra({ tool_calls: [{ index, function: { arguments: fragment } }] })),
  ]);
  const finishReason = tools.length > 0 ? 'tool_calls' : 'stop';
  const given = extras.usage;
  const usage = given
    ? {
        prompt_tokens: given.input,
        completion_tokens: given.output,
        total_tokens: given.input + given.output,
        prompt_tokens_details: { cached_tokens: given.cached },
        completion_tokens_details: { reasoning_tokens: given.reasoning },
      }
    : { prompt_tokens: 12, completion_tokens: tokens.length, total_tokens: 12 + tokens.length };
  const head: ProviderEvent[] = [];
  if (api === 'azure-chat') {
    head.push({ data: json({ ...chunk('', '', []), prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] }) });
  }
  head.push({ data: json(chunk(id, model, delta({ role: 'assistant', content: '' }), api === 'groq-chat' ? { x_groq: { id: `req_${id}` } } : {})) });
  head.push(...reasoning);
  const tail: ProviderEvent[] = [
    ...tools,
    { data: json(chunk(id, model, delta({}, finishReason), api === 'groq-chat' ? { x_groq: { id: `req_${id}`, usage } } : {})) },
  ];
  if (includeUsage) {
    tail.push({ data: json(chunk(id, model, [], { usage })) });
  }
  tail.push({ data: '[DONE]' });
  return {
    head,
    token: (text: string): ProviderEvent => ({ data: json(chunk(id, model, delta({ content: text }))) }),
    tail,
    /** An error after the stream started: a data line whose object has "error" (the SDKs raise APIError on it). */
    error: (type: string, message: string): ProviderEvent => ({ data: json(openaiErrorBody(type, message)) }),
  };
}

export function openaiErrorBody(type: string, message: string): unknown {
  return { error: { message, type, param: null, code: null } };
}

// --- OpenAI Responses --------------------------------------------------------------------------------------------

function response(id: string, model: string, status: string, output: unknown[], outputTokens: number | null, given?: ProviderUsage) {
  return {
    id,
    object: 'response',
    created_at: CREATED,
    status,
    error: null,
    incomplete_details: null,
    instructions: null,
    model,
    output,
    parallel_tool_calls: true,
    temperature: 1,
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    usage:
      outputTokens === null
        ? null
        : given
          ? {
              input_tokens: given.input,
              output_tokens: given.output,
              total_tokens: given.input + given.output,
              input_tokens_details: { cached_tokens: given.cached },
              output_tokens_details: { reasoning_tokens: given.reasoning },
            }
          : {
              input_tokens: 12,
              output_tokens: outputTokens,
              total_tokens: 12 + outputTokens,
              input_tokens_details: { cached_tokens: 0 },
              output_tokens_details: { reasoning_tokens: 0 },
            },
  };
}

function outputMessage(itemId: string, text: string, status: string) {
  return { id: itemId, type: 'message', role: 'assistant', status, content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] };
}

export function responsesBody(id: string, model: string, tokens: readonly string[]): unknown {
  return response(id, model, 'completed', [outputMessage(`msg_${id}`, tokens.join(''), 'completed')], tokens.length);
}

/**
 * Named events, each with a growing `sequence_number`: response.created, response.in_progress,
 * response.output_item.added, response.content_part.added, one response.output_text.delta per token,
 * response.output_text.done, response.content_part.done, response.output_item.done, response.completed.
 * No [DONE] sentinel. An error inside the stream is an `error` event (type, code, message, param).
 */
export function responsesEvents(id: string, model: string, tokens: readonly string[], extras: AnswerExtras = {}) {
  let sequence = 0;
  const itemId = `msg_${id}`;
  const event = (type: string, body: Record<string, unknown>) => named(type, { ...body, sequence_number: sequence++ });
  const part = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] });
  const text = tokens.join('');
  // Reasoning: a "reasoning" output item first, its summary streamed as response.reasoning_summary_text.delta
  // events inside a summary part. Function calls: a "function_call" output item per call after the message
  // (id fc_..., call_id, name), its arguments as response.function_call_arguments.delta events, then .done with
  // the whole arguments ("Streaming events" of the Responses API reference).
  const reasoningId = `rs_${id}`;
  const summary = (extras.reasoning ?? []).join('');
  const reasoningItem = (done: boolean) => ({ id: reasoningId, type: 'reasoning', summary: done ? [{ type: 'summary_text', text: summary }] : [] });
  const messageIndex = extras.reasoning ? 1 : 0;
  const functionItem = (call: ProviderToolCall, done: boolean) => ({
    id: `fc_${call.id}`,
    type: 'function_call',
    status: done ? 'completed' : 'in_progress',
    call_id: call.id,
    name: call.name,
    arguments: done ? call.arguments.join('') : '',
  });
  const reasoningEvents = () =>
    extras.reasoning
      ? [
          event('response.output_item.added', { output_index: 0, item: reasoningItem(false) }),
          event('response.reasoning_summary_part.added', { item_id: reasoningId, output_index: 0, summary_index: 0, part: { type: 'summary_text', text: '' } }),
          ...extras.reasoning.map((delta) =>
            event('response.reasoning_summary_text.delta', { item_id: reasoningId, output_index: 0, summary_index: 0, delta }),
          ),
          event('response.reasoning_summary_text.done', { item_id: reasoningId, output_index: 0, summary_index: 0, text: summary }),
          event('response.reasoning_summary_part.done', {
            item_id: reasoningId,
            output_index: 0,
            summary_index: 0,
            part: { type: 'summary_text', text: summary },
          }),
          event('response.output_item.done', { output_index: 0, item: reasoningItem(true) }),
        ]
      : [];
  const toolEvents = () =>
    (extras.toolCalls ?? []).flatMap((call, i) => {
      const outputIndex = messageIndex + 1 + i;
      const item_id = `fc_${call.id}`;
      return [
        event('response.output_item.added', { output_index: outputIndex, item: functionItem(call, false) }),
        ...call.arguments.map((delta) => event('response.function_call_arguments.delta', { item_id, output_index: outputIndex, delta })),
        event('response.function_call_arguments.done', { item_id, output_index: outputIndex, name: call.name, arguments: call.arguments.join('') }),
        event('response.output_item.done', { output_index: outputIndex, item: functionItem(call, true) }),
      ];
    });
  const output = () => [
    ...(extras.reasoning ? [reasoningItem(true)] : []),
    outputMessage(itemId, text, 'completed'),
    ...(extras.toolCalls ?? []).map((call) => functionItem(call, true)),
  ];
  return {
    head: () => [
      event('response.created', { response: response(id, model, 'in_progress', [], null) }),
      event('response.in_progress', { response: response(id, model, 'in_progress', [], null) }),
      ...reasoningEvents(),
      event('response.output_item.added', {
        output_index: messageIndex,
        item: { id: itemId, type: 'message', role: 'assistant', status: 'in_progress', content: [] },
      }),
      event('response.content_part.added', { item_id: itemId, output_index: messageIndex, content_index: 0, part: part('') }),
    ],
    token: (delta: string) => event('response.output_text.delta', { item_id: itemId, output_index: messageIndex, content_index: 0, delta, logprobs: [] }),
    tail: () => [
      event('response.output_text.done', { item_id: itemId, output_index: messageIndex, content_index: 0, text, logprobs: [] }),
      event('response.content_part.done', { item_id: itemId, output_index: messageIndex, content_index: 0, part: part(text) }),
      event('response.output_item.done', { output_index: messageIndex, item: outputMessage(itemId, text, 'completed') }),
      ...toolEvents(),
      event('response.completed', { response: response(id, model, 'completed', output(), tokens.length, extras.usage) }),
    ],
    error: (code: string, message: string) => event('error', { code, message, param: null }),
  };
}
