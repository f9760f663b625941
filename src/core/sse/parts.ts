/**
 * Which protocol a stream speaks, and the parts beside its text: reasoning and tool calls. The names and wire
 * formats are the ones the generated encoders write (docs: the issue 10 contract):
 * - `sse` (ours, `stream_tokens`): named events `token`, `reasoning` `{"text"}`, `tool_call`
 *   `{"id","name","input"}` (or `"arguments"`: the raw text when it was not JSON), `done`, `error`;
 * - `ai-sdk` (`ui_message_stream`, the Vercel AI SDK UI message stream v1): header
 *   `x-vercel-ai-ui-message-stream: v1`, data-only events with a `type`: `reasoning-delta` `{"id","delta"}`,
 *   `tool-input-start` `{"toolCallId","toolName"}`, `tool-input-delta` `{"toolCallId","inputTextDelta"}`,
 *   `tool-input-available` `{"toolCallId","toolName","input"}`, ...;
 * - `openai` (`openai_chat_completion_stream`, Chat Completions): `chat.completion.chunk` objects whose
 *   `choices[0].delta` carries `reasoning_content` (or `reasoning`) and `tool_calls` fragments keyed by `index`;
 *   a `finish_reason` ends the open calls.
 * Anthropic Messages streams (no protocol of ours, but the preview is pointed at them too) give their
 * `thinking_delta` and `tool_use` blocks the same way. The text itself stays with the TextAssembler (text.ts).
 */
import type { StreamProtocol, ToolCallView } from '../../protocol/stream';
import { parseObject } from './text';

export type { StreamProtocol, ToolCallView };

export const AI_SDK_STREAM_HEADER = 'x-vercel-ai-ui-message-stream';

/** What one event says about the parts beside the text. */
export interface PartReading {
  /** The protocol this event shows the stream speaks, if it shows one. */
  readonly protocol?: StreamProtocol;
  /** An AI SDK UI message stream chunk's `type` (text-delta, reasoning-delta, tool-input-start, ...). */
  readonly chunkType?: string;
  /** Reasoning text appended by this event. */
  readonly reasoning?: string;
  /** A tool call this event starts, continues or completes. */
  readonly toolCall?: {
    readonly id: string;
    readonly name?: string;
    /** The fragment of the JSON arguments this event carried (the whole text for a call sent at once). */
    readonly arguments?: string;
    /** The parsed input when the event gives it. */
    readonly input?: unknown;
    readonly done?: boolean;
  };
}

type Json = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const obj = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined);

/** The protocol the response headers announce, if they do (only the AI SDK's stream has a header of its own). */
export function protocolFromHeaders(headers: ReadonlyArray<readonly [string, string]>): StreamProtocol | undefined {
  return headers.some(([name, value]) => name.toLowerCase() === AI_SDK_STREAM_HEADER && value.trim() === 'v1') ? 'ai-sdk' : undefined;
}

const SSE_EVENTS = new Set(['token', 'reasoning', 'tool_call', 'done', 'error']);
/** The UI message stream's chunk types (v1). `error` counts only with `errorText` (Anthropic has an `error` type too). */
const AI_SDK_TYPES = new Set([
  'start',
  'finish',
  'abort',
  'start-step',
  'finish-step',
  'text-start',
  'text-delta',
  'text-end',
  'reasoning-start',
  'reasoning-delta',
  'reasoning-end',
  'tool-input-start',
  'tool-input-delta',
  'tool-input-available',
  'tool-input-error',
  'tool-output-available',
  'tool-output-error',
  'source-url',
  'source-document',
  'file',
  'message-metadata',
]);

/**
 * Reads one event. `openAiCalls` maps a Chat Completions tool call's `index` to its id (later fragments carry
 * only the index); `anthropicBlocks` the same for Anthropic's content block index. The caller keeps both per stream.
 */
export function readPartEvent(event: string, data: string, state: PartReaderState, json: Json | undefined = parseObject(data)): PartReading | undefined {
  if (json === undefined) {
    return undefined;
  }
  if (SSE_EVENTS.has(event)) {
    return readSse(event, json);
  }
  if (json.object === 'chat.completion.chunk') {
    return readOpenAi(json, state);
  }
  const type = str(json.type);
  if (type !== undefined && (AI_SDK_TYPES.has(type) || (type === 'error' && typeof json.errorText === 'string') || type.startsWith('data-'))) {
    return readAiSdk(type, json);
  }
  if (type === 'content_block_start' || type === 'content_block_delta' || type === 'content_block_stop') {
    return readAnthropic(type, json, state);
  }
  return undefined;
}

