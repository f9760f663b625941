/**
 * How the project itself says its app is served, read in this order (the first that names an app wins when
 * several do): `[tool.fastapi] entrypoint` in pyproject.toml (what `fastapi dev`/`fastapi run` read), a
 * Procfile's process (web first), a Dockerfile's CMD or ENTRYPOINT, and a `__main__` block that calls
 * `uvicorn.run("pkg.main:app", ...)`.
 *
 *   await serveHints(workspace, new Map([['Procfile', 'web: uvicorn --app-dir src notes.web:application']]))
 *     -> [{ target: { appDir: 'src', app: 'notes.web:application', factory: false }, source: 'Procfile' }]
 *
 * TOML is parsed with smol-toml and Python with tree-sitter; a command line is split into words as a POSIX
 * shell would (quotes, backslashes), not parsed further than finding uvicorn's own arguments.
 */
import { parse as parseToml } from 'smol-toml';
import type { ProbeTarget as UvicornTarget } from './appProbe';
import { keywordArgument, positionalArguments, resolveQualifiedName, stringValue } from './syntax';
import { isTestFile, type PythonWorkspace } from './workspace';

export interface ServeHint {
  readonly target: UvicornTarget;
  /** Where it was read, for notes: `pyproject.toml [tool.fastapi] entrypoint`, `Procfile`, `run.py`. */
  readonly source: string;
}

/** The non-Python files read, relative to the project folder. */
export const SERVE_HINT_FILES = ['pyproject.toml', 'Procfile', 'Dockerfile'] as const;

/** Every hint the project gives, in the order above; `configFiles`: path -> text of those of SERVE_HINT_FILES that exist. */
export async function serveHints(workspace: PythonWorkspace, configFiles: ReadonlyMap<string, string>): Promise<ServeHint[]> {
  const hints: ServeHint[] = [];
  const entrypoint = fastapiEntrypoint(configFiles.get('pyproject.toml'));
  if (entrypoint !== undefined) {
    hints.push({ target: { appDir: appDirOf(workspace, entrypoint), app: entrypoint, factory: false }, source: 'pyproject.toml [tool.fastapi] entrypoint' });
  }
  for (const [file, commands] of [
    ['Procfile', procfileCommands(configFiles.get('Procfile'))],
    ['Dockerfile', dockerfileCommands(configFiles.get('Dockerfile'))],
  ] as const) {
    for (const words of commands) {
      const target = uvicornTargetInWords(words);
      if (target !== undefined) {
        hints.push({ target, source: file });
      }
    }
  }
  for (const file of workspace.files.keys()) {
    if (!file.endsWith('.py') || isTestFile(file) || !workspace.files.get(file)!.includes('__main__')) {
      continue;
    }
    for (const target of await uvicornRunTargets(workspace, file)) {
      hints.push({ target: target.appDir === '' ? { ...target, appDir: appDirOf(workspace, target.app) } : target, source: file });
    }
  }
  return hints;
}

