/**
 * Assembling the generated text from a token stream. Understands the wire formats an LLM back end usually speaks:
 * - ours (the generated streaming package): `event: token` `{"text": ...}`, then `event: done` `{"text": full, "token_count": n}`;
 * - OpenAI: Chat Completions chunks (`choices[].delta.content`, `[DONE]`) and Responses events (`response.output_text.delta`);
 * - Anthropic Messages: `content_block_delta` with a `text_delta`, then `message_stop`;
 * - the Vercel AI SDK UI message stream: `{"type": "text-delta", "delta": ...}`, `{"type": "finish"}`, `[DONE]`.
 * Anything else is left alone: the assembler reports no text rather than guessing.
 */
import type { TextFormat } from '../../protocol/stream';

/** What one event means for the text. */
export interface TextReading {
  readonly format: TextFormat;
  /** Text appended by this event. */
  readonly delta?: string;
  /** The whole text as the server says it is (our `done` event); replaces what was assembled if it differs. */
  readonly full?: string;
  readonly done?: boolean;
  /** An error the stream reported in-band. */
  readonly error?: string;
}

type Json = Record<string, unknown>;

/** The event's data as a JSON object, or undefined (parsed once per event; the part reader shares it). */
export function parseObject(data: string): Json | undefined {
  // Cheap pre-check: at 20,000 events/s, JSON.parse on every non-JSON payload would cost an exception each.
  if (data.length === 0 || data.charCodeAt(0) !== 0x7b /* { */) {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const obj = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined);

/** Reads one event; `hint` is the format already recognised in this stream (it settles `[DONE]`, shared by two formats). */
export function readTextEvent(event: string, data: string, hint?: TextFormat, json: Json | undefined = parseObject(data)): TextReading | undefined {
  if (data === '[DONE]') {
    return hint === 'openai' || hint === 'vercel-ai' ? { format: hint, done: true } : undefined;
  }
  if (json === undefined) {
    return undefined;
  }
  return readCatalyst(event, json) ?? readOpenAi(event, json) ?? readAnthropic(json) ?? readVercel(json);
}

function readCatalyst(event: string, json: Json): TextReading | undefined {
  if (event === 'token' && typeof json.text === 'string') {
    return { format: 'catalyst', delta: json.text };
  }
  if (event === 'done' && (typeof json.text === 'string' || 'result' in json)) {
    return typeof json.text === 'string' ? { format: 'catalyst', full: json.text, done: true } : { format: 'catalyst', done: true };
  }
  if (event === 'error' && typeof json.message === 'string') {
    return { format: 'catalyst', error: `${str(json.type) ?? 'Error'}: ${json.message}` };
  }
  return undefined;
}

function readOpenAi(event: string, json: Json): TextReading | undefined {
  if (Array.isArray(json.choices) && (json.object === 'chat.completion.chunk' || json.object === 'text_completion' || json.object === undefined)) {
    let delta = '';
    let done = false;
    for (const choice of json.choices) {
      const c = obj(choice);
      if (c === undefined || (c.index !== undefined && c.index !== 0)) {
        continue;
      }
      delta += str(obj(c.delta)?.content) ?? str(c.text) ?? '';
      done ||= typeof c.finish_reason === 'string';
    }
    if (json.object === undefined && delta === '' && !done) {
      return undefined;
    }
    return { format: 'openai', ...(delta ? { delta } : {}), ...(done ? { done } : {}) };
  }
  const type = str(json.type) ?? event;
  if (type === 'response.output_text.delta' && typeof json.delta === 'string') {
    return { format: 'openai', delta: json.delta };
  }
  if (type === 'response.completed') {
    return { format: 'openai', done: true };
  }
  // A mid-stream error: `{"error": {"message": ...}}` (Chat Completions) or a `response.failed` event (Responses).
  const error = obj(json.error) ?? obj(obj(json.response)?.error);
  if (type === 'response.failed' || (json.type === undefined && typeof error?.message === 'string')) {
    return { format: 'openai', error: str(error?.message) ?? 'the response failed' };
  }
  return undefined;
}

function readAnthropic(json: Json): TextReading | undefined {
  switch (json.type) {
    case 'content_block_delta': {
      const delta = obj(json.delta);
      return delta?.type === 'text_delta' && typeof delta.text === 'string' ? { format: 'anthropic', delta: delta.text } : { format: 'anthropic' };
    }
    case 'message_start':
    case 'content_block_start':
    case 'content_block_stop':
    case 'message_delta':
      return { format: 'anthropic' };
    case 'message_stop':
      return { format: 'anthropic', done: true };
    case 'error': {
      const error = obj(json.error);
      return error ? { format: 'anthropic', error: `${str(error.type) ?? 'error'}: ${str(error.message) ?? ''}` } : undefined;
    }
    default:
      return undefined;
  }
}

function readVercel(json: Json): TextReading | undefined {
  switch (json.type) {
    case 'text-delta':
      return typeof json.delta === 'string' ? { format: 'vercel-ai', delta: json.delta } : undefined;
    case 'start':
    case 'start-step':
    case 'finish-step':
    case 'text-start':
    case 'text-end':
      return { format: 'vercel-ai' };
    case 'finish':
      return { format: 'vercel-ai', done: true };
    case 'error':
      return typeof json.errorText === 'string' ? { format: 'vercel-ai', error: json.errorText } : undefined;
    default:
      return undefined;
  }
}

/** Characters of assembled text kept: the end of it; what is dropped from the start is counted in `dropped`. */
export const MAX_ASSEMBLED_CHARS = 256 * 1024;

/** Keeps the assembled text of one stream (its last MAX_ASSEMBLED_CHARS characters). */
export class TextAssembler {
  private parts: string[] = [];
  private length = 0;
  /** Characters dropped from the start to keep the text bounded. */
  dropped = 0;
  format: TextFormat | null = null;
  done = false;
  tokens = 0;
  error: string | null = null;

  /** Feeds one event; returns the text appended (or the whole text when the server's final text replaced it), or undefined. */
  push(event: string, data: string, json: Json | undefined = parseObject(data)): { readonly delta: string; readonly replaced: boolean } | undefined {
    const reading = readTextEvent(event, data, this.format ?? undefined, json);
    if (reading === undefined) {
      return undefined;
    }
    this.format ??= reading.format;
    if (reading.error !== undefined) {
      this.error = reading.error;
    }
    if (reading.done) {
      this.done = true;
    }
    if (reading.delta !== undefined && reading.delta !== '') {
      this.parts.push(reading.delta);
      this.length += reading.delta.length;
      this.tokens++;
      // Trim in steps (at 1.5x), so a long stream does not copy the text on every token.
      if (this.length > MAX_ASSEMBLED_CHARS * 1.5) {
        this.keep(this.text);
      }
      return { delta: reading.delta, replaced: false };
    }
    if (reading.full !== undefined && (reading.full.length !== this.dropped + this.length || !reading.full.endsWith(this.text))) {
      this.dropped = 0;
      this.keep(reading.full);
      return { delta: reading.full, replaced: true };
    }
    return undefined;
  }

  private keep(text: string): void {
    const drop = Math.max(0, text.length - MAX_ASSEMBLED_CHARS);
    this.dropped += drop;
    const kept = drop > 0 ? text.slice(drop) : text;
    this.parts = [kept];
    this.length = kept.length;
  }

  get text(): string {
    if (this.parts.length > 1) {
      this.parts = [this.parts.join('')];
    }
    return this.parts[0] ?? '';
  }
}
