/**
 * catalyst-streaming: the terminal face of the extension. One module per verb under src/cli/commands/,
 * registered in the table below; this file only dispatches and maps errors to exit codes.
 */
import { CliError, type CliCommand, type CliIo } from './cli';
import { tuneForColdStart } from './coldStart';
import { addEndpointCommand } from './commands/addEndpoint';
import { checkCommand } from './commands/check';
import { demoCommand } from './commands/demo';
import { generateCommand } from './commands/generate';
import { previewCommand } from './commands/preview';
import { snippetCommand } from './commands/snippet';
import { CATALYST_VERSION } from '../core/version';

const commands: readonly CliCommand[] = [generateCommand, addEndpointCommand, checkCommand, demoCommand, previewCommand, snippetCommand];

const usage = `catalyst-streaming: Server-Sent Events streaming for FastAPI

Usage: catalyst-streaming <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(14)}${c.summary}`).join('\n')}

Run "catalyst-streaming <command> --help" for a command's options.
`;

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`${CATALYST_VERSION}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`catalyst-streaming: unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`catalyst-streaming ${command.name}: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

if (require.main === module) {
  tuneForColdStart();
  // A reader that goes away (`| head -1`) is not an error: stop quietly, through the command's clean-up.
  const outputClosed = new AbortController();
  const quietOnEpipe = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') {
      throw error;
    }
    outputClosed.abort();
  };
  process.stdout.on('error', quietOnEpipe);
  process.stderr.on('error', quietOnEpipe);
  main(process.argv.slice(2), {
    stdout: (text) => {
      if (!outputClosed.signal.aborted) process.stdout.write(text);
    },
    stderr: (text) => {
      if (!process.stderr.destroyed) process.stderr.write(text);
    },
    cwd: process.cwd(),
    outputClosed: outputClosed.signal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`catalyst-streaming: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
