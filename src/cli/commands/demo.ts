/**
 * `catalyst-streaming demo`: the whole product in one command. Copies the bundled sample app to a temporary
 * folder, adds a streaming endpoint to it (the same planner as add-endpoint), runs it with uvicorn on a free
 * loopback port, streams the new endpoint to the terminal token by token with time to first token and
 * tokens/s, then stops the server and removes the folder, also when interrupted (Ctrl-C, SIGTERM, SIGHUP) or
 * when its output is closed (`demo | head -3`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '../../core/net/ports';
import { uvicornArguments } from '../../core/plan/modulePaths';
import type { PlannedEndpoint } from '../../core/plan/endpoint';
import { stopProcessGroup } from '../../core/process/stopProcessGroup';
import { findPython, pythonCandidates, PythonNotFoundError } from '../../core/python/interpreter';
import { StreamSession } from '../../core/sse/session';
import { CliError, listenForStop, parseCommandLine, type CliCommand, type CliIo } from '../cli';
import { addEndpoint } from '../../core/app/addEndpoint';
import { DEFAULT_ROUTE, DEV_SERVER_HOST } from '../../core/defaults';
import { applyChanges } from '../../core/workspace/applyChanges';
import { nodeFileSystem } from '../../core/workspace/fileSystem';
import { nodeProjectFiles } from '../../core/workspace/projectFiles';

/** How long uvicorn gets to shut down after SIGINT before it is killed. */
const STOP_GRACE_MS = 3_000;

const help = `Usage: catalyst-streaming demo [--prompt TEXT] [--keep]

Copies a small FastAPI app to a temporary folder, adds a Server-Sent Events endpoint to it (as add-endpoint
does), starts uvicorn on a free 127.0.0.1 port, streams the new endpoint here token by token with the time to
first token and the rate, then stops the server and removes the folder.

Needs a Python with fastapi and uvicorn (CATALYST_PYTHON, python3 on PATH, or /usr/bin/python3).

Options:
  --prompt TEXT  what to ask the demo endpoint (default: a question about streaming)
  --keep         keep the temporary folder, to look at the code that was added
  -h, --help     show this help
`;

const DEFAULT_PROMPT = 'How does streaming work?';

