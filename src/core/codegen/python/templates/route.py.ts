/**
 * The Python that "Add Streaming Endpoint" writes into the user's module: the route function, the request
 * body model for POST routes, and the demo token source.
 *
 * Written with LF line endings and four-space indentation at column 0; the planner re-indents (tabs, a
 * factory's body) and converts line endings to match the target file. Pure and byte-stable.
 */

import { pythonString, pythonStringBody } from '../../escape';
import { bracketedLayout, LINE_LENGTH } from '../formatterLayout';

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

/** What a route does with an answer whose client left: close the source at once, or read it to its end. */
export type OnDisconnect = 'cancel' | 'finish';
export const ON_DISCONNECT_POLICIES: readonly OnDisconnect[] = ['cancel', 'finish'];
export const DEFAULT_ON_DISCONNECT: OnDisconnect = 'cancel';
/** lifecycle.py's DEFAULT_MAX_DURATION: seconds an answer may run; the route says max_duration only when it differs. */
export const DEFAULT_MAX_ANSWER_SECONDS = 300;

/** How a route hands its answers to its on_finish hook. */
export interface AnswerLifecycle {
  /** The hook's name (a module-level async function, see `renderFinishHook`). */
  readonly hook: string;
  readonly onDisconnect: OnDisconnect;
  /** Seconds; the package's default when absent. */
  readonly maxDuration?: number;
}

/**
 * `answer = with_on_finish(source, hook, ...)`: the token source wrapped so that the hook gets the finished
 * answer. `model` is a Python expression (the SDK's model), left out when unknown.
 */
export function answerStatement(source: string, lifecycle: AnswerLifecycle, model?: string): string {
  const keywords = [
    ...(model === undefined ? [] : [`model=${model}`]),
    `on_disconnect=${pythonString(lifecycle.onDisconnect)}`,
    ...(lifecycle.maxDuration === undefined || lifecycle.maxDuration === DEFAULT_MAX_ANSWER_SECONDS
      ? []
      : [`max_duration=${pythonFloat(lifecycle.maxDuration)}`]),
  ];
  const lines = [source, lifecycle.hook, ...keywords].map((arg) => `    ${arg},\n`);
  return `answer = with_on_finish(\n${lines.join('')})\n`;
}

/** A number of seconds as a Python float literal. */
function pythonFloat(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}.0` : String(seconds);
}

/** The route's on_finish hook: an async function the user fills in (where to save the answer), empty as written. */
export function renderFinishHook(name: string, request: string): string {
  const details = wrap(
    `${request} hands each answer here once it ended, however it ended: its text, reasoning and tool calls, ${unbreakable('``result.finish_reason``')} (completed, client-left, stopped, error or timeout), the provider's token usage and timings. An exception here is logged; it never reaches the client.`,
    DOCSTRING_WIDTH,
  );
  // Too long for one line, black and ruff format put the one parameter on its own line with a trailing comma.
  const oneLine = `async def ${name}(result: FinishResult) -> None:`;
  const signature = oneLine.length <= LINE_LENGTH ? oneLine : `async def ${name}(\n    result: FinishResult,\n) -> None:`;
  return String.raw`${signature}
    """Save a finished answer: called once per answer.

${indentBody(details)}
    """
    # Save it here, e.g. to your database:
    # await db.save(result.text, result.usage.output_tokens)
`;
}

export const RESUMABLE_RESPONSE_CLASS = 'ResumableStreamResponse';
export const RESUMABLE_RESPONSE_FUNCTION = 'resumable_response';
export const MAKE_EVENTS_FUNCTION = 'make_events';

export const UNTIL_STOPPED = 'until_stopped';
export const STOP_RESPONSE = 'stop_response';
export const CHAT_STREAM_RESPONSE = 'chat_stream_response';

/**
 * The `respond` of a resumable handler's token source: the nested function returns the events themselves, their
 * token source wrapped in `until_stopped` (it ends at its next token once the stop endpoint is called, so the
 * encoder ends the stream as it ends every answer). `events` is the sse encoder's call, `stream_tokens(<source>)`.
 */