/** Per-stream memory of the reader: ids of tool calls by the index later fragments refer to them by. */
export interface PartReaderState {
  readonly openAiCalls: Map<number, string>;
  readonly anthropicBlocks: Map<number, string>;
}

function readSse(event: string, json: Json): PartReading | undefined {
  if (event === 'reasoning') {
    return typeof json.text === 'string' ? { protocol: 'sse', reasoning: json.text } : undefined;
  }
  if (event === 'tool_call') {
    const id = str(json.id);
    if (id === undefined) {
      return undefined;
    }
    const raw = str(json.arguments);
    const args = raw ?? (json.input === undefined ? '' : JSON.stringify(json.input));
    return {
      protocol: 'sse',
      toolCall: { id, name: str(json.name) ?? '', arguments: args, ...(raw === undefined && 'input' in json ? { input: json.input } : {}), done: true },
    };
  }
  if (event === 'token' || event === 'done') {
    return typeof json.text === 'string' || 'result' in json ? { protocol: 'sse' } : undefined;
  }
  return typeof json.message === 'string' ? { protocol: 'sse' } : undefined;
}

function readAiSdk(type: string, json: Json): PartReading {
  const chunk = { protocol: 'ai-sdk', chunkType: type } as const;
  switch (type) {
    case 'reasoning-delta':
      return typeof json.delta === 'string' ? { ...chunk, reasoning: json.delta } : chunk;
    case 'tool-input-start':
    case 'tool-input-delta':
    case 'tool-input-available': {
      const id = str(json.toolCallId);
      if (id === undefined) {
        return chunk;
      }
      const name = str(json.toolName);
      const fragment = str(json.inputTextDelta);
      return {
        ...chunk,
        toolCall: {
          id,
          ...(name !== undefined ? { name } : {}),
          ...(fragment !== undefined ? { arguments: fragment } : {}),
          ...(type === 'tool-input-available' ? { input: json.input, done: true } : {}),
        },
      };
    }
    default:
      return chunk;
  }
}

function readOpenAi(json: Json, state: PartReaderState): PartReading {
  const choice = Array.isArray(json.choices) ? json.choices.map(obj).find((c) => c !== undefined && (c.index === undefined || c.index === 0)) : undefined;
  const delta = obj(choice?.delta);
  const reasoning = str(delta?.reasoning_content) ?? str(delta?.reasoning);
  let toolCall: PartReading['toolCall'];
  // One chunk carries fragments of one call in practice (the official clients accumulate per index); the first is read.
  const fragment = Array.isArray(delta?.tool_calls) ? obj(delta.tool_calls[0]) : undefined;
  if (fragment !== undefined) {
    const index = typeof fragment.index === 'number' ? fragment.index : 0;
    const id = str(fragment.id) ?? state.openAiCalls.get(index) ?? `call_${index}`;
    state.openAiCalls.set(index, id);
    const fn = obj(fragment.function);
    const name = str(fn?.name);
    const args = str(fn?.arguments);
    toolCall = { id, ...(name !== undefined ? { name } : {}), ...(args !== undefined ? { arguments: args } : {}) };
  } else if (typeof choice?.finish_reason === 'string' && state.openAiCalls.size > 0) {
    // The choice finished: every open call is complete. Reported for the last one; the assembler closes all.
    toolCall = { id: [...state.openAiCalls.values()].at(-1)!, done: true };
    state.openAiCalls.clear();
  }
  return { protocol: 'openai', ...(reasoning ? { reasoning } : {}), ...(toolCall ? { toolCall } : {}) };
}

function readAnthropic(type: string, json: Json, state: PartReaderState): PartReading | undefined {
  const index = typeof json.index === 'number' ? json.index : 0;
  if (type === 'content_block_start') {
    const block = obj(json.content_block);
    const id = str(block?.id);
    if (block?.type !== 'tool_use' || id === undefined) {
      return undefined;
    }
    state.anthropicBlocks.set(index, id);
    return { toolCall: { id, name: str(block.name) ?? '' } };
  }
  const id = state.anthropicBlocks.get(index);
  if (type === 'content_block_stop') {
    state.anthropicBlocks.delete(index);
    return id === undefined ? undefined : { toolCall: { id, done: true } };
  }
  const delta = obj(json.delta);
  if (delta?.type === 'thinking_delta' && typeof delta.thinking === 'string') {
    return { reasoning: delta.thinking };
  }
  if (delta?.type === 'input_json_delta' && typeof delta.partial_json === 'string' && id !== undefined) {
    return { toolCall: { id, arguments: delta.partial_json } };
  }
  return undefined;
}

