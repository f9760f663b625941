/** `catalyst-streaming generate streaming-module [--out FILE]`: prints or writes exactly what the extension writes. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { renderStreamingModule } from '../../core/codegen/python/templates/streaming.py';
import { AtomicWriteError, writeFilesAtomically } from '../../core/workspace/atomicWrite';
import { nodeFileSystem } from '../../core/workspace/fileSystem';
import { CliError, parseCommandLine, USAGE_ERROR, type CliCommand } from '../cli';

const help = `Usage: catalyst-streaming generate streaming-module [--out FILE] [--ping-interval SECONDS]

Prints the generated Python streaming module (streaming.py), or writes it to FILE.
It is byte for byte what "Catalyst: Add Streaming Endpoint" writes.

Options:
  --out FILE               write to FILE (parent folders are created) instead of standard output
  --ping-interval SECONDS  default idle time before a ": ping" keep-alive comment (default 15)
  -h, --help               show this help
`;

const artifacts = {
  'streaming-module': (pingInterval: number | undefined) => renderStreamingModule(pingInterval === undefined ? {} : { pingInterval }),
} as const;

export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'print or write the generated Python streaming module',
  async run(args, io) {
    const { values, positionals } = parseCommandLine(
      'generate',
      args,
      {
        out: { type: 'string' },
        'ping-interval': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      true,
    );
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    const [artifact, ...extra] = positionals;
    if (artifact === undefined || extra.length > 0 || !(artifact in artifacts)) {
      const what =
        artifact === undefined ? 'missing what to generate' : `unknown argument "${[artifact, ...extra].find((a) => !(a in artifacts)) ?? extra[0]}"`;
      throw new CliError(`${what}; expected one of: ${Object.keys(artifacts).join(', ')}\n\n${help}`, USAGE_ERROR);
    }
    const pingInterval = values['ping-interval'] === undefined ? undefined : Number(values['ping-interval']);
    if (pingInterval !== undefined && !(Number.isFinite(pingInterval) && pingInterval > 0)) {
      throw new CliError(`--ping-interval must be a positive number of seconds, got "${values['ping-interval']}"`, USAGE_ERROR);
    }
    const text = await artifacts[artifact as keyof typeof artifacts](pingInterval);
    if (values.out === undefined) {
      io.stdout(text);
      return 0;
    }
    const target = path.resolve(io.cwd, values.out);
    await mkdir(path.dirname(target), { recursive: true });
    // The path the user named, followed through a link to its file; replaced whole (a reader never sees half).
    const file = await nodeFileSystem.realPath(target).catch(() => target);
    const existing = await nodeFileSystem.inspect(file);
    try {
      await writeFilesAtomically([{ file, bytes: Buffer.from(text, 'utf8'), ...(existing?.kind === 'file' ? { replaces: existing } : {}) }], nodeFileSystem);
    } catch (error) {
      throw error instanceof AtomicWriteError ? new CliError(`${values.out}: ${error.message}`) : error;
    }
    io.stderr(`Wrote ${path.relative(io.cwd, target) || target}\n`);
    return 0;
  },
};
