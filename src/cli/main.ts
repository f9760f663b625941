/**
 * catalyst-streaming: the terminal face of the extension. One module per verb under src/cli/commands/,
 * registered in the table below; this file only dispatches and maps errors to exit codes.
 */
import { CliError, type CliCommand, type CliIo } from './cli';
import { addEndpointCommand } from './commands/addEndpoint';
import { checkCommand } from './commands/check';
import { demoCommand } from './commands/demo';
import { generateCommand } from './commands/generate';
import { previewCommand } from './commands/preview';
import { CATALYST_VERSION } from '../core/version';

const commands: readonly CliCommand[] = [generateCommand, addEndpointCommand, checkCommand, demoCommand, previewCommand];

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
  main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
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
