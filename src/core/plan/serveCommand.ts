/**
 * The command that serves an app from the workspace folder, defined once for the CLI's "Try it" line and the
 * editor's Start Dev Server: `fastapi dev` where the project has the FastAPI CLI (`fastapi[standard]` or
 * fastapi-cli, declared or importable) and the CLI can import the app the same way (its module in regular
 * packages, not a factory), as FastAPI's own docs now teach; uvicorn otherwise.
 *
 *   serveCommand({ appDir: '', app: 'shop.main:app', factory: false }, { fastapiCli: true, pythonFiles })
 *     -> { program: 'fastapi', args: ['dev', 'shop/main.py', '--app', 'app'] }
 *   serveCommand({ appDir: 'src', app: 'notes.web:make', factory: true }, { fastapiCli: true, pythonFiles })
 *     -> { program: 'uvicorn', args: ['--app-dir', 'src', 'notes.web:make', '--factory'] }
 */
import { readSource, type ProjectFiles } from '../workspace/projectFiles';
import { declaresFastapiCli } from '../workspace/dependencies';
import { fastapiEntrypoint, SERVE_HINT_FILES } from '../python/serveHints';
import { uvicornArguments, type UvicornServe, type UvicornTarget } from './modulePaths';

export interface ServeSettings {
  /** The project has the FastAPI CLI (declared in its requirements, or importable by its Python). */
  readonly fastapiCli: boolean;
  /** `[tool.fastapi] entrypoint`: what `fastapi dev` serves when given no path. */
  readonly entrypoint?: string;
  /** The workspace's Python files (relative paths): where the CLI finds the module and its packages. */
  readonly pythonFiles: ReadonlySet<string> | ReadonlyMap<string, string>;
}

export interface ServeCommand {
  /** The program as a user types it; `python -m <program>` runs the same (`fastapi` has a `__main__`). */
  readonly program: 'fastapi' | 'uvicorn';
  readonly args: readonly string[];
}

export function serveCommand(target: UvicornTarget, settings: ServeSettings, serve: UvicornServe = {}): ServeCommand {
  const path = settings.fastapiCli && !target.factory ? fastapiCliPath(target, settings) : undefined;
  if (path === undefined) {
    return { program: 'uvicorn', args: uvicornArguments(target, serve) };
  }
  const attribute = target.app.split(':')[1]!;
  return {
    program: 'fastapi',
    args: [
      'dev',
      ...(path === '' ? [] : [path, '--app', attribute]),
      ...(serve.host !== undefined ? ['--host', serve.host] : []),
      ...(serve.port !== undefined ? ['--port', String(serve.port)] : []),
    ],
  };
}

/**
 * What to give `fastapi dev` for the target: '' when the project's entrypoint names it, the module's file
 * when the CLI would import it by the same dotted name (every folder of it a package with an `__init__.py`,
 * since the CLI walks up those to find sys.path), else undefined (uvicorn serves it).
 */
function fastapiCliPath(target: UvicornTarget, settings: ServeSettings): string | undefined {
  if (settings.entrypoint === target.app) {
    return '';
  }
  const parts = target.app.split(':')[0]!.split('.');
  const base = target.appDir === '' ? '' : `${target.appDir}/`;
  const has = (file: string) => settings.pythonFiles.has(file);
  const moduleFile = [`${base}${parts.join('/')}.py`, `${base}${parts.join('/')}/__init__.py`].find(has);
  for (let i = 1; i < parts.length; i++) {
    if (!has(`${base}${parts.slice(0, i).join('/')}/__init__.py`)) {
      return undefined;
    }
  }
  // Nor may the CLI walk past the app's folder: a package there would change the dotted name.
  if (target.appDir !== '' && has(`${target.appDir}/__init__.py`)) {
    return undefined;
  }
  // Undefined when the workspace does not hold the module.
  return moduleFile;
}

/** The project's configuration files serving is read from (serveHints.ts), path -> text, those that exist. */
export async function readServeConfigFiles(project: ProjectFiles): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const file of SERVE_HINT_FILES) {
    const source = await readSource(project, file).catch(() => undefined);
    if (source !== undefined) {
      files.set(file, source.text);
    }
  }
  return files;
}

/** Whether the project declares the FastAPI CLI, and its entrypoint, from the configuration files and its top-level requirements files. */
export async function readServeDeclarations(
  project: ProjectFiles,
  configFiles: ReadonlyMap<string, string>,
): Promise<{ readonly fastapiCli: boolean; readonly entrypoint?: string }> {
  const requirements = new Map<string, string>();
  for (const entry of await project.readDirectory('').catch(() => [])) {
    if (entry.kind === 'file' && /^requirements.*\.txt$/.test(entry.name)) {
      const source = await readSource(project, entry.name).catch(() => undefined);
      if (source !== undefined) {
        requirements.set(entry.name, source.text);
      }
    }
  }
  const pyproject = configFiles.get('pyproject.toml');
  const entrypoint = fastapiEntrypoint(pyproject);
  return {
    fastapiCli: declaresFastapiCli({ requirements, ...(pyproject !== undefined ? { pyproject } : {}) }),
    ...(entrypoint !== undefined ? { entrypoint } : {}),
  };
}
