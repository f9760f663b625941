/**
 * Starts a real uvicorn for a test: on a free 127.0.0.1 port, in its own process group, stopped (with its
 * children) by `stop()`. Fails with uvicorn's own output when it exits before answering.
 */
import { startListening } from './processes';
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
  const uvicorn = await startListening({
    name: `uvicorn ${options.app}`,
    command: python,
    args: (port) => {
      const uvicornArgs = ['-m', 'uvicorn', options.app, '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warning', ...(options.extraArgs ?? [])];
      return options.coverage
        ? ['-m', 'coverage', 'run', '--parallel-mode', `--source=${options.coverage.source}`, `--data-file=${options.coverage.dataFile}`, ...uvicornArgs]
        : uvicornArgs;
    },
    cwd: options.cwd,
    env: { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', ...options.env },
    startTimeoutMs: 20_000,
    stop: { group: true, graceMs: STOP_GRACE_MS },
    // freePort() can race with another process taking the port: retry a few times on a new port.
    attempts: 3,
  });
  return { port: uvicorn.port, baseUrl: `http://127.0.0.1:${uvicorn.port}`, output: uvicorn.output, stop: uvicorn.stop };
}

/**
 * A serve command as add-endpoint prints it (`uvicorn [--app-dir DIR] module:app [--factory]`), run as printed
 * with the stack's Python (`python -m uvicorn ...`) on a free 127.0.0.1 port.
 */
export function startServeCommand(options: {
  readonly stack: PythonStack;
  readonly cwd: string;
  readonly words: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}): Promise<RunningServer> {
  const [program, ...args] = options.words;
  if (program !== 'uvicorn' || args.length === 0) {
    throw new Error(`only a uvicorn command can be started here, not: ${options.words.join(' ')}`);
  }
  // `[--app-dir DIR] APP [--factory]`: the app first for startUvicorn, the option after it means the same.
  const appAt = args[0] === '--app-dir' ? 2 : 0;
  return startUvicorn({
    stack: options.stack,
    cwd: options.cwd,
    app: args[appAt]!,
    extraArgs: [...args.slice(0, appAt), ...args.slice(appAt + 1)],
    ...(options.env ? { env: options.env } : {}),
  });
}
