/**
 * `catalyst-streaming generate package --out DIR [NAME...]`: writes the generated streaming package (every
 * file, or the files the names need) exactly as the extension writes it into a project.
 * `generate streaming-module [--out FILE]`: prints or writes the single module of 0.1 (kept for scripts that
 * use it; projects now receive the package).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { renderStreamingModule } from '../../core/codegen/python/templates/streaming.py';
import { AtomicWriteError, writeFilesAtomically } from '../../core/workspace/atomicWrite';
import { nodeFileSystem } from '../../core/workspace/fileSystem';
import { isPackageName, PACKAGE_EXPORTS, PACKAGE_NAMES, renderPackageFiles, type PackageName } from '../../core/codegen/python/package';
import { moduleFile } from '../../core/codegen/python/package/packageSources';
import { CliError, parseCommandLine, USAGE_ERROR, type CliCommand, type CliIo } from '../cli';

const help = `Usage: catalyst-streaming generate package --out DIR [NAME...] [--python 3.X] [--ping-interval SECONDS]
       catalyst-streaming generate streaming-module [--out FILE] [--ping-interval SECONDS]

package: writes the generated streaming package into DIR (the package folder, e.g. app/streaming):
the files that define the NAMEs (stream_tokens, ui_message_stream_response, ...) and the files they
import, or every file when no NAME is given. Byte for byte what "Catalyst: Add Streaming Endpoint"
writes; existing files are replaced.
streaming-module: prints the single generated module of version 0.1 (streaming.py), or writes it to FILE.

Options:
  --out FILE|DIR           write there (parent folders are created) instead of standard output
  --python 3.X             the project's oldest Python, which the package's code follows (default 3.9)
  --ping-interval SECONDS  default idle time before a ": ping" keep-alive comment (default 15)
  -h, --help               show this help
`;

const artifacts = {
  'streaming-module': (pingInterval: number | undefined) => renderStreamingModule(pingInterval === undefined ? {} : { pingInterval }),
  package: undefined,
} as const;

export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'write the generated Python streaming package (or print the 0.1 single module)',
  async run(args, io) {
    const { values, positionals } = parseCommandLine(
      'generate',
      args,
      {
        out: { type: 'string' },
        'ping-interval': { type: 'string' },
        python: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      true,
    );
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    const [artifact, ...extra] = positionals;
    if (artifact === 'package') {
      return writePackage(extra, values, io);
    }
    if (artifact === undefined || extra.length > 0 || !(artifact in artifacts)) {
      const what =
        artifact === undefined ? 'missing what to generate' : `unknown argument "${[artifact, ...extra].find((a) => !(a in artifacts)) ?? extra[0]}"`;
      throw new CliError(`${what}; expected one of: ${Object.keys(artifacts).join(', ')}\n\n${help}`, USAGE_ERROR);
    }
    const pingInterval = pingIntervalOf(values['ping-interval']);
    const text = await artifacts['streaming-module'](pingInterval);
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

function pingIntervalOf(value: string | undefined): number | undefined {
  const pingInterval = value === undefined ? undefined : Number(value);
  if (pingInterval !== undefined && !(Number.isFinite(pingInterval) && pingInterval > 0)) {
    throw new CliError(`--ping-interval must be a positive number of seconds, got "${value}"`, USAGE_ERROR);
  }
  return pingInterval;
}

/** `generate package --out DIR [NAME...]`: the package's files for the names (all of them when none), written all or nothing. */
async function writePackage(
  names: readonly string[],
  values: { readonly out?: string | undefined; readonly python?: string | undefined; readonly 'ping-interval'?: string | undefined },
  io: CliIo,
): Promise<number> {
  if (values.out === undefined) {
    throw new CliError(`generate package needs --out DIR, the package folder to write\n\n${help}`, USAGE_ERROR);
  }
  const unknown = names.filter((name) => !isPackageName(name));
  if (unknown.length > 0) {
    throw new CliError(`not a name of the streaming package: ${unknown.join(', ')}; expected some of: ${PACKAGE_NAMES.join(', ')}`, USAGE_ERROR);
  }
  const python = values.python === undefined ? undefined : /^3\.(\d+)$/.exec(values.python.trim());
  if (python === null) {
    throw new CliError(`--python must be a Python 3 version like 3.12, got "${values.python}"`, USAGE_ERROR);
  }
  const pingInterval = pingIntervalOf(values['ping-interval']);
  const wanted = names.length > 0 ? (names as PackageName[]) : PACKAGE_NAMES.filter((name) => moduleFile(PACKAGE_EXPORTS[name]) !== undefined);
  const files = await renderPackageFiles(wanted, {
    ...(pingInterval === undefined ? {} : { pingInterval }),
    ...(python ? { pythonTarget: { major: 3, minor: Number(python[1]) } } : {}),
  });
  const folder = path.resolve(io.cwd, values.out);
  const writes = [];
  for (const file of files) {
    const target = path.join(folder, ...file.path.split('/'));
    const real = await nodeFileSystem.realPath(target).catch(() => target);
    const existing = await nodeFileSystem.inspect(real);
    writes.push({ file: real, bytes: Buffer.from(file.text, 'utf8'), ...(existing?.kind === 'file' ? { replaces: existing } : {}) });
  }
  try {
    await writeFilesAtomically(writes, nodeFileSystem);
  } catch (error) {
    throw error instanceof AtomicWriteError ? new CliError(`${values.out}: ${error.message}`) : error;
  }
  for (const file of files) {
    io.stderr(`Wrote ${path.relative(io.cwd, path.join(folder, ...file.path.split('/')))}\n`);
  }
  return 0;
}