/** `[tool.fastapi] entrypoint = "pkg.main:app"`; undefined when absent or the TOML is invalid. */
export function fastapiEntrypoint(pyproject: string | undefined): string | undefined {
  if (pyproject === undefined) {
    return undefined;
  }
  try {
    const tool = (parseToml(pyproject) as { tool?: { fastapi?: { entrypoint?: unknown } } }).tool;
    const entrypoint = tool?.fastapi?.entrypoint;
    return typeof entrypoint === 'string' && entrypoint.includes(':') ? entrypoint.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** A Procfile's commands as words, the `web` process first. */
export function procfileCommands(text: string | undefined): string[][] {
  const processes: Array<{ name: string; words: string[] }> = [];
  for (const line of (text ?? '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (line.trim().startsWith('#') || colon <= 0) {
      continue;
    }
    processes.push({ name: line.slice(0, colon).trim(), words: shellWords(line.slice(colon + 1)) });
  }
  return [...processes.filter((p) => p.name === 'web'), ...processes.filter((p) => p.name !== 'web')].map((p) => p.words);
}

/** A Dockerfile's CMD and ENTRYPOINT instructions as words (exec form or shell form), the last ones first. */
export function dockerfileCommands(text: string | undefined): string[][] {
  const instructions = (text ?? '').replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const commands: string[][] = [];
  for (const instruction of instructions) {
    const match = /^\s*(CMD|ENTRYPOINT)\s+(.*)$/i.exec(instruction);
    if (!match) {
      continue;
    }
    const argument = match[2]!.trim();
    let words: string[] | undefined;
    if (argument.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(argument);
        words = Array.isArray(parsed) && parsed.every((w) => typeof w === 'string') ? (parsed as string[]) : undefined;
      } catch {
        words = undefined;
      }
    }
    commands.unshift(words ?? shellWords(argument));
  }
  return commands;
}

/** uvicorn's options that take a value (so the value is not the app). */
const UVICORN_VALUE_OPTIONS = new Set([
  '--host',
  '--port',
  '--uds',
  '--fd',
  '--reload-dir',
  '--reload-include',
  '--reload-exclude',
  '--reload-delay',
  '--workers',
  '--loop',
  '--http',
  '--ws',
  '--ws-max-size',
  '--ws-max-queue',
  '--ws-ping-interval',
  '--ws-ping-timeout',
  '--ws-per-message-deflate',
  '--lifespan',
  '--interface',
  '--env-file',
  '--log-config',
  '--log-level',
  '--root-path',
  '--limit-concurrency',
  '--backlog',
  '--limit-max-requests',
  '--timeout-keep-alive',
  '--timeout-graceful-shutdown',
  '--ssl-keyfile',
  '--ssl-certfile',
  '--ssl-keyfile-password',
  '--ssl-version',
  '--ssl-cert-reqs',
  '--ssl-ca-certs',
  '--ssl-ciphers',
  '--header',
  '--forwarded-allow-ips',
  '--h11-max-incomplete-event-size',
  '--app-dir',
]);

/** gunicorn's long options that take no value (every other one takes the next word, unless given with `=`). */
const GUNICORN_FLAGS = new Set([
  '--reload',
  '--daemon',
  '--preload',
  '--check-config',
  '--print-config',
  '--capture-output',
  '--enable-stdio-inheritance',
  '--spew',
  '--no-sendfile',
  '--reuse-port',
  '--strip-header-spaces',
  '--proxy-protocol',
  '--suppress-ragged-eofs',
  '--do-handshake-on-connect',
  '--disable-redirect-access-to-syslog',
  '--help',
  '--version',
]);

/**
 * The app a command line serves with uvicorn (`uvicorn`, `python -m uvicorn`, or gunicorn with a uvicorn
 * worker): its `module:attribute`, `--app-dir` and `--factory`; undefined for any other command.
 */
export function uvicornTargetInWords(words: readonly string[]): UvicornTarget | undefined {
  // `python -m uvicorn` is found by its `uvicorn` word too.
  const start = words.findIndex((word) => /(^|\/)uvicorn$/.test(word));
  const gunicorn = words.findIndex((word) => /(^|\/)gunicorn$/.test(word));
  if (start < 0 && (gunicorn < 0 || !words.some((word) => word.includes('uvicorn')))) {
    return undefined;
  }
  const rest = words.slice((start >= 0 ? start : gunicorn) + 1);
  let appDir = '';
  let factory = false;
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (word === '--factory') {
      factory = true;
    } else if (word.startsWith('--app-dir=')) {
      appDir = word.slice('--app-dir='.length);
    } else if (word === '--app-dir' || word === '--chdir') {
      appDir = rest[++i] ?? '';
    } else if (word.startsWith('-')) {
      // uvicorn's value options take the next word; so do gunicorn's short options (-k WORKER, -w N, -b ADDR) and
      // its long ones but its flags (--name web:api, --worker-class K).
      const gunicornValue = start < 0 && (/^-[a-zA-Z]$/.test(word) || (word.startsWith('--') && !word.includes('=') && !GUNICORN_FLAGS.has(word)));
      if (UVICORN_VALUE_OPTIONS.has(word) || gunicornValue) {
        i++;
      }
    } else if (/^[A-Za-z_][\w.]*:[A-Za-z_]\w*(\(\))?$/.test(word)) {
      return {
        appDir: normaliseDir(appDir),
        app: word.replace(/\(\)$/, ''),
        factory: factory || word.endsWith('()') || rest.slice(i + 1).includes('--factory'),
      };
    }
  }
  return undefined;
}

/** `uvicorn.run("pkg.main:app", factory=True, app_dir="src")` calls in a module's `__main__` block. */
async function uvicornRunTargets(workspace: PythonWorkspace, file: string): Promise<UvicornTarget[]> {
  const analysis = await workspace.module(file);
  const block = analysis?.mainBlock?.node;
  if (!analysis || !block) {
    return [];
  }
  const targets: UvicornTarget[] = [];
  for (const call of block.descendantsOfType('call')) {
    if (!call || resolveQualifiedName(call.childForFieldName('function'), analysis.bindings) !== 'uvicorn.run') {
      continue;
    }
    const app = stringValue(positionalArguments(call)[0] ?? keywordArgument(call, 'app'));
    if (app === undefined || !/^[A-Za-z_][\w.]*:[A-Za-z_]\w*$/.test(app)) {
      continue;
    }
    const appDir = stringValue(keywordArgument(call, 'app_dir')) ?? '';
    targets.push({ appDir: normaliseDir(appDir), app, factory: keywordArgument(call, 'factory')?.text === 'True' });
  }
  return targets;
}

/** The sys.path folder a dotted module is found under in the workspace ('' when it is not one of its files). */
function appDirOf(workspace: PythonWorkspace, app: string): string {
  const module = app.split(':')[0]!;
  for (const file of workspace.files.keys()) {
    if (file.endsWith('.py') && workspace.identity(file).dottedName === module) {
      return workspace.identity(file).root;
    }
  }
  return '';
}

function normaliseDir(dir: string): string {
  const clean = dir
    .replace(/\\/g, '/')
    .replace(/^\.\/?/, '')
    .replace(/\/+$/, '');
  return clean === '.' ? '' : clean;
}

/** A command line split into words as a POSIX shell would: single and double quotes, backslash escapes. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i]!;
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      word ??= '';
    } else if (char === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === '#' && word === undefined) {
      break;
    } else {
      word = (word ?? '') + char;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
