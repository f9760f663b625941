/**
 * `catalyst-streaming add-endpoint`: the Add Streaming Endpoint planner on a folder. Reads the workspace's
 * Python files, plans, and writes every change or none; `--dry-run` prints the unified diff instead.
 */
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { addEndpoint as addEndpointUseCase, endpointSummary, tryIt, type PlannedAddEndpoint, type Verification } from '../../core/app/addEndpoint';
import { shellWord } from '../../core/codegen/escape';
import { ON_DISCONNECT_POLICIES, type OnDisconnect } from '../../core/codegen/python/templates/route.py';
import type { AddEndpointRefusal, AddEndpointRequest, HttpMethod, PlannedEndpoint } from '../../core/plan/endpoint';
import type { ServeSettings } from '../../core/plan/serveCommand';
import { parseProtocol, PROTOCOLS, STREAM_PROTOCOLS } from '../../core/plan/protocol';
import { parseTokenSource } from '../../core/plan/tokenSource';
import { applyChanges, ApplyError } from '../../core/workspace/applyChanges';
import type { FileChange } from '../../core/workspace/fileChange';
import { nodeFileSystem, type FileSystem } from '../../core/workspace/fileSystem';
import { LockBusyError, withLocks } from '../../core/workspace/lock';
import { nodeProjectFiles, TooManyFilesError } from '../../core/workspace/projectFiles';
import { CliError, parseAppOption, parseCommandLine, USAGE_ERROR, type CliCommand, type CliIo } from '../cli';

const help = `Usage: catalyst-streaming add-endpoint [--workspace DIR] [--app FILE[:VAR]] [--route /stream]
                                       [--method GET|POST] [--protocol sse|ai-sdk|openai]
                                       [--source demo|anthropic|openai|groq|FUNC]
                                       [--module PATH] [--resumable] [--on-disconnect cancel|finish]
                                       [--dry-run] [--no-verify] [--json]

Adds a Server-Sent Events endpoint to a FastAPI app: the generated streaming module (created, kept, or
updated when it is an unedited older version; never overwritten once you edited it), the imports merged into
the file's own, and a typed, documented route function that streams tokens. Running it again changes
nothing. Either every file is written or none is.

Options:
  --workspace DIR   the project folder (default: the current folder)
  --app FILE[:VAR]  the module (relative to the workspace), and the app, app factory or APIRouter in it, to
                    add the route to (default: the workspace's only FastAPI app), e.g. app/main.py:app,
                    app/routers/items.py:router, src/shop/app.py:create_app
  --route PATH      the route path (default /stream; /api/chat for ai-sdk, /v1/chat/completions for openai);
                    {name} segments become str parameters
  --method METHOD   GET (prompt in the query string, default) or POST (JSON body {"prompt": "..."});
                    sse only: the ai-sdk and openai routes are POST
  --protocol NAME   what the route speaks (default sse):
                      sse     ${PROTOCOLS.sse.description}
                      ai-sdk  ${PROTOCOLS['ai-sdk'].description}
                      openai  ${PROTOCOLS.openai.description}
                    ai-sdk and openai routes take the conversation: an SDK source gets all its messages,
                    demo and your function get the text of the last user message
  --source SOURCE   where the tokens come from: demo (default, a canned reply), anthropic, openai, groq
                    (through the SDK's async client), or the name of an async generator function of yours
  --module PATH     where the streaming module goes (a .py file or a folder), relative to the workspace
                    (default: streaming.py at the top of the app's package, or next to a top-level script)
  --resumable       a resumable stream, for every protocol: the answer is produced once, whoever is
                    connected, and comes back on any worker: sse and openai by a reconnect with Last-Event-ID
                    (a browser's EventSource sends it by itself), ai-sdk through useChat's own resume
                    (resume: true: GET {route}/{chatId}/stream, 204 when nothing to resume). Adds a stop
                    endpoint beside it, POST {route}/{id}/stop (ai-sdk: the chat id), that ends the answer on
                    whichever worker produces it. Stored in Redis when REDIS_URL is set, else in process
                    (one worker). Adds the package's resumable/ folder
  --on-disconnect POLICY
                    what the route does with an answer whose client left (default cancel):
                      cancel  close the token source at once: the provider request stops, and its billing
                      finish  read the answer to its end (at most 5 minutes), so that the route's on_finish
                              hook receives all of it to save
                    The route calls its on_finish hook (an async function written beside it, for you to
                    fill in) once per answer, with the text, the finish reason and the provider's usage.
                    A resumable stream always finishes
  --dry-run         print the changes as a unified diff and write nothing (nothing is run either)
  --no-verify       write without first importing the changed app in Python (see below)
  --json            print the outcome as one JSON object (below) instead of text
  -h, --help        show this help

Before writing, the changed app is imported in a subprocess, as uvicorn would import it, from a temporary
view of the workspace with the changes laid over it (the project's .venv/venv Python, else CATALYST_PYTHON,
python3, /usr/bin/python3: the first that has FastAPI). If the app imports without the change but not with
it, nothing is written and the exception's last line and file are printed (reason "app-does-not-start").
If it cannot be imported either way in this environment (a missing package or setting), the change is
written and reported as not verified. From that import, the app's own route table (mounts and included
routers) gives the URL, the app that serves it ("serve") and where the streaming package goes, and
Starlette's own matching must send a request to the URL to the new route: if another route or mount answers
first, nothing is written (reason "route-unreachable"). The app asked is the project's own ([tool.fastapi]
entrypoint, Procfile, Dockerfile CMD, a __main__ calling uvicorn.run("pkg.main:app")), else the one the
source shows, else a module that makes one at import (app = create_app(settings)). With --no-verify and
--dry-run, the URL and the route order are read from the source.

Exit status: 0 when the endpoint was added (or planned, with --dry-run) or is already there; 1 when it cannot
be added (the message says why; nothing was written); 2 for a wrong command line.

JSON output:
  {
    "status": "applied" | "planned" | "already-present" | "refused",
    "reason": "invalid-route" | "route-taken" | "no-app" | ...,   (refused only)
    "message": "...",
    "protocol": "sse" | "ai-sdk" | "openai",                       (not when refused)
    "endpoint": { "file", "owner", "ownerKind": "app"|"factory"|"router", "method", "route", "url",
                  "functionName", "source", "protocol", "resumable": true|false,
                  "onDisconnect": "cancel"|"finish",
                  "serve": { "appDir", "app", "factory" } },
    "changes": [ { "path", "kind": "create"|"update"|"modify", "description" } ],
    "notes": [ "..." ],
    "verification": { "verified": true|false, "python", "reason", "error", "file", "line", "code" },
                      (applied, planned, and the app-does-not-start refusal; error/file/line: the exception)
    "diff": "..."                                                  (--dry-run only)
  }
  Paths are relative to the workspace, with "/" separators. "serve" tells how to run the app with uvicorn
  from the workspace folder: uvicorn [--app-dir APPDIR] APP [--factory].
`;

