/**
 * The Python that "Add Streaming Endpoint" writes into the user's module: the route function, the request
 * body model for POST routes, and the demo token source.
 *
 * Written with LF line endings and four-space indentation at column 0; the planner re-indents (tabs, a
 * factory's body) and converts line endings to match the target file. Pure and byte-stable.
 */

import { pythonString, pythonStringBody } from '../../escape';
import { bracketedLayout } from '../formatterLayout';

export interface RouteFunctionOptions {
  /** The app or router variable the decorator is on. */
  readonly owner: string;
  readonly method: 'GET' | 'POST';
  /** The path as passed to the decorator (without any router prefix). */
  readonly path: string;
  /** The path a client requests (with router and inclusion prefixes), for the docstring. */
  readonly url: string;
  readonly functionName: string;
  /**
   * Keyword arguments of the decorator after the path, as Python source (`tags=["chat"]`,
   * `dependencies=[Depends(auth)]`): the conventions of the sibling routes the planner follows.
   */
  readonly decoratorKeywords?: readonly string[];
  /** Path parameters (`{item_id}`), passed through as `str` parameters. */
  readonly pathParameters: readonly string[];
  /** POST only: the pydantic model of the JSON body. */
  readonly bodyModel?: string;
  /**
   * The handler's body: statements that end by returning the response, written for a prompt available as
   * the Python expression `prompt` (see `promptExpression`).
   */
  readonly body: string;
  /** A resumable stream (`--resumable`): its events carry ids and a reconnect resumes it. */
  readonly resumable?: boolean;
}

/** The Python expression holding the prompt inside the handler. */
export function promptExpression(method: 'GET' | 'POST'): string {
  return method === 'POST' ? 'body.prompt' : 'prompt';
}

export const DEFAULT_PROMPT = 'Why is the sky blue?';

export function renderRouteFunction(options: RouteFunctionOptions): string {
  const parameters = [
    ...options.pathParameters.map((name) => `${name}: str`),
    options.bodyModel ? 'request: Request' : `prompt: str = ${pythonString(DEFAULT_PROMPT)}`,
  ];
  const request = options.bodyModel
    ? `${options.method} ${pythonStringBody(options.url)} with a JSON body {"prompt": ...}`
    : `${options.method} ${pythonStringBody(options.url)}?prompt=...`;
  const limits = options.bodyModel
    ? ` The body is read within limits (413 past max_bytes, 422 past max_text_chars); pass them to ${READ_BODY_FUNCTION} to change them.`
    : '';
  const resumability = options.resumable
    ? ` Every event has an id; a reconnect that sends ${unbreakable('``Last-Event-ID``')} (an EventSource does) gets the events after it, then the rest, on any worker.`
    : '';
  const details = wrap(
    `${request} gets an ${unbreakable('``event: token``')} for each piece of text the moment it is produced, then an ${unbreakable('``event: done``')} with the whole text (or an ${unbreakable('``event: error``')} if the token source fails).${resumability}${limits}`,
    DOCSTRING_WIDTH,
  );
  const decorator = bracketedLayout(
    `@${options.owner}.${options.method.toLowerCase()}`,
    [pythonString(options.path), ...(options.decoratorKeywords ?? [])],
    '',
  );
  const returns = options.resumable ? RESUMABLE_RESPONSE_CLASS : 'EventStreamResponse';
  const signature = bracketedLayout(`async def ${options.functionName}`, parameters, ` -> ${returns}:`);
  return String.raw`${decorator}
${signature}
    """Stream the reply to the prompt as Server-Sent Events.

${indentBody(details)}
    """
${indentBody((options.bodyModel ? readBodyStatement(options.bodyModel) : '') + options.body)}
`;
}

export const RESUMABLE_RESPONSE_CLASS = 'ResumableStreamResponse';
export const RESUMABLE_RESPONSE_FUNCTION = 'resumable_response';
export const MAKE_EVENTS_FUNCTION = 'make_events';

/** The `respond` of a resumable handler's token source: the nested function returns the events themselves. */
export const returnEvents = (events: string): string => `return ${events}\n`;

/**
 * The body of a resumable handler, around `eventsBody` (the token source's statements ending in
 * `return <events>`): they go into a nested function that the resumable response calls once, when a new
 * stream starts, so a reconnect never calls the model again.
 */
export function resumableHandlerBody(eventsBody: string): string {
  // The blank line first: black and ruff format put one between a docstring and a nested function.
  return `
# Called once, when a new stream starts; a reconnect replays the stored events.
def ${MAKE_EVENTS_FUNCTION}() -> AsyncIterator[bytes]:
${indentBody(eventsBody)}

return ${RESUMABLE_RESPONSE_FUNCTION}(${MAKE_EVENTS_FUNCTION})
`;
}

/** The pydantic model of a POST route's JSON body; `base` as the file names pydantic's (`pydantic.BaseModel`). */
export function renderBodyModel(name: string, method: string, url: string, base = 'BaseModel'): string {
  return String.raw`class ${name}(${base}):
    """The JSON body of ${method} ${pythonStringBody(url)}."""

    prompt: str
`;
}

export const DEMO_TOKENS_FUNCTION = 'demo_tokens';

/**
 * A stand-in token source that visibly streams: a few dozen words, each after a short pause, as a model
 * would send them. Tokens keep their leading space so that joining them gives the text back.
 */
