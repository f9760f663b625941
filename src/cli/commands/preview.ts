/**
 * `catalyst-streaming preview URL [--method M] [--data JSON] [--header K:V]... [--last-event-id ID] [--json]`:
 * streams a URL's Server-Sent Events to the terminal with timing, from the same core as the Stream Preview panel.
 */
import type { SseEvent, StreamRequest } from '../../core/sse/model';
import { StreamSession } from '../../core/sse/session';
import { checkUrl } from '../../core/sse/connection';
import { eventRecord } from '../../core/sse/transcript';
import { CliError, parseCommandLine, USAGE_ERROR, type CliCommand, type CliIo } from '../cli';

const help = `Usage: catalyst-streaming preview URL [options]

Streams the Server-Sent Events of URL as they arrive, each with the time since the request was sent.
Ends with a summary: time to headers, first byte and first token, tokens/s, counts, header checks,
buffering. Exits 0 when the stream ended normally, 1 when it failed, 130 when interrupted.

Options:
  --method METHOD      HTTP method (default GET, or POST with --data)
  --data JSON          request body, sent as application/json (must be valid JSON)
  --header "K: V"      request header; repeat for several
  --last-event-id ID   resume: send Last-Event-ID
  --json               one JSON object per event and line: {"event","data","id","t_ms"}; nothing else on stdout
  -h, --help           show this help
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
        header: { type: 'string', multiple: true },
        'last-event-id': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      true,
    );
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    const request = buildRequest(positionals, values);
    const controller = new AbortController();
    const interrupt = () => controller.abort();
    process.once('SIGINT', interrupt);
    try {
      return await stream(request, values.json === true, io, controller.signal);
    } finally {
      process.removeListener('SIGINT', interrupt);
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

async function stream(request: StreamRequest, json: boolean, io: CliIo, signal: AbortSignal): Promise<number> {
  const session = new StreamSession(
    request,
    json
      ? {
          onEvent: (event) => io.stdout(`${JSON.stringify(eventRecord(event))}\n`),
          onNotice: (notice) => io.stderr(`warning: ${notice.message}\n`),
        }
      : {
          onResponse: (head) => io.stdout(`HTTP ${head.status} after ${ms(head.tMs)}\n`),
          onEvent: (event) => io.stdout(humanLine(event)),
          onComment: (comment, tMs) => io.stdout(`${ms(tMs).padStart(11)}  : ${comment}\n`),
          onNotice: (notice) => io.stdout(`${ms(notice.tMs).padStart(11)}  ! ${notice.message}\n`),
          onBuffering: (warning) => io.stdout(`${''.padStart(11)}  ! buffering suspected: ${warning.burstEvents} events in one burst after ${ms(warning.silenceMs)} of silence\n`),
        },
  );
  const result = await session.run({ signal });
  if (!json) {
    io.stdout(summary(session));
  }
  switch (result.outcome.kind) {
    case 'completed':
      return 0;
    case 'stopped':
      io.stderr(`catalyst-streaming preview: interrupted after ${result.events} event(s)\n`);
      return 130;
    case 'failed':
      io.stderr(`catalyst-streaming preview: ${result.outcome.failure.message}\n`);
      if (result.outcome.failure.kind === 'connection-refused') {
        io.stderr(`Start the server first, e.g.: python3 -m uvicorn main:app --port ${new URL(request.url).port || 80}\n`);
      }
      return 1;
  }
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
    `events ${s.events} (${Object.entries(s.countsByType).map(([type, n]) => `${type} ${n}`).join(', ') || 'none'}), comments ${s.comments}, chunks ${s.chunks}, ${s.bytes} bytes`,
    `time to headers ${ms(s.headersMs)}, first byte ${ms(s.firstByteMs)}, first token ${ms(s.firstTokenMs)}${s.tokensPerSecond !== null ? `, ${s.tokensPerSecond.toFixed(1)} tokens/s` : ''}, longest gap ${ms(s.maxGapMs)}`,
  ];
  if (session.text.format !== null) {
    lines.push(`text (${session.text.format}): ${session.text.text}`);
  }
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

function ms(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(1)} ms`;
}