export const returnEvents = (events: string): string => {
  const encoder = 'stream_tokens(';
  if (!events.startsWith(encoder) || !events.endsWith(')')) {
    throw new Error(`not the sse encoder's call: ${events}`);
  }
  return `return ${encoder}${UNTIL_STOPPED}(${events.slice(encoder.length)})\n`;
};

/**
 * The statements of a resumable sse handler's `make_events` with an on_finish hook: the source that a stop ends,
 * handed to the hook (called by the worker that produces the answer), encoded as our events.
 */
export function resumableAnswer(source: string, hook: string, model?: string): string {
  const call = bodyCall(`answer = with_on_finish(${[`${UNTIL_STOPPED}(${source})`, hook, ...(model ? [`model=${model}`] : [])].join(', ')})`, 1);
  // Laid out at make_events' depth; resumableHandlerBody indents it there.
  const lines = call.split('\n').map((line) => line.slice(4));
  return `${lines.join('\n')}\nreturn stream_tokens(answer)\n`;
}

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
  /** A resumable stream: ai-sdk resumes through useChat's `GET {api}/{chatId}/stream`, openai by `Last-Event-ID`. */
  readonly resumable?: boolean;
  /** The answer handed to an on_finish hook (`with_on_finish`); the source streamed as is when absent. */
  readonly lifecycle?: AnswerLifecycle;
  /** The model an SDK source calls: named to on_finish and, on ai-sdk, in the start part's metadata. */
  readonly model?: string;
}

/** The request body model of each chat protocol, defined in the generated streaming module. */
export const CHAT_REQUEST_MODEL = { 'ai-sdk': 'UIChatRequest', openai: 'ChatCompletionRequest' } as const;

