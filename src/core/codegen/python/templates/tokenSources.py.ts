/**
 * Where a new endpoint's tokens come from, as the Python it takes: the demo generator, an LLM SDK, or an async
 * generator function of the user's. Everything provider-specific about a generated route lives here.
 *
 * SDK routes stream through the provider adapters of the generated streaming module (`anthropic_text_stream`,
 * `openai_text_stream`, in files/streaming.py), which read the SDK's stream and close it when the client goes
 * away. The client is made once, on first use, so the app starts (and its other routes work) without an API key.
 */
import type { ImportRequest } from '../../../python/importEdit';
import { pythonString } from '../../escape';
import { DEMO_TOKENS_FUNCTION, demoTokensFunction } from './route.py';

export type SdkProvider = 'anthropic' | 'openai' | 'groq';
export const SDK_PROVIDERS: readonly SdkProvider[] = ['anthropic', 'openai', 'groq'];

export interface Helper {
  /** The top-level name it defines; an existing definition of that name is reused instead. */
  readonly name: string;
  /** Its Python source (LF, four-space indentation, no trailing blank line). */
  readonly text: string;
  /** Imports the helper needs. */
  readonly imports: readonly ImportRequest[];
}

export interface TokenSourceCode {
  /** Names the handler imports from the generated streaming module, besides stream_tokens/streaming_response. */
  readonly streamingNames: readonly string[];
  /** Imports the handler body itself needs. */
  readonly imports: readonly ImportRequest[];
  /** Top-level definitions the handler calls, in order. */
  readonly helpers: readonly Helper[];
  /**
   * The handler's statements for a prompt held in the Python expression `prompt`, ending with `respond(events)`
   * (the statement that returns a response for `events`, the expression of the encoded SSE events).
   */
  body(prompt: string, respond?: Respond): string;
  /**
   * The sse route's answer (wrapped in `with_on_finish`): statements for a prompt held in the Python
   * expression `prompt`, then the token source's expression: typed parts with the provider's usage for an SDK.
   */
  readonly answer: AnswerSourceCode;
  /**
   * For the chat protocols (ai-sdk, openai), whose handler has the request body as `body` (UIChatRequest or
   * ChatCompletionRequest of the streaming module): statements that read the conversation from it (raising
   * the 422 for a request without a user message before the response starts) and the token source.
   */
  readonly chat: ChatSourceCode;
}

export interface AnswerSourceCode {
  /** Names the handler imports from the streaming package for this source (a typed-parts adapter). */
  readonly streamingNames: readonly string[];
  /** Statements before the answer (LF, four-space indentation at column 0), for the prompt expression. */
  statements(prompt: string): string;
  /** The Python expression of the token source. */
  expression(prompt: string): string;
  /** The model an SDK source calls (what on_finish and the AI SDK's metadata name); none for other sources. */
  readonly model?: string;
}

export interface ChatSourceCode {
  /** Names the handler imports from the streaming module for this source (a typed-parts adapter). */
  readonly streamingNames: readonly string[];
  /** Other imports these statements need (Anthropic's `omit` sentinel), beside the source's own. */
  readonly imports: readonly ImportRequest[];
  /** Statements before the return (LF, four-space indentation at column 0). */
  readonly statements: string;
  /** The Python expression of the token source (str or typed parts). */
  readonly expression: string;
  /** The model an openai route answers with when the request names none: the SDK's model, else the source's name. */
  readonly model: string;
}

/**
 * Demo and user functions take the text of the last user message (the prompt, as on the sse protocol);
 * SDK sources get the whole conversation as the provider's messages.
 */
function promptChatSource(call: (prompt: string) => string, takesPrompt: boolean, model: string): ChatSourceCode {
  return takesPrompt
    ? { streamingNames: [], imports: [], statements: 'prompt = body.last_user_text()\n', expression: call('prompt'), model }
    : { streamingNames: [], imports: [], statements: 'body.last_user_text()  # a 422 without a user message\n', expression: call(''), model };
}

