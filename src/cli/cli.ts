/** What every CLI verb shares: its shape, its I/O seam, argument parsing and the error that maps to an exit code. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Where a command writes. The real CLI binds these to the process; tests capture them. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
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
export function parseCommandLine<O extends Options>(
  command: string,
  args: readonly string[],
  options: O,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(`${message}\nRun "catalyst-streaming ${command} --help" for usage.`, USAGE_ERROR);
  }
}
