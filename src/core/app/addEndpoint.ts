/**
 * The Add Streaming Endpoint use case, for `catalyst-streaming add-endpoint`, `demo` and the editor command
 * alike: read the project through ProjectFiles, plan, and import the changed app in a subprocess before
 * anything is written (verifyEndpoint.ts). The imported app's own route table then decides the URL, whether
 * the route is reached (`route-unreachable` otherwise), the app that serves it and where the streaming
 * package goes: the plan is made again with its answer. Without an import (`--no-verify`, `--dry-run`, no
 * Python) the source's reading stands. It returns the changes and the outcome; the shell writes them (the CLI
 * to disk, the editor as one WorkspaceEdit) and shows the outcome.
 *
 *   await addEndpoint(project, { route: '/stream' }, { verify: true })
 *     -> { status: 'planned', plan, verification: { verified: true, python }, serving }   the shell applies plan.changes
 *      | { status: 'already-present', endpoint, message, line }
 *      | { status: 'refused', reason, message, verification? }                  nothing to write
 */
import { urlPath } from '../codegen/escape';
import { projectServeSettings } from './devServer';
import { DEV_SERVER_URL } from '../defaults';
import { planAddEndpoint, type AddEndpointPlan, type AddEndpointRefusal, type AddEndpointRequest, type PlannedEndpoint } from '../plan/endpoint';
import { readPythonTarget } from '../plan/projectPythonTarget';
import { readServeConfigFiles, serveCommand, type ServeSettings } from '../plan/serveCommand';
import { servingCandidates } from '../plan/servingCandidates';
import { describeImportFailure, verifyEndpoint, type EndpointVerification, type VerifiedEndpoint } from '../plan/verifyEndpoint';
import { unreachableMessage } from '../plan/unreachableMessage';
import { unresolvedPrefixesIn } from '../python/workspace';
import type { FileChange } from '../workspace/fileChange';
import type { DirectoryEntry } from '../workspace/fileSystem';
import { readPythonFiles, type ProjectFiles } from '../workspace/projectFiles';

export type PlannedAddEndpoint = Extract<AddEndpointPlan, { status: 'planned' }>;

/** Whether the changed app was imported before writing (`--json`'s "verification"). */
export interface Verification {
  readonly verified: boolean;
  /** The interpreter that imported it. */
  readonly python?: string;
  /** Why it was not verified. */
  readonly reason?: string;
  /** The exception's last traceback line, and where (workspace-relative when in the project). */
  readonly error?: string;
  readonly file?: string;
  readonly line?: number;
  readonly code?: string;
}

export type AddEndpointOutcome =
  | { readonly status: 'planned'; readonly plan: PlannedAddEndpoint; readonly verification: Verification; readonly serving: ServeSettings }
  | { readonly status: 'already-present'; readonly endpoint: PlannedEndpoint; readonly message: string; readonly line: number }
  | (AddEndpointRefusal & { readonly verification?: Verification });

export interface AddEndpointOptions {
  /** Import the changed app first (a change that breaks it is refused), or why not (reported as not verified). */
  readonly verify: true | { readonly skipped: string };
  /** The interpreter the user chose, tried first (see interpreter.ts pythonCandidates). */
  readonly preferredPython?: string;
}

/** Paths in `request` (target file, module location) are project-relative. */
export async function addEndpoint(project: ProjectFiles, request: AddEndpointRequest, options: AddEndpointOptions): Promise<AddEndpointOutcome> {
  const files = await readPythonFiles(project);
  // The generated files follow the project's Python target (pyproject.toml, ruff.toml), unless the request names one.
  const base: AddEndpointRequest = { pythonTarget: await readPythonTarget(project), ...request };
  const verify = options.verify === true;
  // With an import ahead, which route answers first is the app's to say: the source's reading waits for it.
  const plan = await planAddEndpoint(files, { ...base, ...(verify ? { deferReachability: true } : {}) });
  if (plan.status === 'refused') {
    return { status: 'refused', reason: plan.reason, message: plan.message };
  }
  if (plan.status === 'already-present') {
    return plan;
  }
  const inTheWay = await pathInTheWay(project, plan.changes);
  if (inTheWay !== undefined) {
    return { status: 'refused', reason: 'module-conflict', message: inTheWay };
  }
  const outcome = await verifyAndServe(project, files, base, plan, options);
  if (outcome.status !== 'planned') {
    return outcome;
  }
  return { ...outcome, plan: { ...outcome.plan, notes: [...outcome.plan.notes, ...(await foldersNamedLikeModules(project, outcome.plan.changes))] } };
}