export const addEndpointCommand: CliCommand = {
  name: 'add-endpoint',
  summary: 'add a Server-Sent Events endpoint to a FastAPI app',
  async run(args, io) {
    const { values } = parseCommandLine('add-endpoint', args, {
      workspace: { type: 'string' },
      app: { type: 'string' },
      route: { type: 'string' },
      method: { type: 'string' },
      protocol: { type: 'string' },
      source: { type: 'string' },
      module: { type: 'string' },
      resumable: { type: 'boolean' },
      'on-disconnect': { type: 'string' },
      'dry-run': { type: 'boolean' },
      'no-verify': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    const request = requestFrom(values);
    const root = path.resolve(io.cwd, values.workspace ?? '.');
    const outcome = await addEndpoint(root, request, { dryRun: values['dry-run'] === true, verify: values['no-verify'] !== true });
    report(outcome, io, values.json === true);
    if (outcome.status === 'refused') {
      return outcome.reason === 'invalid-route' ? USAGE_ERROR : 1;
    }
    return 0;
  },
};

type Values = Partial<Record<'workspace' | 'app' | 'route' | 'method' | 'protocol' | 'source' | 'module' | 'on-disconnect', string>> & {
  readonly resumable?: boolean;
};

function requestFrom(values: Values): AddEndpointRequest {
  const method = values.method?.toUpperCase();
  if (method !== undefined && method !== 'GET' && method !== 'POST') {
    throw new CliError(`--method must be GET or POST, got "${values.method}"`, USAGE_ERROR);
  }
  const protocol = values.protocol === undefined ? undefined : parseProtocol(values.protocol);
  if (values.protocol !== undefined && protocol === undefined) {
    throw new CliError(`unknown --protocol "${values.protocol}": expected ${STREAM_PROTOCOLS.join(', ')}`, USAGE_ERROR);
  }
  if (protocol !== undefined && PROTOCOLS[protocol].method !== undefined && method !== undefined && method !== PROTOCOLS[protocol].method) {
    throw new CliError(`--protocol ${protocol} makes a ${PROTOCOLS[protocol].method} route; leave out --method ${values.method}`, USAGE_ERROR);
  }
  const onDisconnect = values['on-disconnect'];
  if (onDisconnect !== undefined && !isOnDisconnect(onDisconnect)) {
    throw new CliError(`unknown --on-disconnect "${onDisconnect}": expected ${ON_DISCONNECT_POLICIES.join(' or ')}`, USAGE_ERROR);
  }
  if (onDisconnect === 'cancel' && values.resumable === true) {
    throw new CliError('a resumable stream is produced once, whoever is connected: it always finishes; leave out --on-disconnect cancel', USAGE_ERROR);
  }
  const source = values.source === undefined ? undefined : parseTokenSource(values.source);
  if (source === undefined && values.source !== undefined) {
    throw new CliError(`unknown --source "${values.source}": expected demo, anthropic, openai, groq, or the name of an async generator function`, USAGE_ERROR);
  }
  let target: AddEndpointRequest['target'];
  if (values.app !== undefined) {
    target = parseAppOption(values.app);
  }
  return {
    ...(target ? { target } : {}),
    ...(values.route !== undefined ? { route: values.route } : {}),
    ...(method ? { method: method as HttpMethod } : {}),
    ...(source ? { source } : {}),
    ...(protocol ? { protocol } : {}),
    ...(values.module !== undefined ? { moduleLocation: values.module } : {}),
    ...(values.resumable === true ? { resumable: true } : {}),
    ...(onDisconnect !== undefined ? { onDisconnect } : {}),
  };
}

function isOnDisconnect(value: string): value is OnDisconnect {
  return (ON_DISCONNECT_POLICIES as readonly string[]).includes(value);
}

export type AddEndpointOutcome =
  | {
      readonly status: 'applied' | 'planned';
      readonly plan: PlannedAddEndpoint;
      readonly diff?: string;
      readonly verification: Verification;
      /** How the project serves (the FastAPI CLI or uvicorn), for the "Try it" line. */
      readonly serving?: ServeSettings;
    }
  | { readonly status: 'already-present'; readonly endpoint: PlannedEndpoint; readonly message: string }
  | (AddEndpointRefusal & { readonly verification?: Verification });

/** Plans on the folder's files and writes the changes (unless dryRun). Also used by `demo`. */
export async function addEndpoint(
  root: string,
  request: AddEndpointRequest,
  options: { readonly dryRun?: boolean; readonly verify?: boolean; readonly fs?: FileSystem } = {},
): Promise<AddEndpointOutcome> {
  const fs = options.fs ?? nodeFileSystem;
  if ((await fs.writability(root)) === 'missing') {
    throw new CliError(`the workspace folder ${root} does not exist`);
  }
  try {
    // Reading, planning and writing under one workspace lock: a second run waits, then plans on this one's result.
    return await withLocks([await realPathOf(root, fs)], () =>
      planAndApply(root, request, { dryRun: options.dryRun === true, verify: options.verify === true }, fs),
    );
  } catch (error) {
    if (error instanceof TooManyFilesError || error instanceof LockBusyError) {
      throw new CliError(error.message);
    }
    throw error;
  }
}

async function realPathOf(root: string, fs: FileSystem): Promise<string> {
  return fs.realPath(root).catch(() => root);
}

async function planAndApply(
  root: string,
  request: AddEndpointRequest,
  { dryRun, verify }: { readonly dryRun: boolean; readonly verify: boolean },
  fs: FileSystem,
): Promise<AddEndpointOutcome> {
  const target = request.target && { ...request.target, file: workspaceRelative(root, request.target.file) };
  const moduleLocation = request.moduleLocation === undefined ? undefined : workspaceRelative(root, request.moduleLocation);
  const outcome = await addEndpointUseCase(
    nodeProjectFiles(root, fs),
    { ...request, ...(target ? { target } : {}), ...(moduleLocation === undefined ? {} : { moduleLocation }) },
    {
      verify: dryRun ? { skipped: 'dry run: nothing was written or run' } : verify ? true : { skipped: '--no-verify: the app was not imported' },
    },
  );
  if (outcome.status === 'refused') {
    return outcome;
  }
  if (outcome.status === 'already-present') {
    return { status: 'already-present', endpoint: outcome.endpoint, message: outcome.message };
  }
  const { plan, verification, serving } = outcome;
  if (dryRun) {
    return { status: 'planned', plan, diff: plan.changes.map(unifiedDiff).join(''), verification, serving };
  }
  try {
    await applyChanges(root, plan.changes, fs);
  } catch (error) {
    if (error instanceof ApplyError) {
      return { status: 'refused', reason: 'not-writable', message: error.message };
    }
    throw error;
  }
  return { status: 'applied', plan, verification, serving };
}

/** --app and --module take a path relative to the workspace folder, or an absolute one. */
function workspaceRelative(root: string, file: string): string {
  const relative = path.isAbsolute(file) ? path.relative(root, file) : file;
  return relative.split(path.sep).join('/');
}

function unifiedDiff(change: FileChange): string {
  const before = change.before ?? '';
  return createTwoFilesPatch(
    change.before === undefined ? '/dev/null' : `a/${change.path}`,
    change.kind === 'delete' ? '/dev/null' : `b/${change.path}`,
    before,
    change.after,
    undefined,
    undefined,
    {
      context: 3,
    },
  );
}

function report(outcome: AddEndpointOutcome, io: CliIo, json: boolean): void {
  if (json) {
    io.stdout(`${JSON.stringify(toJson(outcome), null, 2)}\n`);
    if (outcome.status === 'refused') {
      io.stderr(`catalyst-streaming add-endpoint: ${outcome.message}\n`);
    }
    return;
  }
  switch (outcome.status) {
    case 'refused':
      io.stderr(`catalyst-streaming add-endpoint: ${outcome.message}\n`);
      return;
    case 'already-present':
      io.stdout(`${outcome.message}\n`);
      return;
    case 'planned':
      io.stdout(outcome.diff ?? '');
      io.stderr(`Dry run: nothing was written. ${endpointSummary(outcome.plan.endpoint)}\n`);
      return;
    case 'applied': {
      const { endpoint, changes, notes } = outcome.plan;
      const lines = [
        `Added ${endpointSummary(endpoint)}`,
        ...changes.map(
          (change) =>
            `  ${change.kind === 'create' ? 'created ' : change.kind === 'update' ? 'updated ' : change.kind === 'delete' ? 'deleted ' : 'modified'} ${change.path}`,
        ),
        ...notes.map((note) => `  note: ${note}`),
        outcome.verification.verified
          ? `  verified: ${endpoint.serve?.app ?? 'the app'} imports with the change and its own route table sends ${endpoint.method} ${endpoint.url} to the new route (${outcome.verification.python})`
          : `  note: not verified: ${outcome.verification.reason}`,
      ];
      // Lines to paste into a shell: every word quoted for it (a folder or prefix with spaces, quotes or `$(...)`
      // stays one word); a word with a control character no quoting makes safe, and the lines are left out.
      const { serveWords, url } = tryIt(endpoint, outcome.serving);
      const serve = serveWords?.map(shellWord);
      if (serve !== undefined && serve.every((word) => word !== undefined)) {
        const query = endpoint.method === 'GET' ? '' : ` -H 'content-type: application/json' -d '${EXAMPLE_BODY[endpoint.protocol]}'`;
        lines.push(`Try it: ${serve.join(' ')}`);
        // A URL with a prefix that could not be read (a note says so) gets no curl line: it would not be the URL.
        const curlUrl = url === undefined ? undefined : shellWord(url);
        if (curlUrl !== undefined) {
          lines.push(`   then: curl -N${query} ${curlUrl}`);
        }
      }
      io.stdout(`${lines.join('\n')}\n`);
      return;
    }
  }
}

/** A request body for the "Try it" curl line of each protocol's POST route. */
const EXAMPLE_BODY = {
  sse: '{"prompt": "Hi"}',
  'ai-sdk': '{"messages": [{"id": "1", "role": "user", "parts": [{"type": "text", "text": "Hi"}]}]}',
  openai: '{"model": "demo", "stream": true, "messages": [{"role": "user", "content": "Hi"}]}',
} as const;

function toJson(outcome: AddEndpointOutcome): Record<string, unknown> {
  switch (outcome.status) {
    case 'refused':
      return { status: 'refused', reason: outcome.reason, message: outcome.message, ...(outcome.verification ? { verification: outcome.verification } : {}) };
    case 'already-present':
      return { status: 'already-present', message: outcome.message, protocol: outcome.endpoint.protocol, endpoint: outcome.endpoint, changes: [], notes: [] };
    default:
      return {
        status: outcome.status,
        message: `${outcome.status === 'applied' ? 'Added' : 'Would add'} ${endpointSummary(outcome.plan.endpoint)}`,
        protocol: outcome.plan.endpoint.protocol,
        endpoint: outcome.plan.endpoint,
        changes: outcome.plan.changes.map((change) => ({ path: change.path, kind: change.kind, description: change.description })),
        notes: outcome.plan.notes,
        verification: outcome.verification,
        ...(outcome.diff !== undefined ? { diff: outcome.diff } : {}),
      };
  }
}
