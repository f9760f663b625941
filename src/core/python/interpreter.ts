/**
 * Finding a Python interpreter that can run the user's FastAPI app.
 *
 * `python3` on PATH is not always the one with FastAPI installed (a pyenv shim may shadow the system
 * Python, which has Debian's python3-fastapi), so candidates are tried in order and the first one that
 * can import the required modules wins.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface PythonInterpreter {
  /** The command as given (a path or a name looked up on PATH). */
  readonly command: string;
  /** sys.executable as the interpreter reports it. */
  readonly executable: string;
  /** e.g. "3.11.2" */
  readonly version: string;
}

export class PythonNotFoundError extends Error {
  constructor(
    readonly modules: readonly string[],
    readonly tried: ReadonlyArray<{ readonly command: string; readonly problem: string }>,
  ) {
    super(
      `No Python interpreter can import ${modules.join(', ')}.\n` +
        tried.map((t) => `  ${t.command}: ${t.problem}`).join('\n') +
        `\nInstall them (Debian: apt-get install ${modules.map((m) => `python3-${m}`).join(' ')}; ` +
        `elsewhere: pip install ${modules.join(' ')}) or point CATALYST_PYTHON at an interpreter that has them.`,
    );
    this.name = 'PythonNotFoundError';
  }
}

/**
 * The one interpreter choice, for every verb and feature that runs the user's Python: candidates in order of
 * preference. An explicit choice first (the editor's selected or configured interpreter), then the project's
 * own virtual environment (`.venv`, `venv`, `env` in its folder), CATALYST_PYTHON, PATH, the system
 * interpreter; `findPython` takes the first that imports what is needed.
 */
export function pythonCandidates(options: { readonly preferred?: string; readonly projectRoot?: string; readonly env?: NodeJS.ProcessEnv } = {}): string[] {
  const env = options.env ?? process.env;
  const venvs = options.projectRoot === undefined ? [] : projectEnvironments(options.projectRoot);
  const candidates = [options.preferred, ...venvs, env.CATALYST_PYTHON, 'python3', '/usr/bin/python3', 'python'];
  return [...new Set(candidates.filter((c): c is string => typeof c === 'string' && c.length > 0))];
}

/** Virtual environments in the project folder, the usual names first. */
function projectEnvironments(root: string): string[] {
  return ['.venv', 'venv', 'env'].map((name) => path.join(root, name, 'bin', 'python')).filter((python) => existsSync(python));
}

/** The first candidate that imports every module in `modules`; throws PythonNotFoundError naming what to install. */
export async function findPython(modules: readonly string[], candidates: readonly string[] = pythonCandidates()): Promise<PythonInterpreter> {
  const tried: Array<{ command: string; problem: string }> = [];
  const probe = `import sys\n${modules.map((m) => `import ${m}`).join('\n')}\nprint(sys.executable)\nprint("%d.%d.%d" % sys.version_info[:3])`;
  for (const command of candidates) {
    try {
      const { stdout } = await run(command, ['-c', probe]);
      const [executable = command, version = ''] = stdout.trim().split('\n');
      return { command, executable, version };
    } catch (error) {
      tried.push({ command, problem: describeFailure(error) });
    }
  }
  throw new PythonNotFoundError(modules, tried);
}

function run(command: string, args: string[]): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 20_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        reject(Object.assign(error, { stderr }));
      } else {
        resolve({ stdout });
      }
    });
  });
}

function describeFailure(error: unknown): string {
  const { code, stderr } = error as { code?: unknown; stderr?: string };
  if (code === 'ENOENT') {
    return 'not found';
  }
  const lastLine = (stderr ?? '').trim().split('\n').pop();
  return lastLine || (error instanceof Error ? error.message : String(error));
}

/** What one interpreter can import, asked of it directly (no fallback to other candidates). */
export interface ModuleProbe {
  readonly command: string;
  /** Why the interpreter did not run at all ('not found', its last stderr line); undefined when it ran. */
  readonly failure?: string;
  /** sys.executable and version, when it ran. */
  readonly executable?: string;
  readonly version?: string;
  /** The modules of the request it cannot import (empty: it has them all). */
  readonly missing: readonly string[];
}

/**
 * Asks `command` which of `modules` it lacks (importlib's find_spec: nothing is imported, nothing of the
 * user's runs). The editor checks the dev server's interpreter this way before starting it, so a missing
 * fastapi or uvicorn is named before uvicorn exits with a traceback in a terminal.
 */
export async function probeModules(command: string, modules: readonly string[]): Promise<ModuleProbe> {
  const probe =
    'import importlib.util, sys\n' +
    'print(sys.executable)\n' +
    'print("%d.%d.%d" % sys.version_info[:3])\n' +
    'print(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))';
  try {
    const { stdout } = await run(command, ['-c', probe, ...modules]);
    const [executable = command, version = '', missing = ''] = stdout.split('\n');
    return { command, executable, version, missing: missing.split(' ').filter((m) => m !== '') };
  } catch (error) {
    return { command, failure: describeFailure(error), missing: [...modules] };
  }
}