/** The plan imported with the change (unless told not to), and the app's answer: refused, or planned with how it is served. */
async function verifyAndServe(
  project: ProjectFiles,
  files: ReadonlyMap<string, string>,
  base: AddEndpointRequest,
  plan: PlannedAddEndpoint,
  options: AddEndpointOptions,
): Promise<AddEndpointOutcome> {
  const configFiles = await readServeConfigFiles(project);
  const serving = (python?: string | { readonly fastapiCli: boolean }) => projectServeSettings(project, python, files, configFiles);
  if (options.verify !== true) {
    return { status: 'planned', plan, verification: { verified: false, reason: options.verify.skipped }, serving: await serving() };
  }
  const candidates = await servingCandidates(files, { file: plan.endpoint.file, id: plan.endpoint.owner }, configFiles);
  const endpoint: VerifiedEndpoint = { file: plan.endpoint.file, functionName: plan.endpoint.functionName, method: plan.endpoint.method };
  const verification = await verifyEndpoint(project.root, plan.changes, candidates, endpoint, options.preferredPython);
  switch (verification.status) {
    case 'broken': {
      const { failure, python, app } = verification;
      return {
        status: 'refused',
        reason: 'app-does-not-start',
        message: `The app would no longer start with this change: importing ${app.app} with ${python} raises ${describeImportFailure(failure)} (line numbers of the changed file), and it imports without the change. Nothing was written. Look at ${failure.file ?? 'the traceback'} (e.g. a generate_unique_id_function that expects something of every route), or add the endpoint with --no-verify and fix the app by hand.`,
        verification: verificationOf(verification),
      };
    }
    case 'unreachable':
      return {
        status: 'refused',
        reason: 'route-unreachable',
        message: unreachableMessage(verification, plan.endpoint),
        verification: verificationOf(verification),
      };
    case 'unverified':
      if (plan.unreachableBySource !== undefined) {
        // The app could not answer: the source's reading of the route order decides, as without an import.
        return { status: 'refused', reason: 'route-unreachable', message: plan.unreachableBySource, verification: verificationOf(verification) };
      }
      return { status: 'planned', plan, verification: verificationOf(verification), serving: await serving(verification.python) };
    case 'verified':
      return planServed(files, base, plan, verification, project.root, candidates, endpoint, options.preferredPython, await serving(verification));
  }
}

/**
 * The plan again with what the app answered (its URL in the route's docstring, its serving app, the package
 * placed where the app imports the route's module from); imported once more when that moved the package.
 */
async function planServed(
  files: ReadonlyMap<string, string>,
  request: AddEndpointRequest,
  first: PlannedAddEndpoint,
  verification: Extract<EndpointVerification, { status: 'verified' }>,
  root: string,
  candidates: Parameters<typeof verifyEndpoint>[2],
  endpoint: VerifiedEndpoint,
  preferredPython: string | undefined,
  serving: ServeSettings,
): Promise<AddEndpointOutcome> {
  const { served } = verification;
  const plan = await planAddEndpoint(files, {
    ...request,
    served: { url: served.url, serve: served.serve, ...(served.module ? { module: served.module } : {}) },
  });
  if (plan.status !== 'planned') {
    return { status: 'planned', plan: first, verification: verificationOf(verification), serving };
  }
  const created = (p: PlannedAddEndpoint) =>
    p.changes
      .map((change) => change.path)
      .sort()
      .join('\n');
  if (created(plan) === created(first)) {
    return { status: 'planned', plan, verification: verificationOf(verification), serving };
  }
  const again = await verifyEndpoint(root, plan.changes, candidates, endpoint, preferredPython);
  return again.status === 'verified'
    ? { status: 'planned', plan, verification: verificationOf(again), serving }
    : { status: 'planned', plan: first, verification: verificationOf(verification), serving };
}

/** What is at a project-relative path (its folder's listing, so a symbolic link is 'other'); undefined when nothing. */
async function kindAt(project: ProjectFiles, file: string): Promise<DirectoryEntry['kind'] | undefined> {
  const slash = file.lastIndexOf('/');
  const entries = await project.readDirectory(slash < 0 ? '' : file.slice(0, slash)).catch(() => []);
  return entries.find((entry) => entry.name === file.slice(slash + 1))?.kind;
}

