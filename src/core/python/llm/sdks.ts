/**
 * The LLM SDK client classes Catalyst recognises, and the calls on them that produce a completion.
 *
 * Sync and async clients come in pairs; the pair is what the "Use the async client" fix swaps.
 */

export type LlmProvider = 'anthropic' | 'openai' | 'groq';

/** The API a call goes to; it decides the stream's shape and so the adapter that reads it. */
export type LlmApi = 'anthropic-messages' | 'chat-completions' | 'openai-responses';

export interface ClientClass {
  readonly module: LlmProvider;
  readonly name: string;
  readonly provider: LlmProvider;
  readonly async: boolean;
  /** The other member of the sync/async pair. */
  readonly counterpart: string;
  /** For the SDKs' `Client`/`AsyncClient` exports: the class they alias. */
  readonly aliasOf?: string;
}

function pair(module: LlmProvider, syncName: string, asyncName: string): ClientClass[] {
  return [
    { module, name: syncName, provider: module, async: false, counterpart: asyncName },
    { module, name: asyncName, provider: module, async: true, counterpart: syncName },
  ];
}

export const CLIENT_CLASSES: readonly ClientClass[] = [
  ...pair('anthropic', 'Anthropic', 'AsyncAnthropic'),
  ...pair('anthropic', 'AnthropicBedrock', 'AsyncAnthropicBedrock'),
  ...pair('anthropic', 'AnthropicVertex', 'AsyncAnthropicVertex'),
  ...pair('openai', 'OpenAI', 'AsyncOpenAI'),
  ...pair('openai', 'AzureOpenAI', 'AsyncAzureOpenAI'),
  ...pair('groq', 'Groq', 'AsyncGroq'),
  // Each SDK also exports its clients as `Client` / `AsyncClient` (aliases of the classes above).
  ...alias('anthropic', 'Client', 'AsyncClient', 'Anthropic', 'AsyncAnthropic'),
  ...alias('openai', 'Client', 'AsyncClient', 'OpenAI', 'AsyncOpenAI'),
  ...alias('groq', 'Client', 'AsyncClient', 'Groq', 'AsyncGroq'),
];

/** `from openai import AsyncClient`: the same class as AsyncOpenAI; the fix swaps the alias for its counterpart alias. */
function alias(module: LlmProvider, syncName: string, asyncName: string, syncClass: string, asyncClass: string): ClientClass[] {
  return [
    { module, name: syncName, provider: module, async: false, counterpart: asyncName, aliasOf: syncClass },
    { module, name: asyncName, provider: module, async: true, counterpart: syncName, aliasOf: asyncClass },
  ];
}

const byQualifiedName = new Map(CLIENT_CLASSES.map((c) => [`${c.module}.${c.name}`, c]));

/** `anthropic.AsyncAnthropic` -> its entry; undefined for anything else. */
export function clientClass(module: string, name: string): ClientClass | undefined {
  return byQualifiedName.get(`${module}.${name}`);
}

export const SDK_MODULES: ReadonlySet<string> = new Set(CLIENT_CLASSES.map((c) => c.module));

export interface CompletionMethod {
  /** The attribute path after the client, e.g. ["chat", "completions", "create"]. */
  readonly path: readonly string[];
  readonly api: LlmApi;
  /** Whether calling this method always streams (Anthropic's `messages.stream(...)`). */
  readonly alwaysStreams: boolean;
  readonly providers: readonly LlmProvider[];
}

export const COMPLETION_METHODS: readonly CompletionMethod[] = [
  { path: ['messages', 'create'], api: 'anthropic-messages', alwaysStreams: false, providers: ['anthropic'] },
  { path: ['messages', 'stream'], api: 'anthropic-messages', alwaysStreams: true, providers: ['anthropic'] },
  { path: ['chat', 'completions', 'create'], api: 'chat-completions', alwaysStreams: false, providers: ['openai', 'groq'] },
  { path: ['responses', 'create'], api: 'openai-responses', alwaysStreams: false, providers: ['openai'] },
];

/** The generated module's adapter for each API's stream. */
export const ADAPTER_FOR_API: Readonly<Record<LlmApi, string>> = {
  'anthropic-messages': 'anthropic_text_stream',
  'chat-completions': 'openai_text_stream',
  'openai-responses': 'openai_responses_text_stream',
};
