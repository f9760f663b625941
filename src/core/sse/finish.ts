/**
 * How a stream says its answer ended: the finish reason, the token usage and the model, where the wire format
 * carries them. The generated routes (issue 19) and the providers put them here:
 * - `sse` (ours): the `done` event's data has `"finish_reason"` and `"usage": {"input_tokens", "output_tokens",
 *   "cached_input_tokens", "reasoning_tokens"}` (and `"model"` when known);
 * - `ai-sdk`: the `finish` (and `start`, `message-metadata`) chunk's `messageMetadata: {usage, model,
 *   finishReason}`, usage in the AI SDK's camelCase (`inputTokens`, ...) or ours;
 * - `openai` Chat Completions: `choices[0].finish_reason`, then with `stream_options.include_usage` a chunk
 *   with `usage: {prompt_tokens, completion_tokens, total_tokens, prompt_tokens_details.cached_tokens,
 *   completion_tokens_details.reasoning_tokens}`; the Responses API's `response.completed` has `response.usage`;
 * - Anthropic Messages: `message_start` (`message.usage.input_tokens`, `message.model`), then `message_delta`
 *   (`usage.output_tokens`, `delta.stop_reason`).
 * Each event adds what it says; a later figure replaces an earlier one of the same name.
 */
import type { StreamFinish, StreamUsage } from '../../protocol/stream';

type Json = Record<string, unknown>;

const obj = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined);
const first = (...values: unknown[]): number | undefined => values.map(count).find((v) => v !== undefined);

/** A usage object in any of the names above; undefined when it has no count at all. */
export function readUsage(value: unknown): StreamUsage | undefined {
  const u = obj(value);
  if (u === undefined) {
    return undefined;
  }
  const inputDetails = obj(u.prompt_tokens_details) ?? obj(u.input_tokens_details);
  const outputDetails = obj(u.completion_tokens_details) ?? obj(u.output_tokens_details);
  const usage = definedOnly({
    inputTokens: first(u.input_tokens, u.inputTokens, u.prompt_tokens, u.promptTokens),
    outputTokens: first(u.output_tokens, u.outputTokens, u.completion_tokens, u.completionTokens),
    totalTokens: first(u.total_tokens, u.totalTokens),
    cachedInputTokens: first(u.cached_input_tokens, u.cachedInputTokens, u.cache_read_input_tokens, inputDetails?.cached_tokens),
    reasoningTokens: first(u.reasoning_tokens, u.reasoningTokens, outputDetails?.reasoning_tokens),
  });
  return Object.keys(usage).length > 0 ? usage : undefined;
}

/** What one event says about how the answer ended, or undefined when it says nothing. */
export function readFinishEvent(event: string, json: Json | undefined): StreamFinish | undefined {
  if (json === undefined) {
    return undefined;
  }
  let found: StreamFinish;
  if (event === 'done') {
    found = finishOf(str(json.finish_reason), readUsage(json.usage), str(json.model));
  } else if (json.object === 'chat.completion.chunk') {
    const choice = Array.isArray(json.choices) ? json.choices.map(obj).find((c) => c !== undefined && (c.index === undefined || c.index === 0)) : undefined;
    found = finishOf(str(choice?.finish_reason), readUsage(json.usage), undefined);
  } else {
    found = readTyped(json);
  }
  return Object.keys(found).length > 0 ? found : undefined;
}

function finishOf(finishReason: string | undefined, usage: StreamUsage | undefined, model: string | undefined): StreamFinish {
  return { ...(finishReason !== undefined ? { finishReason } : {}), ...(usage !== undefined ? { usage } : {}), ...(model !== undefined ? { model } : {}) };
}

/** The formats whose events carry a `type`: the AI SDK's chunks, the Responses API, Anthropic. */
function readTyped(json: Json): StreamFinish {
  switch (json.type) {
    case 'start':
    case 'finish':
    case 'message-metadata': {
      const metadata = obj(json.messageMetadata);
      return finishOf(str(metadata?.finishReason) ?? str(metadata?.finish_reason) ?? str(json.finishReason), readUsage(metadata?.usage), str(metadata?.model));
    }
    case 'response.completed': {
      const response = obj(json.response);
      return finishOf(str(response?.status), readUsage(response?.usage), str(response?.model));
    }
    case 'message_start': {
      const message = obj(json.message);
      return finishOf(undefined, readUsage(message?.usage), str(message?.model));
    }
    case 'message_delta':
      return finishOf(str(obj(json.delta)?.stop_reason), readUsage(json.usage), undefined);
    default:
      return {};
  }
}

/** Keeps one stream's finish: each event's figures merged over the earlier ones. */
export class FinishAssembler {
  current: StreamFinish | null = null;

  /** Feeds one event; true when it changed what is known. */
  push(event: string, json: Json | undefined): boolean {
    const found = readFinishEvent(event, json);
    if (found === undefined) {
      return false;
    }
    const before = this.current;
    const usage = found.usage || before?.usage ? { ...before?.usage, ...found.usage } : undefined;
    this.current = { ...before, ...found, ...(usage ? { usage } : {}) };
    return true;
  }
}

/** The counts that are there (the type has no room for an explicit undefined). */
function definedOnly(counts: Record<keyof StreamUsage, number | undefined>): StreamUsage {
  return Object.fromEntries(Object.entries(counts).filter(([, v]) => v !== undefined)) as StreamUsage;
}
