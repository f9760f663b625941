/**
 * How a project's app is served, for the CLI's "Try it" line and the editor's Start Dev Server alike: the
 * FastAPI CLI (`fastapi dev`) where the project declares it (`fastapi[standard]`, fastapi-cli) or its Python
 * can import it, uvicorn otherwise (plan/serveCommand.ts decides for one app).
 *
 *   await devServerCommand(project, { appDir: '', app: 'main:app', factory: false }, python, { host, port })
 *     -> { program: 'fastapi', args: ['dev', 'main.py', '--app', 'app', '--host', host, '--port', '8000'] }
 *   run as `python -m fastapi dev ...` (or `python -m uvicorn ...`).
 */
import type { UvicornServe, UvicornTarget } from '../plan/modulePaths';
import { readServeConfigFiles, readServeDeclarations, serveCommand, type ServeCommand, type ServeSettings } from '../plan/serveCommand';
import { findPython } from '../python/interpreter';
import { readPythonFiles, type ProjectFiles } from '../workspace/projectFiles';

/**
 * The project's serving settings. `python`: an interpreter to ask whether it can import the FastAPI CLI, or
 * what an import of the app already found (appProbe.ts `fastapiCli`).
 */
export async function projectServeSettings(
  project: ProjectFiles,
  python: string | { readonly fastapiCli: boolean } | undefined,
  pythonFiles?: ReadonlyMap<string, string>,
  configFiles?: ReadonlyMap<string, string>,
): Promise<ServeSettings> {
  const declarations = await readServeDeclarations(project, configFiles ?? (await readServeConfigFiles(project)));
  const importable =
    declarations.fastapiCli || python === undefined
      ? false
      : typeof python === 'string'
        ? await findPython(['fastapi_cli'], [python]).then(
            () => true,
            () => false,
          )
        : python.fastapiCli;
  return { ...declarations, fastapiCli: declarations.fastapiCli || importable, pythonFiles: pythonFiles ?? (await readPythonFiles(project)) };
}

/** The command that serves `target` with `python` from the project folder (run as `python -m <program> <args>`). */
export async function devServerCommand(project: ProjectFiles, target: UvicornTarget, python: string, serve: UvicornServe): Promise<ServeCommand> {
  return serveCommand(target, await projectServeSettings(project, python), serve);
}
