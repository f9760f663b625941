/** What every CLI verb shares: its shape, its I/O seam, argument parsing and the error that maps to an exit code. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Where a command writes. The real CLI binds these to the process; tests capture them. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  /** Aborted when whoever reads stdout has gone (EPIPE, e.g. `| head -3`): long-running commands stop and clean up. */
  readonly outputClosed?: AbortSignal;
}

export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  /** Runs the command and returns its exit code. Throws CliError for bad input. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** A failure the user can fix; shown without a stack trace. Exit code 2 means the command line was wrong. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const USAGE_ERROR = 2;

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * node:util parseArgs in strict mode, with its errors (unknown option, missing value) turned into a CliError
 * with exit code 2 that names the command's --help.
 */
export function parseCommandLine<O extends Options>(command: string, args: readonly string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(`${message}\nRun "catalyst-streaming ${command} --help" for usage.`, USAGE_ERROR);
  }
}

/** The signals that ask a long-running command (preview, demo) to stop and clean up, with their exit codes. */
const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

export interface StopRequest {
  readonly signal: AbortSignal;
  /** The exit code for what stopped us: 128 + the signal's number, or 0 when the output was closed. */
  exitCode(): number;
  dispose(): void;
}

/**
 * Listens for SIGINT, SIGTERM and SIGHUP (and a closed stdout) while a command runs, turning any of them into
 * one abort, so the command ends through its own clean-up path instead of dying with children left behind.
 */
export function listenForStop(io: CliIo): StopRequest {
  const controller = new AbortController();
  let code = 130;
  const handlers = Object.entries(STOP_SIGNALS).map(([name, exitCode]) => {
    const handler = () => {
      code = exitCode;
      controller.abort();
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  const onClosed = () => {
    code = 0;
    controller.abort();
  };
  io.outputClosed?.addEventListener('abort', onClosed, { once: true });
  if (io.outputClosed?.aborted) {
    onClosed();
  }
  return {
    signal: controller.signal,
    exitCode: () => code,
    dispose() {
      for (const [name, handler] of handlers) {
        process.removeListener(name, handler);
      }
      io.outputClosed?.removeEventListener('abort', onClosed);
    },
  };
}

/** `--app FILE[:VAR]`: a module relative to the workspace and, after a colon, the app/factory/router in it. */
export function parseAppOption(value: string): { readonly file: string; readonly id?: string } {
  // A Windows drive letter ("C:\...") is not a variable.
  const colon = value.lastIndexOf(':');
  const hasVariable = colon > 1 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(value.slice(colon + 1));
  return hasVariable ? { file: value.slice(0, colon), id: value.slice(colon + 1) } : { file: value };
}
