/**
 * pyright in strict mode on a Python file, against a given interpreter's installed packages (so FastAPI and
 * Starlette types are the real ones). Runs the pyright npm package's CLI with --outputjson.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadExeca } from './execa';

export interface PyrightDiagnostic {
  readonly severity: 'error' | 'warning' | 'information';
  readonly message: string;
  readonly rule?: string;
  readonly range: { readonly start: { readonly line: number; readonly character: number } };
}

export interface PyrightResult {
  readonly errorCount: number;
  readonly warningCount: number;
  readonly diagnostics: readonly PyrightDiagnostic[];
}

const PYRIGHT_CLI = require.resolve('pyright/index.js');

/** Type-checks `file` in strict mode; writes a pyrightconfig.json next to it. */
export async function pyrightStrict(file: string, pythonExecutable: string): Promise<PyrightResult> {
  const dir = path.dirname(file);
  await writeFile(path.join(dir, 'pyrightconfig.json'), JSON.stringify({ typeCheckingMode: 'strict' }));
  const execa = await loadExeca();
  // Exit code 1 means "errors found"; the JSON says which. Anything else is pyright itself failing.
  const result = await execa(process.execPath, [PYRIGHT_CLI, '--outputjson', '--pythonpath', pythonExecutable, path.basename(file)], {
    cwd: dir,
    reject: false,
  });
  if (result.exitCode !== 0 && result.exitCode !== 1) {
    throw new Error(`pyright failed (exit ${result.exitCode}):\n${result.stderr}\n${result.stdout}`);
  }
  const report = JSON.parse(result.stdout) as {
    generalDiagnostics: PyrightDiagnostic[];
    summary: { errorCount: number; warningCount: number };
  };
  return { errorCount: report.summary.errorCount, warningCount: report.summary.warningCount, diagnostics: report.generalDiagnostics };
}

export function formatDiagnostics(diagnostics: readonly PyrightDiagnostic[]): string {
  return diagnostics
    .map((d) => `  ${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity}: ${d.message}${d.rule ? ` (${d.rule})` : ''}`)
    .join('\n');
}

/**
 * pyright --outputjson (strict) on a whole folder against `pythonExecutable`'s packages: error messages per file
 * name. `settings` go into its pyrightconfig.json too (e.g. the `pythonVersion` the code is written for).
 */
export async function pyrightStrictErrorsByFile(
  dir: string,
  pythonExecutable: string,
  settings: Readonly<Record<string, string>> = {},
): Promise<Map<string, string[]>> {
  await writeFile(path.join(dir, 'pyrightconfig.json'), JSON.stringify({ ...settings, typeCheckingMode: 'strict' }));
  const execa = await loadExeca();
  const result = await execa(process.execPath, [PYRIGHT_CLI, '--outputjson', '--pythonpath', pythonExecutable], { cwd: dir, reject: false, timeout: 180_000 });
  if (result.exitCode !== 0 && result.exitCode !== 1) {
    throw new Error(`pyright failed (exit ${result.exitCode}):\n${result.stderr}\n${result.stdout}`);
  }
  const report = JSON.parse(result.stdout) as { generalDiagnostics: Array<PyrightDiagnostic & { file: string }> };
  const errors = new Map<string, string[]>();
  for (const d of report.generalDiagnostics.filter((d) => d.severity === 'error')) {
    const name = path.basename(d.file);
    errors.set(name, [...(errors.get(name) ?? []), d.message]);
  }
  return errors;
}

/** The messages of `after` that `before` does not have (counted: a message twice where it was once is new once). */
export function addedMessages(before: readonly string[], after: readonly string[]): string[] {
  const known = [...before];
  return after.filter((m) => {
    const i = known.indexOf(m);
    return i < 0 || (known.splice(i, 1), false);
  });
}
