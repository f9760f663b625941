/**
 * Does the app still start? Imports it as uvicorn would (`--app-dir` first on sys.path, `module:attribute`,
 * called when it is a factory) in a Python subprocess, and reports the exception if it fails: its last
 * traceback line and the deepest frame in the project's own files. The probe of appProbe.ts with no route
 * asked about.
 *
 *   await importApp(python, overlayDir, { appDir: '', app: 'app.main:app', factory: false })
 *     -> { ok: true } | { ok: false, error: "IndexError: list index out of range", file: 'app/main.py', line: 12 }
 *
 * It runs the project's module-level code (as starting the server would); bytecode caches are not written.
 */
import { probeApps, ProbeError, type CandidateProbe, type ProbeFailure, type ProbeTarget } from './appProbe';

export type ImportCheck = { readonly ok: true } | ({ readonly ok: false } & ProbeFailure);

export type ImportTarget = ProbeTarget;

export async function importApp(python: string, cwd: string, target: ImportTarget, timeoutMs = 60_000): Promise<ImportCheck> {
  let probe: CandidateProbe | undefined;
  try {
    [probe] = (await probeApps(python, cwd, { candidates: [target] }, timeoutMs)).probes;
  } catch (error) {
    if (error instanceof ProbeError) {
      return { ok: false, error: error.message };
    }
    throw error;
  }
  return importCheckOf(probe!);
}

/** A candidate's probe as an import check: a factory uvicorn cannot call is a failure to start. */
export function importCheckOf(probe: CandidateProbe): ImportCheck {
  if (probe.status === 'failed') {
    return { ok: false, ...probe.failure };
  }
  if (probe.status === 'needs-arguments') {
    return { ok: false, error: `${probe.target.app}() needs ${probe.parameters.join(', ')}, so uvicorn --factory cannot call it` };
  }
  return { ok: true };
}
