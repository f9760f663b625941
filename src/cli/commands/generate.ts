/**
 * `catalyst-streaming generate package --out DIR [NAME...]`: writes the generated streaming package (every
 * file, or the files the names need) exactly as the extension writes it into a project.
 * `generate streaming-module`: the verb of the single module of 0.1 and 0.2, retired with that module. It is
 * still accepted, and exits 2 naming `generate package`: a package is a folder (nothing to print on standard
 * output), and code written for the module (`from streaming import stream_tokens`) does not import from the
 * package (`from streaming.tokens import stream_tokens`), so writing it under the old verb would exit 0 and
 * leave the app failing at startup. A script fails here instead, at the line to change.
 */
import path from 'node:path';
import { shellWord } from '../../core/codegen/escape';
import { AtomicWriteError, writeFilesAtomically } from '../../core/workspace/atomicWrite';
import { nodeFileSystem } from '../../core/workspace/fileSystem';
import { isPackageName, PACKAGE_EXPORTS, PACKAGE_NAMES, renderPackageFiles, type PackageName } from '../../core/codegen/python/package';
import { moduleFile } from '../../core/codegen/python/package/packageSources';
import { CliError, parseCommandLine, USAGE_ERROR, type CliCommand, type CliIo } from '../cli';

const help = `Usage: catalyst-streaming generate package --out DIR [NAME...] [--python 3.X] [--ping-interval SECONDS]

package: writes the generated streaming package into DIR (the package folder, e.g. app/streaming):
the files that define the NAMEs (stream_tokens, ui_message_stream_response, ...) and the files they
import, or every file when no NAME is given. Byte for byte what "Catalyst: Add Streaming Endpoint"
writes; existing files are replaced.
streaming-module: retired with the single module of 0.1 and 0.2 (streaming.py); it exits 2 and names
"generate package", which writes the streaming/ package that replaced it. add-endpoint (and the editor's
Add Streaming Endpoint) migrates an unedited streaming.py of those versions to the package, imports included.

Options:
  --out DIR                write there (parent folders are created)
  --python 3.X             the project's oldest Python, which the package's code follows (default 3.9)
  --ping-interval SECONDS  default idle time before a ": ping" keep-alive comment (default 15)
  -h, --help               show this help
`;

const ARTIFACTS = ['package', 'streaming-module'] as const;

export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'write the generated Python streaming package',
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
    if (artifact === undefined || extra.length > 0 || !(ARTIFACTS as readonly string[]).includes(artifact)) {
      const what =
        artifact === undefined
          ? 'missing what to generate'
          : `unknown argument "${[artifact, ...extra].find((a) => !(ARTIFACTS as readonly string[]).includes(a)) ?? extra[0]}"`;
      throw new CliError(`${what}; expected one of: ${ARTIFACTS.join(', ')}\n\n${help}`, USAGE_ERROR);
    }
    throw new CliError(retiredModuleMessage(values.out), USAGE_ERROR);
  },
};

/** What `generate streaming-module` says instead of writing: the verb to use, with the folder its `--out FILE` stood for. */
function retiredModuleMessage(out: string | undefined): string {
  // A word to paste into a shell (quoted as needed); DIR when the path holds a control character.
  const folder = shellWord(out === undefined ? 'streaming' : out.replace(/\.py$/, '')) ?? 'DIR';
  return (
    'generate streaming-module no longer writes the single streaming.py of 0.1 and 0.2: the generated code is now the ' +
    'streaming/ package, one file per job, whose names are imported from its modules ' +
    '(from streaming.tokens import stream_tokens).\n' +
    `Write it with: catalyst-streaming generate package --out ${folder} [NAME...]\n` +
    'An unedited streaming.py of those versions is migrated to the package, imports included, by add-endpoint ' +
    '(or Add Streaming Endpoint in the editor).'
  );
}

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
