/**
 * Starts a real uvicorn for a test: on a free 127.0.0.1 port, in its own process group, stopped (with its
 * children) by `stop()`. Fails with uvicorn's own output when it exits before answering.
 */
import type { ChildProcess } from 'node:child_process';
import { loadExeca } from './execa';
import { freePort, waitForPort } from '../../src/core/net/ports';
import { stopProcessGroup } from '../../src/core/process/stopProcessGroup';
import { pythonStack, type PythonStack } from './python';

/** coverage.py writes its data on the way out: give it time before SIGKILL. */
const STOP_GRACE_MS = 5_000;

export interface RunningServer {
  readonly port: number;
  readonly baseUrl: string;
  /** Everything uvicorn printed so far (stdout and stderr interleaved). */
  output(): string;
  stop(): Promise<void>;
}

export interface StartUvicornOptions {
  /** Folder to run in (on sys.path). */
  readonly cwd: string;
  /** "module:attribute", e.g. "main:app". */
  readonly app: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Run under coverage.py: `python -m coverage run -p --source=DIR -m uvicorn ...`. */
  readonly coverage?: { readonly source: string; readonly dataFile: string };
  readonly extraArgs?: readonly string[];
  /** The Python stack whose interpreter runs uvicorn (default: the current stack); \`python\` overrides it. */
  readonly stack?: PythonStack;
  readonly python?: string;
}

export async function startUvicorn(options: StartUvicornOptions): Promise<RunningServer> {
  const python = options.python ?? (await (options.stack ?? pythonStack('current')).interpreter()).command;
  let lastError: unknown;
  // freePort() can race with another process taking the port: retry a few times on a new port.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const uvicornArgs = ['-m', 'uvicorn', options.app, '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warning', ...(options.extraArgs ?? [])];
    const args = options.coverage
      ? ['-m', 'coverage', 'run', '--parallel-mode', `--source=${options.coverage.source}`, `--data-file=${options.coverage.dataFile}`, ...uvicornArgs]
      : uvicornArgs;
    const execa = await loadExeca();
    const child = execa(python, args, {
      cwd: options.cwd,
      env: { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', ...options.env },
      all: true,
      reject: false,
      detached: true,
      forceKillAfterDelay: 3_000,
    });
    let output = '';
    child.all?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const exited = new AbortController();
    void child.then(() => exited.abort());
    try {
      await waitForPort(port, { timeoutMs: 20_000, signal: exited.signal });
      return server(port, child, () => output);
    } catch (error) {
      await stopProcessGroup(child, STOP_GRACE_MS);
      lastError = new Error(`uvicorn ${options.app} did not start on port ${port}: ${(error as Error).message}\n${output}`);
    }
  }
  throw lastError;
}

function server(port: number, child: ChildProcess, output: () => string): RunningServer {
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    output,
    stop: () => stopProcessGroup(child, STOP_GRACE_MS),
  };
}