/** The statement that returns a response for the encoded events `events` (a Python expression). */
export type Respond = (events: string) => string;

/** A plain (not resumable) stream: `return streaming_response(events)`. */
export const respondStreaming: Respond = (events) => `return streaming_response(${events})\n`;

export const ASYNC_ITERATOR: ImportRequest = { module: 'collections.abc', names: ['AsyncIterator'] };

export function demoTokenSource(): TokenSourceCode {
  return {
    streamingNames: [],
    imports: [],
    helpers: [{ name: DEMO_TOKENS_FUNCTION, text: demoTokensFunction.trimEnd(), imports: [{ module: 'asyncio' }, ASYNC_ITERATOR] }],
    body: (prompt, respond = respondStreaming) => respond(`stream_tokens(${DEMO_TOKENS_FUNCTION}(${prompt}))`),
    answer: { streamingNames: [], statements: () => '', expression: (prompt) => `${DEMO_TOKENS_FUNCTION}(${prompt})` },
    chat: promptChatSource((prompt) => `${DEMO_TOKENS_FUNCTION}(${prompt})`, true, 'demo'),
  };
}

/** An async generator function of the user's, called with the prompt when it takes a parameter. */
export function functionTokenSource(name: string, takesPrompt: boolean, imports: readonly ImportRequest[]): TokenSourceCode {
  return {
    streamingNames: [],
    imports,
    helpers: [],
    body: (prompt, respond = respondStreaming) => respond(`stream_tokens(${name}(${takesPrompt ? prompt : ''}))`),
    answer: { streamingNames: [], statements: () => '', expression: (prompt) => `${name}(${takesPrompt ? prompt : ''})` },
    chat: promptChatSource((prompt) => `${name}(${prompt})`, takesPrompt, name),
  };
}

interface SdkSpec {
  readonly module: string;
  readonly clientClass: string;
  readonly clientFunction: string;
  readonly vendor: string;
  readonly apiKeyVariable: string;
  readonly model: string;
}

const SDKS: Readonly<Record<SdkProvider, SdkSpec>> = {
  anthropic: {
    module: 'anthropic',
    clientClass: 'AsyncAnthropic',
    clientFunction: 'anthropic_client',
    vendor: 'Anthropic',
    apiKeyVariable: 'ANTHROPIC_API_KEY',
    model: 'claude-sonnet-4-5',
  },
  openai: {
    module: 'openai',
    clientClass: 'AsyncOpenAI',
    clientFunction: 'openai_client',
    vendor: 'OpenAI',
    apiKeyVariable: 'OPENAI_API_KEY',
    model: 'gpt-4o-mini',
  },
  groq: {
    module: 'groq',
    clientClass: 'AsyncGroq',
    clientFunction: 'groq_client',
    vendor: 'Groq',
    apiKeyVariable: 'GROQ_API_KEY',
    model: 'llama-3.3-70b-versatile',
  },
};

function clientHelper(sdk: SdkSpec): Helper {
  return {
    name: sdk.clientFunction,
    text: String.raw`@functools.cache
def ${sdk.clientFunction}() -> ${sdk.clientClass}:
    """The app's ${sdk.vendor} client, made on first use.

    One client for the life of the app reuses its connections, and
    making it lazily lets the app start without ${sdk.apiKeyVariable} set.
    """
    return ${sdk.clientClass}()`,
    imports: [{ module: 'functools' }, { module: sdk.module, names: [sdk.clientClass] }],
  };
}

/** A client the app already configures (`client = AsyncAzureOpenAI(...)`), used instead of making another. */
export interface ExistingClient {
  /** How the handler names it: `client`, `llm.client`. */
  readonly expression: string;
  /** What the target module imports to see it (nothing when it is defined there). */
  readonly imports: readonly ImportRequest[];
}

