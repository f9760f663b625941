/**
 * Before add-endpoint writes anything: does the app still start with the change? The changed files are laid
 * over the workspace (see overlay.ts) and the app is imported there, by the project's Python (a `.venv` or
 * `venv` in the workspace, else the interpreter resolution of interpreter.ts).
 *
 *   await verifyEndpoint(root, plan.changes, plan.endpoint.serve)
 *     -> { status: 'verified', python }
 *      | { status: 'broken', python, failure }          the app imports without the change and not with it
 *      | { status: 'unverified', reason, failure? }     no Python with FastAPI, no app to import, or the app
 *                                                       does not import even without the change
 *
 * Only a failure the change itself causes is "broken": an app that cannot start in this environment anyway
 * (a missing package or environment variable) says nothing about the route, so it is reported, not refused.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createOverlay, type OverlayChange } from '../workspace/overlay';
import { importApp, type ImportCheck, type ImportTarget } from '../python/importCheck';
import { findPython, pythonCandidates, PythonNotFoundError } from '../python/interpreter';

export type ImportFailure = Extract<ImportCheck, { ok: false }>;

export type EndpointVerification =
  | { readonly status: 'verified'; readonly python: string }
  | { readonly status: 'broken'; readonly python: string; readonly failure: ImportFailure }
  | { readonly status: 'unverified'; readonly reason: string; readonly python?: string; readonly failure?: ImportFailure };

/** `preferredPython`: the interpreter the user chose (the editor's), tried first; see interpreter.ts pythonCandidates. */
export async function verifyEndpoint(
  root: string,
  changes: readonly OverlayChange[],
  serve: ImportTarget | undefined,
  preferredPython?: string,
): Promise<EndpointVerification> {
  if (serve === undefined) {
    return { status: 'unverified', reason: 'no app of this workspace includes the route, so there is no app to import' };
  }
  let python: string;
  try {
    python = (await findPython(['fastapi'], pythonCandidates({ projectRoot: root, ...(preferredPython === undefined ? {} : { preferred: preferredPython }) })))
      .command;
  } catch (error) {
    if (error instanceof PythonNotFoundError) {
      return { status: 'unverified', reason: "no Python that can import fastapi was found (set CATALYST_PYTHON to the project's interpreter)" };
    }
    throw error;
  }
  let withChange: ImportCheck;
  try {
    withChange = await importInOverlay(root, changes, python, serve);
  } catch (error) {
    // No temporary folder or symbolic links here (e.g. Windows without the privilege): say so, write anyway.
    return {
      status: 'unverified',
      python,
      reason: `the temporary view of the workspace could not be made (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  if (withChange.ok) {
    return { status: 'verified', python };
  }
  const without = await importInOverlay(root, [], python, serve);
  if (!without.ok) {
    return {
      status: 'unverified',
      python,
      failure: withChange,
      reason: `the app does not start with ${python} even without the change (${describeImportFailure(without)})`,
    };
  }
  const missing = withChange.missingModule?.split('.')[0];
  if (missing !== undefined && !isProjectModule(root, serve, changes, missing)) {
    // A package the new code imports (an SDK) that this interpreter lacks: install it where the app runs.
    return {
      status: 'unverified',
      python,
      failure: withChange,
      reason: `${python} has no ${missing} package, which the new endpoint imports: install it where the app runs (pip install ${missing})`,
    };
  }
  return { status: 'broken', python, failure: withChange };
}

/** `name` is a top-level module of the project: in the workspace folder or the app's folder, or one the change creates. */
function isProjectModule(root: string, serve: ImportTarget, changes: readonly OverlayChange[], name: string): boolean {
  // Top-level only: the generated package has providers/openai.py and providers/anthropic.py, which are not the SDKs.
  const created = changes.some((change) =>
    ['', serve.appDir].some((base) => {
      const dir = base === '.' ? '' : base.replace(/\/+$/, '');
      const prefix = dir === '' ? '' : `${dir}/`;
      if (!change.path.startsWith(prefix)) return false;
      const top = change.path.slice(prefix.length).split('/')[0];
      return top === name || top === `${name}.py`;
    }),
  );
  return created || [root, path.join(root, serve.appDir)].some((folder) => existsSync(path.join(folder, `${name}.py`)) || existsSync(path.join(folder, name)));
}

async function importInOverlay(root: string, changes: readonly OverlayChange[], python: string, serve: ImportTarget): Promise<ImportCheck> {
  const overlay = await createOverlay(root, changes);
  try {
    return await importApp(python, overlay.dir, serve);
  } finally {
    await overlay.dispose();
  }
}

/** `KeyError: 'stream' at app/main.py:12 (return IDS[route.name])` */
export function describeImportFailure(failure: ImportFailure): string {
  const where = failure.file === undefined ? '' : ` at ${failure.file}${failure.line === undefined ? '' : `:${failure.line}`}`;
  return `${failure.error}${where}${failure.code ? ` (${failure.code})` : ''}`;
}