/** A POST route speaking the Vercel AI SDK's UI message stream, or OpenAI-compatible Chat Completions. */
export function renderChatRoute(options: ChatRouteOptions): string {
  const requestModel = CHAT_REQUEST_MODEL[options.protocol];
  const parameters = [...options.pathParameters.map((name) => `${name}: str`), 'request: Request'];
  const decorator = bracketedLayout(`@${options.owner}.post`, [pythonString(options.path), ...(options.decoratorKeywords ?? [])], '');
  const aiSdk = options.protocol === 'ai-sdk';
  const resumable = options.resumable === true;
  const returns = resumable && aiSdk ? RESUMABLE_RESPONSE_CLASS : aiSdk ? 'EventStreamResponse' : 'Response';
  const signature = bracketedLayout(`async def ${options.functionName}`, parameters, ` -> ${returns}:`);
  const summary = aiSdk
    ? 'Stream the reply to the chat as the Vercel AI SDK UI message stream.'
    : 'Answer the chat as an OpenAI-compatible Chat Completions endpoint.';
  const resumability = !resumable
    ? ''
    : aiSdk
      ? ` Resumable: useChat with resume: true gets the answer back after a reload from GET ${pythonStringBody(chatResumePath(options.url))}, on any worker.`
      : ` Resumable: every event has an id; the same request sent again with a Last-Event-ID header gets the events after it, on any worker.`;
  const details = aiSdk
    ? `POST ${pythonStringBody(options.url)} takes the body useChat's default transport sends ({"messages": [...]}) and streams the reply as the UI message stream protocol v1 (text, reasoning and tool-input chunks, then finish and [DONE]). A request without a user message gets a 422.${resumability}`
    : `POST ${pythonStringBody(options.url)} takes an OpenAI Chat Completions request: with "stream": true the reply comes as chat.completion.chunk events and data: [DONE] (usage last when stream_options.include_usage), otherwise as one chat.completion object. A request without a user message gets a 422.${resumability}`;
  const model = options.model === undefined ? undefined : pythonString(options.model);
  const modelKeyword = model ? [`model=${model}`] : [];
  const modelArgument = `model=body.model or ${pythonString(options.defaultModel)}`;
  const result = resumable ? resumableChatResult(options, aiSdk, modelKeyword, modelArgument) : plainChatResult(options, aiSdk, model, modelArgument);
  return String.raw`${decorator}
${signature}
    """${summary}

${indentBody(wrap(`${details} ${BODY_LIMITS_DOC}`, DOCSTRING_WIDTH))}
    """
${indentBody(readBodyStatement(requestModel) + options.statements + result)}
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

/** A plain chat route's return: the source (handed to its on_finish hook, when it has one) in the protocol's response. */
function plainChatResult(options: ChatRouteOptions, aiSdk: boolean, model: string | undefined, modelArgument: string): string {
  // The SDK's model, for on_finish and the ai-sdk metadata; an openai route answers with the requested model.
  const answer = options.lifecycle ? answerStatement(options.source, options.lifecycle, model) : '';
  const source = options.lifecycle ? 'answer' : options.source;
  return aiSdk
    ? `${answer}return ui_message_stream_response(${[source, ...(model ? [`model=${model}`] : [])].join(', ')})\n`
    : `${answer}return await openai_chat_completion_response(
    ${source},
    ${modelArgument},
    stream=body.stream,
    include_usage=body.include_usage,
)
`;
}

/**
 * A resumable chat route's return: the events made once, in the producer (`make_events`), from the source that a
 * stop ends (`until_stopped`), handed to the on_finish hook there, so the worker that produces the answer calls it.
 */
function resumableChatResult(options: ChatRouteOptions, aiSdk: boolean, modelKeyword: readonly string[], modelArgument: string): string {
  const hooked = (source: string) => (options.lifecycle ? `with_on_finish(${[source, options.lifecycle.hook, ...modelKeyword].join(', ')})` : source);
  const answer = options.lifecycle ? `${bodyCall(`answer = ${hooked(`${UNTIL_STOPPED}(${options.source})`)}`, 1)}\n` : '';
  const events = options.lifecycle ? 'answer' : `${UNTIL_STOPPED}(${options.source})`;
  const makeEvents = (encoder: string): string => `
# Called once, when a new stream starts; a ${aiSdk ? 'resume' : 'reconnect'} replays the stored events.
def ${MAKE_EVENTS_FUNCTION}() -> AsyncIterator[bytes]:
${answer}${bodyCall('return ' + encoder, 1)}
`;
  return aiSdk
    ? `${makeEvents(`ui_message_stream(${[events, ...modelKeyword].join(', ')})`)}
${bodyCall(`return ${RESUMABLE_RESPONSE_FUNCTION}(${MAKE_EVENTS_FUNCTION}, chat_id=body.id, error_event=ai_sdk_error_event, headers=UI_MESSAGE_STREAM_HEADERS)`, 0)}
`
    : `if not body.stream:
${bodyCall(`return await openai_chat_completion_response(${hooked(options.source)}, ${modelArgument}, stream=False)`, 1)}
${makeEvents(`openai_chat_completion_stream(${events}, ${modelArgument}, include_usage=body.include_usage)`)}
${bodyCall(`return ${RESUMABLE_RESPONSE_FUNCTION}(${MAKE_EVENTS_FUNCTION}, error_event=openai_error_event)`, 0)}
`;
}

/** Where useChat resumes a chat of the chat route at `route`: `GET {api}/{chatId}/stream`. */
export function chatResumePath(route: string): string {
  return `${withoutTrailingSlash(route)}/{chat_id}/stream`;
}

/** The stop endpoint of the resumable route at `route`: `POST {route}/{stream_id}/stop` (ai-sdk: the chat id). */
export function stopPath(route: string, chat: boolean): string {
  return `${withoutTrailingSlash(route)}/{${chat ? 'chat_id' : 'stream_id'}}/stop`;
}

function withoutTrailingSlash(route: string): string {
  return route.endsWith('/') ? route.slice(0, -1) : route;
}

export interface CompanionRouteOptions {
  readonly owner: string;
  readonly decoratorKeywords?: readonly string[];
  /** The resumable route's path as passed to its decorator, and the URL a client requests. */
  readonly path: string;
  readonly url: string;
  /** The resumable route's handler, which names its streams in the store. */
  readonly routeFunction: string;
  /** This companion's handler name. */
  readonly functionName: string;
  readonly pathParameters: readonly string[];
  /** ai-sdk: the stream is a chat's, named by useChat's chat id. */
  readonly chat: boolean;
}

/** `POST {route}/{stream_id}/stop`: stops the resumable route's stream on whichever worker produces it. */
export function renderStopRoute(options: CompanionRouteOptions): string {
  const id = options.chat ? 'chat_id' : 'stream_id';
  const path = stopPath(options.path, options.chat);
  const what = options.chat ? `the answer being written for the chat ${'``chat_id``'}` : `the stream ${'``stream_id``'}`;
  const details = `${pythonStringBody(options.url)}'s, on whichever worker writes it: the model's stream is closed and every reader gets the answer's end. 200 once it ended, 409 if it had already ended, 404 for an unknown id.`;
  const call = bodyCall(`return await ${STOP_RESPONSE}(${options.routeFunction}, ${id}${options.chat ? ', chat=True' : ''})`, 0);
  return companion(options, 'post', path, id, `Stop ${what}.`, details, 'Response', call);
}