/** The async client classes of each SDK that an existing client may be made from. */
export const SDK_CLIENT_CLASSES: Readonly<Record<SdkProvider, readonly string[]>> = {
  anthropic: ['anthropic.AsyncAnthropic', 'anthropic.AsyncAnthropicBedrock', 'anthropic.AsyncAnthropicVertex'],
  openai: ['openai.AsyncOpenAI', 'openai.AsyncAzureOpenAI', 'openai.AsyncClient'],
  groq: ['groq.AsyncGroq', 'groq.AsyncClient'],
};

export function sdkTokenSource(provider: SdkProvider, existing?: ExistingClient): TokenSourceCode {
  const sdk = SDKS[provider];
  const client = existing?.expression ?? `${sdk.clientFunction}()`;
  const helpers = existing ? [] : [clientHelper(sdk)];
  const imports = existing?.imports ?? [];
  if (provider === 'anthropic') {
    // messages.stream(...) is entered by the adapter, so nothing is sent until the response starts streaming.
    return {
      streamingNames: ['anthropic_text_stream'],
      imports,
      helpers,
      body: (prompt, respond = respondStreaming) => String.raw`message_stream = ${client}.messages.stream(
    model=${pythonString(sdk.model)},
    max_tokens=1024,
    messages=[{"role": "user", "content": ${prompt}}],
)
${respond('stream_tokens(anthropic_text_stream(message_stream))')}`,
      answer: {
        streamingNames: ['anthropic_stream_parts'],
        statements: (prompt) => String.raw`message_stream = ${client}.messages.stream(
    model=${pythonString(sdk.model)},
    max_tokens=1024,
    messages=[{"role": "user", "content": ${prompt}}],
)
`,
        expression: () => 'anthropic_stream_parts(message_stream)',
        model: sdk.model,
      },
      // Anthropic takes no "system" role in messages: the system messages' text goes as its `system` parameter,
      // and none at all (the SDK's `omit`, which leaves the key out of the request) when the client sent none.
      chat: {
        streamingNames: ['anthropic_stream_parts'],
        imports: [{ module: sdk.module, names: ['omit'] }],
        statements: String.raw`message_stream = ${client}.messages.stream(
    model=${pythonString(sdk.model)},
    max_tokens=1024,
    system=body.system_prompt() or omit,
    messages=body.chat_messages(system=False),
)
`,
        expression: 'anthropic_stream_parts(message_stream)',
        model: sdk.model,
      },
    };
  }
  // OpenAI and Groq share the Chat Completions shape: chunks with choices[0].delta.content. The call is not
  // awaited: the adapter awaits it on the first read, so an HTTP error opening the stream becomes an `error` event.
  // OpenAI reports the usage when asked (stream_options); Groq's SDK takes no stream_options and sends it anyway.
  const usageOption = provider === 'openai' ? '    stream_options={"include_usage": True},\n' : '';
  return {
    streamingNames: ['openai_text_stream'],
    imports,
    helpers,
    body: (prompt, respond = respondStreaming) => String.raw`chunks = ${client}.chat.completions.create(
    model=${pythonString(sdk.model)},
    messages=[{"role": "user", "content": ${prompt}}],
    stream=True,
)
${respond('stream_tokens(openai_text_stream(chunks))')}`,
    answer: {
      streamingNames: ['openai_stream_parts'],
      statements: (prompt) => String.raw`chunks = ${client}.chat.completions.create(
    model=${pythonString(sdk.model)},
    messages=[{"role": "user", "content": ${prompt}}],
    stream=True,
${usageOption})
`,
      expression: () => 'openai_stream_parts(chunks)',
      model: sdk.model,
    },
    chat: {
      streamingNames: ['openai_stream_parts'],
      imports: [],
      statements: String.raw`chunks = ${client}.chat.completions.create(
    model=${pythonString(sdk.model)},
    messages=body.chat_messages(),
    stream=True,
${usageOption})
`,
      expression: 'openai_stream_parts(chunks)',
      model: sdk.model,
    },
  };
}
