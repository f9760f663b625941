/**
 * Does the app still start? Imports it as uvicorn would (`--app-dir` first on sys.path, `module:attribute`,
 * called when it is a factory) in a Python subprocess, and reports the exception if it fails: its last
 * traceback line and the deepest frame in the project's own files.
 *
 *   await importApp(python, overlayDir, { appDir: '', app: 'app.main:app', factory: false })
 *     -> { ok: true } | { ok: false, error: "IndexError: list index out of range", file: 'app/main.py', line: 12 }
 *
 * It runs the project's module-level code (as starting the server would); bytecode caches are not written.
 */
import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import path from 'node:path';

export type ImportCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** The traceback's last line, e.g. `KeyError: 'stream'`. */
      readonly error: string;
      /** The deepest frame in `cwd` (relative, `/`-separated), else the deepest frame (absolute). */
      readonly file?: string;
      readonly line?: number;
      /** That line's code, stripped. */
      readonly code?: string;
      /** A ModuleNotFoundError's module (`openai`, `app.streaming`). */
      readonly missingModule?: string;
    };

export interface ImportTarget {
  readonly appDir: string;
  readonly app: string;
  readonly factory: boolean;
}

const MARKER = 'CATALYST-IMPORT-CHECK ';

/** Imports the app and reports on one marked stdout line (the app may print too). */
const SCRIPT = String.raw`
import importlib
import json
import os
import sys
import traceback

app_dir, target, factory, project = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4]
sys.path.insert(0, app_dir)
module_name, _, attribute = target.partition(":")
try:
    app = getattr(importlib.import_module(module_name), attribute)
    if factory:
        app = app()
    result = {"ok": True}
except BaseException as exc:  # noqa: BLE001 - any failure to start is the report
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if os.path.isfile(f.filename) and os.path.abspath(f.filename).startswith(project + os.sep)]
    frame = (own or frames or [None])[-1]
    if isinstance(exc, SyntaxError) and exc.filename:
        frame = traceback.FrameSummary(exc.filename, exc.lineno or 0, "")
    result = {
        "ok": False,
        "error": traceback.format_exception_only(type(exc), exc)[-1].strip(),
        "file": frame.filename if frame else None,
        "line": frame.lineno if frame else None,
        "code": (frame.line or "") if frame else "",
        "missing": exc.name if isinstance(exc, ModuleNotFoundError) else None,
    }
sys.stdout.flush()
print("${MARKER}" + json.dumps(result), flush=True)
`;

export async function importApp(python: string, cwd: string, target: ImportTarget, timeoutMs = 60_000): Promise<ImportCheck> {
  // Python reports module files under the real path of its working folder.
  const project = await realpath(cwd);
  const { stdout, stderr, failure } = await run(python, ['-c', SCRIPT, target.appDir || '.', target.app, target.factory ? '1' : '0', project], cwd, timeoutMs);
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(MARKER));
  if (line === undefined) {
    const last = stderr.trim().split('\n').pop();
    return { ok: false, error: failure === 'timeout' ? `the import did not finish in ${timeoutMs / 1000} s` : last || `${python} exited without a result` };
  }
  const result = JSON.parse(line.slice(MARKER.length)) as {
    ok: boolean;
    error?: string;
    file?: string | null;
    line?: number | null;
    code?: string;
    missing?: string | null;
  };
  if (result.ok) {
    return { ok: true };
  }
  const file = result.file ?? undefined;
  const relative =
    file !== undefined && path.resolve(project, file).startsWith(project + path.sep)
      ? path.relative(project, path.resolve(project, file)).split(path.sep).join('/')
      : file;
  return {
    ok: false,
    error: result.error ?? 'unknown error',
    ...(relative !== undefined ? { file: relative } : {}),
    ...(typeof result.line === 'number' && result.line > 0 ? { line: result.line } : {}),
    ...(result.code ? { code: result.code } : {}),
    ...(result.missing ? { missingModule: result.missing } : {}),
  };
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ stdout: string; stderr: string; failure?: 'timeout' | 'exit' }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
      (error, stdout, stderr) => {
        const failure = error ? ((error as { killed?: boolean }).killed ? 'timeout' : 'exit') : undefined;
        resolve({ stdout, stderr, ...(failure ? { failure } : {}) });
      },
    );
  });
}
