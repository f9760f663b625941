/**
 * `catalyst-streaming preview URL [--method M] [--data JSON] [--header K:V]... [--last-event-id ID] [--json]`:
 * streams a URL's Server-Sent Events to the terminal with timing, from the same core as the Stream Preview panel.
 */
import type { Redirect, SseEvent, StreamRequest } from '../../protocol/stream';
import { StreamSession, type SessionListener } from '../../core/sse/session';
import { checkUrl } from '../../core/sse/connection';
import { eventRecord, redirectText, RunStopper, type StopOutcome } from '../../core/sse/preview';
import type { PartReading, ToolCallView } from '../../core/sse/parts';
import path from 'node:path';
import { exampleBodyForAppRoute } from '../../core/app/exampleBody';
import { nodeProjectFiles } from '../../core/workspace/projectFiles';
import { CliError, listenForStop, parseAppOption, parseCommandLine, USAGE_ERROR, type CliCommand, type CliIo } from '../cli';
import { escapeControls } from '../terminalText';

const DEFAULT_IDLE_TIMEOUT_S = 60;
/** Characters of the assembled text shown in the summary: its end, with a note of what is not shown. */
const SUMMARY_TEXT_CHARS = 4000;

const help = `Usage: catalyst-streaming preview URL [options]

Streams the Server-Sent Events of URL as they arrive, each with the time since the request was sent.
Ends with a summary: time to headers, first byte and first token, tokens/s, counts, header checks,
buffering. Exits 0 when the stream ended normally, 1 when it failed, 130 when interrupted.
Control characters from the server (escape sequences included) are shown escaped, e.g. \x1b.

Options:
  --method METHOD      HTTP method (default GET, or POST with --data)
  --data JSON          request body, sent as application/json (must be valid JSON)
  --app FILE:VAR       without --data, a POST sends a body the route accepts: the app's route at the URL's
                       path, its protocol's chat request (ai-sdk, openai) or its Pydantic model with examples
  --workspace DIR      the project folder --app is relative to (default: the current folder)
  --header "K: V"      request header; repeat for several
  --last-event-id ID   resume: send Last-Event-ID
  --idle-timeout SECONDS  give up when the server sends nothing for this long (default ${DEFAULT_IDLE_TIMEOUT_S}; 0: never)
  --json               one JSON object per event and line (below); nothing else on stdout
  -h, --help           show this help

Redirects are followed (at most 20). A redirect to another origin (scheme, host or port) carries none of
your --header values nor --last-event-id: they go only to the URL's origin, as curl and browsers do. Each
redirect is shown ("redirect 302 -> URL"), on stderr with --json.

The protocol a stream speaks is detected from its response headers and events: "sse" (named events
token/reasoning/tool_call/done/error), "ai-sdk" (the Vercel AI SDK UI message stream: header
x-vercel-ai-ui-message-stream: v1, or {"type": ...} events), "openai" (chat.completion.chunk objects).
The summary shows it, with the reasoning and the tool calls beside the assembled text.

JSON output, one object per event:
  {"event", "data", "id", "t_ms",
   "protocol": "sse" | "ai-sdk" | "openai",       (once detected; absent before, or for other streams)
   "reasoning": "...",                            (the reasoning text this event added)
   "tool_call": {"id", "name",                    (a tool call this event started, continued or completed)
                 "arguments": "...",              (the fragment of the JSON arguments this event carried)
                 "done": true | false,            (the call is complete)
                 "input": ...}},                  (the parsed arguments, once done, when they are JSON)
   "redirects": [{"status", "from", "to",         (present when the response came through redirects)
                  "cross_origin": true | false,   (another origin than the URL's)
                  "dropped_headers": [...]}]}     (your headers not sent there)
  Concatenating "reasoning" gives the reasoning; "arguments" per tool call id gives its arguments.
`;

/** Longest data shown per event in the human format; --json always prints it whole. */
const SHOWN_DATA_CHARS = 2000;

