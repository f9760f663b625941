/**
 * Before add-endpoint writes anything: does the app still start with the change, and does it route a request
 * to the new endpoint? The changed files are laid over the workspace (see overlay.ts) and the apps that may
 * serve the route (servingCandidates.ts) are imported there, by the project's Python (a `.venv` or `venv` in
 * the workspace, else the interpreter resolution of interpreter.ts); the first whose own route table holds
 * the new route answers where it is served and what Starlette's matching sends a request there to
 * (appProbe.ts).
 *
 *   await verifyEndpoint(root, plan.changes, candidates, { file, functionName, method })
 *     -> { status: 'verified', python, served: { url, serve, module } }
 *      | { status: 'unreachable', python, served, captor }   an earlier route or mount answers the path first
 *      | { status: 'broken', python, failure, app }          the app imports without the change and not with it
 *      | { status: 'unverified', reason, failure? }          no Python with FastAPI, no app that holds the route,
 *                                                            or the app does not import even without the change
 *
 * Only a failure the change itself causes is "broken": an app that cannot start in this environment anyway
 * (a missing package or environment variable) says nothing about the route, so it is reported, not refused.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createOverlay, type OverlayChange } from '../workspace/overlay';
import { probeApps, ProbeError, type CandidateProbe, type ProbeAnswer, type RouteCaptor } from '../python/appProbe';
import { importApp, importCheckOf, type ImportCheck, type ImportTarget } from '../python/importCheck';
import { findPython, pythonCandidates, PythonNotFoundError } from '../python/interpreter';
import type { ServingCandidate } from './servingCandidates';

export type ImportFailure = Extract<ImportCheck, { ok: false }>;

/** What the imported app answered for the new route. */
export interface ServedRoute {
  /** The route's full path as served (`{param}` segments as written). */
  readonly url: string;
  /** The app that serves it, as uvicorn takes it. */
  readonly serve: ImportTarget;
  /** The dotted name the route's module was imported by. */
  readonly module?: string;
}

export type EndpointVerification =
  | { readonly status: 'verified'; readonly python: string; readonly served: ServedRoute; readonly fastapiCli: boolean }
  /** Starlette's matching sends a request to the route's path to another route or mount first. */
  | { readonly status: 'unreachable'; readonly python: string; readonly served: ServedRoute; readonly captor?: RouteCaptor }
  | { readonly status: 'broken'; readonly python: string; readonly failure: ImportFailure; readonly app: ImportTarget }
  | { readonly status: 'unverified'; readonly reason: string; readonly python?: string; readonly failure?: ImportFailure };

/** The route to look for in the route tables: its function, by the file that defines it, and the method a request uses. */
export interface VerifiedEndpoint {
  readonly file: string;
  readonly functionName: string;
  readonly method: string;
}

/**
 * `candidates`: the apps that may serve the route, asked in order (servingCandidates.ts); `preferredPython`:
 * the interpreter the user chose (the editor's), tried first; see interpreter.ts pythonCandidates.
 */
export async function verifyEndpoint(
  root: string,
  changes: readonly OverlayChange[],
  candidates: readonly ServingCandidate[],
  endpoint: VerifiedEndpoint,
  preferredPython?: string,
): Promise<EndpointVerification> {
  if (candidates.length === 0) {
    return { status: 'unverified', reason: 'no app of this workspace includes the route, so there is no app to import' };
  }
  const python = await projectPython(root, preferredPython);
  if (python === undefined) {
    return { status: 'unverified', reason: "no Python that can import fastapi was found (set CATALYST_PYTHON to the project's interpreter)" };
  }
  let probes: readonly CandidateProbe[];
  let fastapiCli = false;
  try {
    ({ probes, fastapiCli } = await probeInOverlay(root, changes, python, candidates, endpoint));
  } catch (error) {
    // No temporary folder or symbolic links here (e.g. Windows without the privilege): say so, write anyway.
    return {
      status: 'unverified',
      python,
      reason: `the temporary view of the workspace could not be made (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  const served = probes.find((probe) => probe.status === 'serves' && probe.path !== undefined);
  if (served?.status === 'serves') {
    const route: ServedRoute = { url: served.path!, serve: served.target, ...(served.module ? { module: served.module } : {}) };
    return served.reached
      ? { status: 'verified', python, served: route, fastapiCli }
      : { status: 'unreachable', python, served: route, ...(served.captor ? { captor: served.captor } : {}) };
  }
  // No app found holds the route. The first app the project or its source names that does not start says why.
  const named = probes.filter((probe, i) => candidates[i]!.kind !== 'instance' && (probe.status === 'failed' || probe.status === 'needs-arguments'));
  const failing = named.find((probe) => probe.status === 'failed') ?? named[0];
  if (failing === undefined) {
    const tried = candidates.map((c) => c.target.app).join(', ');
    return {
      status: 'unverified',
      python,
      reason: `no app found serves the new route: the route tables of ${tried} hold no ${endpoint.functionName} of ${endpoint.file} (is its router included where the app is made?)`,
    };
  }
  const withChange = importCheckOf(failing) as ImportFailure;
  if (failing.status === 'needs-arguments') {
    return {
      status: 'unverified',
      python,
      failure: withChange,
      reason: `${withChange.error}, and no module that makes the served app from it was found (name it in pyproject.toml [tool.fastapi] entrypoint = "pkg.main:app")`,
    };
  }
  const serve = failing.target;
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
  return { status: 'broken', python, failure: withChange, app: serve };
}

/** The project's Python that can import FastAPI (`preferredPython` tried first), or undefined when there is none. */
export async function projectPython(root: string, preferredPython?: string): Promise<string | undefined> {
  try {
    return (await findPython(['fastapi'], pythonCandidates({ projectRoot: root, ...(preferredPython === undefined ? {} : { preferred: preferredPython }) })))
      .command;
  } catch (error) {
    if (error instanceof PythonNotFoundError) {
      return undefined;
    }
    throw error;
  }
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

async function probeInOverlay(
  root: string,
  changes: readonly OverlayChange[],
  python: string,
  candidates: readonly ServingCandidate[],
  endpoint: VerifiedEndpoint,
): Promise<ProbeAnswer> {
  const overlay = await createOverlay(root, changes);
  try {
    return await probeApps(python, overlay.dir, { candidates: candidates.map((c) => c.target), endpoint, firstOnly: true });
  } catch (error) {
    if (error instanceof ProbeError) {
      // Python died or hung before answering (a module that exits or blocks at import): the first candidate's failure.
      return { probes: [{ status: 'failed', target: candidates[0]!.target, failure: { error: error.message } }], fastapiCli: false };
    }
    throw error;
  } finally {
    await overlay.dispose();
  }
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