/** Where the sample app is: beside the bundle (dist/cli.js -> samples/) or in the source tree (tests). */
export function sampleAppFolder(): string {
  const candidates = [path.join(__dirname, '..', 'samples', 'demo-app'), path.join(__dirname, '..', '..', '..', 'samples', 'demo-app')];
  const found = candidates.find((candidate) => existsSync(path.join(candidate, 'main.py')));
  if (!found) {
    throw new CliError(`the bundled sample app is missing (looked in ${candidates.join(', ')})`);
  }
  return found;
}

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'add a streaming endpoint to a sample app, run it, and stream it here',
  async run(args, io) {
    const { values } = parseCommandLine('demo', args, {
      prompt: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    const stop = listenForStop(io);
    try {
      const code = await runDemo(io, { prompt: values.prompt ?? DEFAULT_PROMPT, keep: values.keep === true, signal: stop.signal });
      return code === INTERRUPTED ? stop.exitCode() : code;
    } finally {
      stop.dispose();
    }
  },
};

export interface DemoOptions {
  readonly prompt: string;
  readonly keep: boolean;
  /** Aborting it (Ctrl-C, SIGTERM, SIGHUP, a closed stdout) stops the stream and the server and cleans up. */
  readonly signal: AbortSignal;
}

export async function runDemo(io: CliIo, options: DemoOptions): Promise<number> {
  let python;
  try {
    python = await findPython(['fastapi', 'uvicorn'], pythonCandidates());
  } catch (error) {
    throw error instanceof PythonNotFoundError ? new CliError(error.message) : error;
  }
  const folder = await mkdtemp(path.join(os.tmpdir(), 'catalyst-demo-'));
  let server: ChildProcess | undefined;
  try {
    await cp(sampleAppFolder(), folder, { recursive: true });
    io.stdout(`1. Copied the sample app to ${folder}\n`);

    // Not verified first: the demo starts the app itself right after, and says so if it does not start.
    const outcome = await addEndpoint(
      nodeProjectFiles(folder),
      { route: DEFAULT_ROUTE, source: { kind: 'demo' } },
      { verify: { skipped: 'the demo starts the app' } },
    );
    if (options.signal.aborted) {
      return interruptedExit(io);
    }
    if (outcome.status === 'refused' || outcome.status === 'already-present') {
      throw new CliError(`could not add the endpoint to the sample app: ${outcome.message}`);
    }
    const { endpoint, changes } = outcome.plan;
    await applyChanges(folder, changes, nodeFileSystem);
    io.stdout(
      `2. Added ${endpoint.method} ${endpoint.url} (${changes.map((c) => `${c.kind === 'create' ? 'created' : c.kind === 'delete' ? 'deleted' : 'modified'} ${c.path}`).join(', ')})\n`,
    );

    const port = await freePort();
    const serve = endpoint.serve!;
    const started = startUvicorn(python.command, folder, endpoint, port);
    server = started.child;
    const stopWaiting = AbortSignal.any([started.exited, options.signal]);
    try {
      await waitForPort(port, { timeoutMs: 20_000, signal: stopWaiting });
    } catch (error) {
      if (options.signal.aborted) {
        return interruptedExit(io);
      }
      throw new CliError(`uvicorn did not start: ${(error as Error).message}\n${started.output()}`);
    }
    const url = `http://${DEV_SERVER_HOST}:${port}${endpoint.url}?prompt=${encodeURIComponent(options.prompt)}`;
    io.stdout(`3. Started uvicorn ${uvicornArguments(serve).join(' ')} with ${python.executable} (Python ${python.version})\n`);
    io.stdout(`4. Streaming GET ${url}\n\n`);

    const session = new StreamSession({ url, method: 'GET', headers: [] }, { onEvent: (_event, text) => text && io.stdout(text.delta) });
    const result = await session.run({ signal: options.signal });
    io.stdout('\n\n');
    if (result.outcome.kind === 'stopped') {
      return interruptedExit(io);
    }
    if (result.outcome.kind === 'failed') {
      throw new CliError(`the stream failed: ${result.outcome.failure.message}\n${started.output()}`);
    }
    const stats = session.stats.snapshot();
    io.stdout(
      `   first token after ${formatMs(stats.firstTokenMs)} · ${stats.tokens} tokens in ${formatMs(stats.lastEventMs)} · ${stats.tokensPerSecond ?? '-'} tokens/s\n`,
    );
    return 0;
  } finally {
    if (server) {
      await stopProcessGroup(server, STOP_GRACE_MS);
    }
    if (options.keep) {
      io.stdout(`Stopped the server; the app with its new endpoint is in ${folder}\n`);
    } else {
      await rm(folder, { recursive: true, force: true });
      io.stdout('Stopped the server and removed the temporary folder.\n');
    }
  }
}

/** runDemo's exit code when it was stopped; the command maps it to the stop's own (130, 143, 129 or 0). */
export const INTERRUPTED = 130;

function interruptedExit(io: CliIo): number {
  io.stderr('Interrupted.\n');
  return INTERRUPTED;
}

function formatMs(ms: number | null): string {
  if (ms === null) {
    return '-';
  }
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** uvicorn in its own process group (so stopping it stops its children too), output kept for error messages. */
function startUvicorn(python: string, cwd: string, endpoint: PlannedEndpoint, port: number) {
  const args = ['-m', 'uvicorn', ...uvicornArguments(endpoint.serve!, { host: DEV_SERVER_HOST, port, logLevel: 'warning' })];
  const child = spawn(python, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new AbortController();
  child.once('exit', () => exited.abort());
  child.once('error', (error) => {
    output += String(error);
    exited.abort();
  });
  return { child, exited: exited.signal, output: () => output };
}