export const previewCommand: CliCommand = {
  name: 'preview',
  summary: 'stream a URL\u2019s Server-Sent Events with timing',
  async run(args, io) {
    const { values, positionals } = parseCommandLine(
      'preview',
      args,
      {
        method: { type: 'string' },
        data: { type: 'string' },
        app: { type: 'string' },
        workspace: { type: 'string' },
        header: { type: 'string', multiple: true },
        'last-event-id': { type: 'string' },
        'idle-timeout': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      true,
    );
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    const request = await withExampleBody(buildRequest(positionals, values), values.app, values.workspace, io.cwd);
    const idleSeconds = values['idle-timeout'] === undefined ? DEFAULT_IDLE_TIMEOUT_S : Number(values['idle-timeout']);
    if (!Number.isFinite(idleSeconds) || idleSeconds < 0 || values['idle-timeout']?.trim() === '') {
      throw new CliError(`--idle-timeout must be a number of seconds (0: never), got "${values['idle-timeout']}"`, USAGE_ERROR);
    }
    const stop = listenForStop(io);
    try {
      const code = await stream(request, values.json === true, io, stop.signal, idleSeconds * 1000);
      return code === STOPPED ? stop.exitCode() : code;
    } finally {
      stop.dispose();
    }
  },
};

function buildRequest(
  positionals: readonly string[],
  values: { method?: string | undefined; data?: string | undefined; header?: string[] | undefined; 'last-event-id'?: string | undefined },
): StreamRequest {
  if (positionals.length !== 1) {
    throw new CliError(`${positionals.length === 0 ? 'missing the URL' : `expected one URL, got ${positionals.length}`}\n\n${help}`, USAGE_ERROR);
  }
  const url = positionals[0]!;
  const checked = checkUrl(url);
  if (!(checked instanceof URL)) {
    throw new CliError(checked.message, USAGE_ERROR);
  }
  if (values.data !== undefined) {
    try {
      JSON.parse(values.data);
    } catch (error) {
      throw new CliError(`--data is not valid JSON: ${(error as Error).message}`, USAGE_ERROR);
    }
  }
  const headers = (values.header ?? []).map((header): [string, string] => {
    const colon = header.indexOf(':');
    if (colon <= 0) {
      throw new CliError(`--header "${header}" is not "Name: value"`, USAGE_ERROR);
    }
    return [header.slice(0, colon).trim(), header.slice(colon + 1).trim()];
  });
  return {
    url,
    method: (values.method ?? (values.data !== undefined ? 'POST' : 'GET')).toUpperCase(),
    headers,
    ...(values.data !== undefined ? { body: values.data } : {}),
    ...(values['last-event-id'] !== undefined ? { lastEventId: values['last-event-id'] } : {}),
  };
}

/** A POST without --data, given --app: the body the route accepts (the editor's CodeLens starts with the same). */
async function withExampleBody(request: StreamRequest, appOption: string | undefined, workspace: string | undefined, cwd: string): Promise<StreamRequest> {
  if (appOption === undefined || request.body !== undefined || request.method !== 'POST') {
    return request;
  }
  const app = parseAppOption(appOption);
  if (app.id === undefined) {
    throw new CliError(`--app must name the app in the file: FILE:VAR, e.g. ${appOption}:app`, USAGE_ERROR);
  }
  const root = path.resolve(cwd, workspace ?? '.');
  const file = path.relative(root, path.resolve(root, app.file)).split(path.sep).join('/');
  const found = await exampleBodyForAppRoute(nodeProjectFiles(root), { file, id: app.id }, decodeURIComponent(new URL(request.url).pathname), 'POST');
  if (!found.ok) {
    throw new CliError(found.message);
  }
  return found.body === undefined ? request : { ...request, body: found.body };
}

/** stream()'s result when it was stopped: the caller knows by what, hence the exit code. */
const STOPPED = -1;

async function stream(request: StreamRequest, json: boolean, rawIo: CliIo, signal: AbortSignal, idleTimeoutMs: number): Promise<number> {
  // Whatever reaches the terminal may carry the server's bytes: escape its controls. --json is escaped by JSON itself.
  const out = (text: string) => rawIo.stdout(json ? text : escapeControls(text));
  const err = (text: string) => rawIo.stderr(escapeControls(text));
  const redirects: Redirect[] = [];
  // Ctrl-C on a resumable route stops the answer on the server, as the editor's Stop does (core/sse/preview/stop.ts).
  const stopper = new RunStopper(request);
  let stopping: Promise<StopOutcome> | undefined;
  const stop = () => (stopping = stopper.stop());
  signal.addEventListener('abort', stop, { once: true });
  const listener: SessionListener = json
    ? {
        onEvent: (event, _text, parts) =>
          out(`${JSON.stringify({ ...eventRecord(event), ...partFields(session.parts.protocol, parts), ...redirectFields(redirects) })}\n`),
        onNotice: (notice) => err(`warning: ${notice.message}\n`),
        onRedirect: (redirect) => {
          redirects.push(redirect);
          err(redirectLine(redirect));
        },
      }
    : {
        onRedirect: (redirect) => out(redirectLine(redirect)),
        onResponse: (head) => out(`HTTP ${head.status} after ${ms(head.tMs)}\n`),
        onEvent: (event) => out(humanLine(event)),
        onComment: (comment, tMs) => out(`${ms(tMs).padStart(11)}  : ${comment}\n`),
        onNotice: (notice) => out(`${ms(notice.tMs).padStart(11)}  ! ${notice.message}\n`),
        onBuffering: (warning) =>
          out(`${''.padStart(11)}  ! buffering suspected: ${warning.burstEvents} events in one burst after ${ms(warning.silenceMs)} of silence\n`),
      };
  const session: StreamSession = new StreamSession(
    request,
    stopper.listen(listener, () => session.parts.protocol),
  );
  if (signal.aborted) {
    stop();
  }
  const result = await stopper.settle(await session.run({ signal: stopper.signal, idleTimeoutMs }));
  signal.removeEventListener('abort', stop);
  if (!json && !rawIo.outputClosed?.aborted) {
    out(summary(session));
  }
  switch (result.outcome.kind) {
    case 'completed':
      return 0;
    case 'stopped':
      if (!rawIo.outputClosed?.aborted) {
        const how = (await stopping) === 'stopped-by-server' ? 'stopped on the server' : 'interrupted';
        err(`catalyst-streaming preview: ${how} after ${result.events} event(s)\n`);
      }
      return STOPPED;
    case 'failed':
      err(`catalyst-streaming preview: ${result.outcome.failure.message}\n`);
      if (result.outcome.failure.kind === 'connection-refused') {
        err(`Start the server first, e.g.: python3 -m uvicorn main:app --port ${new URL(result.outcome.failure.url).port || 80}\n`);
      }
      return 1;
  }
}

function redirectLine(redirect: Redirect): string {
  return `redirect ${redirectText(redirect)}\n`;
}

/** The --json field of a response that came through redirects (none otherwise). */
function redirectFields(redirects: readonly Redirect[]): Record<string, unknown> {
  return redirects.length === 0
    ? {}
    : {
        redirects: redirects.map((r) => ({ status: r.status, from: r.from, to: r.to, cross_origin: r.crossOrigin, dropped_headers: r.droppedHeaders })),
      };
}

/** The --json fields beside the event's own: its stream's protocol, the reasoning and tool call it carried. */
function partFields(protocol: string | null, parts: (PartReading & { readonly call?: ToolCallView }) | undefined): Record<string, unknown> {
  const call = parts?.call;
  const fragment = parts?.toolCall?.arguments;
  return {
    ...(protocol !== null ? { protocol } : {}),
    ...(parts?.reasoning ? { reasoning: parts.reasoning } : {}),
    ...(call
      ? {
          tool_call: {
            id: call.id,
            name: call.name,
            ...(fragment !== undefined ? { arguments: fragment } : {}),
            done: call.done,
            ...(call.done && 'input' in call ? { input: call.input } : {}),
          },
        }
      : {}),
  };
}

function humanLine(event: SseEvent): string {
  const data = event.data.length > SHOWN_DATA_CHARS ? `${event.data.slice(0, SHOWN_DATA_CHARS)}… (${event.data.length} characters)` : event.data;
  const id = event.id === null ? '' : ` id=${event.id}`;
  // Multi-line data is indented under its event so the next event's line stays easy to find.
  return `${ms(event.tMs).padStart(11)}  ${event.event}${id}  ${data.replaceAll('\n', `\n${' '.repeat(13)}`)}\n`;
}

function summary(session: StreamSession): string {
  const s = session.stats.snapshot();
  const lines = [
    '',
    `events ${s.events} (${countsText(s.countsByType, s.otherEvents ?? 0)}), comments ${s.comments}, chunks ${s.chunks}, ${s.bytes} bytes`,
    `time to headers ${ms(s.headersMs)}, first byte ${ms(s.firstByteMs)}, first token ${ms(s.firstTokenMs)}${s.tokensPerSecond !== null ? `, ${s.tokensPerSecond.toFixed(1)} tokens/s` : ''}, longest gap ${ms(s.maxGapMs)}`,
  ];
  if (session.text.format !== null) {
    const kept = session.text.text;
    const hidden = session.text.dropped + Math.max(0, kept.length - SUMMARY_TEXT_CHARS);
    const shown = hidden > 0 ? kept.slice(-SUMMARY_TEXT_CHARS) : kept;
    lines.push(
      `text (${session.text.format}${hidden > 0 ? `; truncated: the first ${hidden} of ${hidden + shown.length} characters are not shown` : ''}): ${hidden > 0 ? '…' : ''}${shown}`,
    );
  }
  lines.push(...partsSummary(session));
  if (session.text.error !== null) {
    lines.push(`the stream reported an error: ${session.text.error}`);
  }
  for (const check of session.headerChecks.filter((c) => c.level === 'warning' || c.level === 'error')) {
    lines.push(`${check.level}: ${check.header}: ${check.message}`);
  }
  const buffering = session.bufferingWarning;
  if (buffering !== null) {
    lines.push(`warning: buffering suspected: ${buffering.burstEvents} events arrived in one burst after ${ms(buffering.silenceMs)} of silence. Usual causes:`);
    lines.push(...buffering.causes.map((cause) => `  - ${cause}`));
  }
  return `${lines.join('\n')}\n`;
}

/** The protocol, the reasoning (its end, like the text) and one line per tool call. */
function partsSummary(session: StreamSession): string[] {
  const { parts } = session;
  const lines: string[] = [];
  if (parts.protocol !== null) {
    lines.push(`protocol: ${parts.protocol}`);
  }
  const reasoning = parts.reasoning;
  if (reasoning !== '') {
    const hidden = parts.reasoningDropped + Math.max(0, reasoning.length - SUMMARY_TEXT_CHARS);
    lines.push(
      `reasoning${hidden > 0 ? ` (the first ${hidden} characters are not shown)` : ''}: ${hidden > 0 ? '…' : ''}${reasoning.slice(-SUMMARY_TEXT_CHARS)}`,
    );
  }
  for (const call of parts.toolCalls) {
    const args =
      call.arguments.length > SUMMARY_TEXT_CHARS ? `${call.arguments.slice(0, SUMMARY_TEXT_CHARS)}… (${call.arguments.length} characters)` : call.arguments;
    lines.push(`tool call ${call.name} (${call.id}${call.done ? '' : ', incomplete'}): ${args}`);
  }
  if (parts.toolCallsOmitted > 0) {
    lines.push(`…and ${parts.toolCallsOmitted} more tool calls`);
  }
  return lines;
}

function countsText(counts: Readonly<Record<string, number>>, otherEvents: number): string {
  const listed = Object.entries(counts).map(([type, n]) => `${type} ${n}`);
  if (otherEvents > 0) {
    listed.push(`others ${otherEvents} (truncated: only the most frequent types are listed)`);
  }
  return listed.join(', ') || 'none';
}

function ms(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(1)} ms`;
}