/** Characters of reasoning kept: its end, like the assembled text. */
export const MAX_REASONING_CHARS = 256 * 1024;
/** Tool calls kept per stream; later ones are counted in `toolCallsOmitted`. */
export const MAX_TOOL_CALLS = 100;
/** Characters of one call's arguments kept (its start: the name and first keys are what one reads). */
export const MAX_TOOL_ARGUMENT_CHARS = 64 * 1024;

/** Keeps the protocol, the reasoning and the tool calls of one stream, bounded. */
export class PartsAssembler {
  protocol: StreamProtocol | null = null;
  private reasoningParts: string[] = [];
  private reasoningLength = 0;
  reasoningDropped = 0;
  private readonly calls = new Map<string, ToolCallView>();
  toolCallsOmitted = 0;
  private readonly state: PartReaderState = { openAiCalls: new Map(), anthropicBlocks: new Map() };

  /** The headers may settle the protocol before any event (the AI SDK's header). */
  headers(headers: ReadonlyArray<readonly [string, string]>): void {
    this.protocol ??= protocolFromHeaders(headers) ?? null;
  }

  /** Feeds one event; returns what it carried (and the tool call's state after it), or undefined. */
  push(event: string, data: string, json?: Record<string, unknown>): (PartReading & { readonly call?: ToolCallView }) | undefined {
    const reading = readPartEvent(event, data, this.state, json ?? parseObject(data));
    if (reading === undefined) {
      return undefined;
    }
    if (reading.protocol !== undefined) {
      this.protocol ??= reading.protocol;
    }
    if (reading.reasoning) {
      this.reasoningParts.push(reading.reasoning);
      this.reasoningLength += reading.reasoning.length;
      if (this.reasoningLength > MAX_REASONING_CHARS * 1.5) {
        const whole = this.reasoning;
        const drop = whole.length - MAX_REASONING_CHARS;
        this.reasoningDropped += drop;
        this.reasoningParts = [whole.slice(drop)];
        this.reasoningLength = MAX_REASONING_CHARS;
      }
    }
    const call = reading.toolCall && this.updateCall(reading.toolCall, reading.protocol === 'openai' && reading.toolCall.done === true);
    return call ? { ...reading, call } : reading;
  }

  private updateCall(part: NonNullable<PartReading['toolCall']>, closeAll: boolean): ToolCallView | undefined {
    if (closeAll) {
      for (const [id, open] of this.calls) {
        if (!open.done) {
          this.calls.set(id, complete(open));
        }
      }
      return this.calls.get(part.id);
    }
    const before = this.calls.get(part.id);
    if (before === undefined && this.calls.size >= MAX_TOOL_CALLS) {
      this.toolCallsOmitted++;
      return undefined;
    }
    let args = before?.arguments ?? '';
    let dropped = before?.argumentsDropped ?? 0;
    if (part.arguments !== undefined) {
      const room = Math.max(0, MAX_TOOL_ARGUMENT_CHARS - args.length);
      args += part.arguments.slice(0, room);
      dropped += Math.max(0, part.arguments.length - room);
    }
    let call: ToolCallView = {
      id: part.id,
      name: part.name ?? before?.name ?? '',
      arguments: args,
      done: false,
      ...(dropped > 0 ? { argumentsDropped: dropped } : {}),
    };
    if (part.done) {
      call = 'input' in part ? { ...call, input: part.input, done: true } : complete(call);
    }
    this.calls.set(part.id, call);
    return call;
  }

  get reasoning(): string {
    if (this.reasoningParts.length > 1) {
      this.reasoningParts = [this.reasoningParts.join('')];
    }
    return this.reasoningParts[0] ?? '';
  }

  get toolCalls(): ToolCallView[] {
    return [...this.calls.values()];
  }
}

/** A call marked complete, with its input parsed from the arguments when they are whole JSON. */
function complete(call: ToolCallView): ToolCallView {
  if (call.argumentsDropped === undefined) {
    try {
      return { ...call, input: call.arguments === '' ? {} : (JSON.parse(call.arguments) as unknown), done: true };
    } catch {
      // Not JSON: the raw arguments are what there is to show.
    }
  }
  return { ...call, done: true };
}