/**
 * A file where a new file's folder goes (`streaming` a file, where the package `streaming/` goes), or a folder
 * where a new file goes: said before anything is written, instead of failing halfway with ENOTDIR or EISDIR.
 */
async function pathInTheWay(project: ProjectFiles, changes: readonly FileChange[]): Promise<string | undefined> {
  for (const change of changes.filter((c) => c.kind === 'create')) {
    const parts = change.path.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      const folder = parts.slice(0, depth).join('/');
      const kind = await kindAt(project, folder);
      if (kind === undefined) {
        break;
      }
      if (kind === 'file') {
        return `${folder} is a file, where the generated folder ${folder}/ goes (for ${change.path}). Nothing was written. Rename or remove ${folder}, or choose another place with --module.`;
      }
    }
    if ((await kindAt(project, change.path)) === 'directory') {
      return `${change.path} is a folder, where the generated file ${change.path} goes. Nothing was written. Rename or remove the folder, or choose another place with --module.`;
    }
  }
  return undefined;
}

/**
 * A folder named like the module a new package stands in for (`streaming.py/` beside a new `streaming/`):
 * harmless, as Python imports only the package, but easily taken for the generated code, so it is said.
 */
async function foldersNamedLikeModules(project: ProjectFiles, changes: readonly FileChange[]): Promise<string[]> {
  const notes: string[] = [];
  for (const change of changes.filter((c) => c.kind === 'create' && c.path.endsWith('/__init__.py'))) {
    const moduleFile = `${change.path.slice(0, -'/__init__.py'.length)}.py`;
    if ((await kindAt(project, moduleFile)) === 'directory') {
      notes.push(
        `${moduleFile} is a folder, not a Python module: \`import ${moduleFile.split('/').pop()!.slice(0, -3)}\` imports the generated package beside it, never that folder.`,
      );
    }
  }
  return notes;
}

function verificationOf(verification: EndpointVerification): Verification {
  const failure = verification.status === 'broken' || verification.status === 'unverified' ? verification.failure : undefined;
  return {
    verified: verification.status === 'verified',
    ...(verification.python !== undefined ? { python: verification.python } : {}),
    ...(verification.status === 'unverified' ? { reason: verification.reason } : {}),
    ...(failure
      ? {
          error: failure.error,
          ...(failure.file !== undefined ? { file: failure.file } : {}),
          ...(failure.line !== undefined ? { line: failure.line } : {}),
          ...(failure.code !== undefined ? { code: failure.code } : {}),
        }
      : {}),
  };
}

/** How to try a new endpoint: the command that serves its app, and its URL on the dev server. */
export interface TryIt {
  /** `uvicorn main:app` (`fastapi dev main.py --app app` where the project has the FastAPI CLI); undefined when no app includes the route. */
  readonly serve?: string;
  /** The same command as words (`['uvicorn', 'main:app']`), for a shell that quotes each of them. */
  readonly serveWords?: readonly string[];
  /**
   * `http://127.0.0.1:8000/stream`, the route's path percent-encoded (escape.ts urlPath); undefined when a
   * prefix could not be read (a note says so): it would not be the URL.
   */
  readonly url?: string;
}

export function tryIt(endpoint: PlannedEndpoint, serving?: ServeSettings): TryIt {
  const command = endpoint.serve && serveCommand(endpoint.serve, serving ?? { fastapiCli: false, pythonFiles: new Set() });
  const serveWords = command ? [command.program, ...command.args] : undefined;
  return {
    ...(serveWords ? { serve: serveWords.join(' '), serveWords } : {}),
    ...(unresolvedPrefixesIn(endpoint.url).length === 0 ? { url: `${DEV_SERVER_URL}${urlPath(endpoint.url)}` } : {}),
  };
}

/** `GET /stream on app in main.py (function stream, tokens from demo).` */
export function endpointSummary(endpoint: PlannedEndpoint): string {
  return `${endpoint.resumable ? 'resumable ' : ''}${endpoint.method} ${endpoint.url} on ${endpoint.owner} in ${endpoint.file} (function ${endpoint.functionName}, tokens from ${endpoint.source}${endpoint.protocol === 'sse' ? '' : `, speaking ${endpoint.protocol}`}).`;
}