export const demoTokensFunction = String.raw`async def ${DEMO_TOKENS_FUNCTION}(prompt: str) -> AsyncIterator[str]:
    """Yield a canned reply to ${'``prompt``'} word by word, like a model.

    A stand-in so the endpoint streams before a model is wired in: replace
    it with your model's async token generator.
    """
    reply = (
        f"You asked: {prompt} "
        "This answer is streamed as Server-Sent Events: every word leaves "
        "the server the moment it is produced, so the first one reaches you "
        "while the rest are still being written, just as a language model "
        "sends its tokens. Swap this demo generator for your model and "
        "nothing else changes."
    )
    for index, word in enumerate(reply.split(" ")):
        await asyncio.sleep(0.03)
        yield word if index == 0 else " " + word
`;

/** A Python string literal for any text: the one Python escaper (core/codegen/escape.ts), re-exported for the templates. */
export { pythonString };

/** Docstring text width: with the function body's indentation, lines stay within PEP 8's 72 characters. */
const DOCSTRING_WIDTH = 68;

const NO_BREAK_SPACE = '\u00a0';

/** A phrase `wrap` keeps on one line. */
function unbreakable(phrase: string): string {
  return phrase.replaceAll(' ', NO_BREAK_SPACE);
}

/** Greedy word wrap at spaces (not at no-break spaces, which become spaces); a longer word gets a line of its own. */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line].join('\n').replaceAll(NO_BREAK_SPACE, ' ');
}

function indentBody(body: string): string {
  return body
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => (line.length > 0 ? `    ${line}` : line))
    .join('\n');
}

export interface ChatRouteOptions {
  readonly protocol: 'ai-sdk' | 'openai';
  readonly owner: string;
  /** Keyword arguments the decorator takes after the path (the sibling routes' conventions). */
  readonly decoratorKeywords?: readonly string[];
  readonly path: string;
  readonly url: string;
  readonly functionName: string;
  readonly pathParameters: readonly string[];
  /** Statements reading the conversation from `body` (tokenSources.py.ts `chat.statements`). */
  readonly statements: string;
  /** The token source expression. */
  readonly source: string;
  /** openai: the model name answered when the request names none. */
  readonly defaultModel: string;
}

/** The request body model of each chat protocol, defined in the generated streaming module. */
export const CHAT_REQUEST_MODEL = { 'ai-sdk': 'UIChatRequest', openai: 'ChatCompletionRequest' } as const;

/** A POST route speaking the Vercel AI SDK's UI message stream, or OpenAI-compatible Chat Completions. */
export function renderChatRoute(options: ChatRouteOptions): string {
  const model = CHAT_REQUEST_MODEL[options.protocol];
  const parameters = [...options.pathParameters.map((name) => `${name}: str`), 'request: Request'];
  const decorator = bracketedLayout(`@${options.owner}.post`, [pythonString(options.path), ...(options.decoratorKeywords ?? [])], '');
  const aiSdk = options.protocol === 'ai-sdk';
  const signature = bracketedLayout(`async def ${options.functionName}`, parameters, aiSdk ? ' -> EventStreamResponse:' : ' -> Response:');
  const summary = aiSdk
    ? 'Stream the reply to the chat as the Vercel AI SDK UI message stream.'
    : 'Answer the chat as an OpenAI-compatible Chat Completions endpoint.';
  const details = aiSdk
    ? `POST ${pythonStringBody(options.url)} takes the body useChat's default transport sends ({"messages": [...]}) and streams the reply as the UI message stream protocol v1 (text, reasoning and tool-input chunks, then finish and [DONE]). A request without a user message gets a 422.`
    : `POST ${pythonStringBody(options.url)} takes an OpenAI Chat Completions request: with "stream": true the reply comes as chat.completion.chunk events and data: [DONE] (usage last when stream_options.include_usage), otherwise as one chat.completion object. A request without a user message gets a 422.`;
  const result = aiSdk
    ? `return ui_message_stream_response(${options.source})\n`
    : `return await openai_chat_completion_response(
    ${options.source},
    model=body.model or ${pythonString(options.defaultModel)},
    stream=body.stream,
    include_usage=body.include_usage,
)
`;
  return String.raw`${decorator}
${signature}
    """${summary}

${indentBody(wrap(`${details} ${BODY_LIMITS_DOC}`, DOCSTRING_WIDTH))}
    """
${indentBody(readBodyStatement(model) + options.statements + result)}
`;
}

/** The package's bounded body reader (request_body.py), and the route parameter it reads from. */
export const READ_BODY_FUNCTION = 'read_body';

/** What the docstring of a route that reads its body says about the limits. */
const BODY_LIMITS_DOC = `The body is read within limits (413 past max_bytes, 422 past max_messages or max_text_chars); pass them to ${READ_BODY_FUNCTION} to change them.`;

/** The handler's first statement: the JSON body as `model`, read within the package's default limits. */
function readBodyStatement(model: string): string {
  // Laid out at the handler body's indentation, as the formatters would.
  const statement = bracketedLayout(`body: ${model} = await ${READ_BODY_FUNCTION}`, ['request', model], '', '    ');
  return `${statement.slice(4).replace(/\n {4}/g, '\n')}\n`;
}