/** useChat's resume, `GET {api}/{chatId}/stream`: the chat's answer being written, else 204. */
export function renderChatResumeRoute(options: CompanionRouteOptions): string {
  const details = `What useChat (resume: true) asks for after a reload: the answer being written for the chat, from its start, on any worker; 204 No Content when there is none.`;
  return companion(
    options,
    'get',
    chatResumePath(options.path),
    'chat_id',
    "Resume the chat's answer.",
    details,
    RESUMABLE_RESPONSE_CLASS,
    bodyCall(`return ${CHAT_STREAM_RESPONSE}(${options.routeFunction}, chat_id, headers=UI_MESSAGE_STREAM_HEADERS)`, 0),
  );
}

function companion(
  options: CompanionRouteOptions,
  method: string,
  path: string,
  id: string,
  summary: string,
  details: string,
  returns: string,
  body: string,
): string {
  const decorator = bracketedLayout(`@${options.owner}.${method}`, [pythonString(path), ...(options.decoratorKeywords ?? [])], '');
  const parameters = [...options.pathParameters.filter((name) => name !== id).map((name) => `${name}: str`), `${id}: str`];
  const signature = bracketedLayout(`async def ${options.functionName}`, parameters, ` -> ${returns}:`);
  return String.raw`${decorator}
${signature}
    """${summary}

${indentBody(wrap(details, DOCSTRING_WIDTH))}
    """
${indentBody(body)}
`;
}

/**
 * `<head>(<a>, <b>, ...)` written as a statement `depth` levels into a handler's body (its lines relative to the
 * body, which indentBody indents once more), laid out as the formatters would at that depth. `call` is one call
 * whose top-level arguments are separated by `, ` outside brackets.
 */
function bodyCall(call: string, depth: number): string {
  const open = call.indexOf('(');
  const head = call.slice(0, open);
  const args = splitArguments(call.slice(open + 1, -1));
  const layout = bracketedLayout(head, args, '', ' '.repeat(4 * (depth + 1)));
  return layout
    .split('\n')
    .map((line, index) => (index === 0 ? `${'    '.repeat(depth)}${line.trimStart()}` : line.slice(4)))
    .join('\n');
}

/** Top-level `, `-separated arguments of a call's argument text (commas inside brackets or strings stay). */
function splitArguments(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quote) {
      if (char === '\\') index++;
      else if (char === quote) quote = '';
    } else if (char === '"' || char === "'") quote = char;
    else if ('([{'.includes(char)) depth++;
    else if (')]}'.includes(char)) depth--;
    else if (char === ',' && depth === 0) {
      args.push(text.slice(start, index).trim());
      start = index + 1;
    }
  }
  args.push(text.slice(start).trim());
  return args.filter((arg) => arg !== '');
}
