/**
 * The Add Streaming Endpoint use case, for `catalyst-streaming add-endpoint`, `demo` and the editor command
 * alike: read the project through ProjectFiles, plan, and import the changed app in a subprocess before
 * anything is written (verifyEndpoint.ts). It returns the changes and the outcome; the shell writes them (the
 * CLI to disk, the editor as one WorkspaceEdit) and shows the outcome.
 *
 *   await addEndpoint(project, { route: '/stream' }, { verify: true })
 *     -> { status: 'planned', plan, verification: { verified: true, python } }   the shell applies plan.changes
 *      | { status: 'already-present', endpoint, message, line }
 *      | { status: 'refused', reason, message, verification? }                  nothing to write
 */
import { urlPath } from '../codegen/escape';
import { DEV_SERVER_URL } from '../defaults';
import { planAddEndpoint, type AddEndpointPlan, type AddEndpointRefusal, type AddEndpointRequest, type PlannedEndpoint } from '../plan/addEndpoint';
import { uvicornArguments } from '../plan/modulePaths';
import { readPythonTarget } from '../plan/projectPythonTarget';
import { describeImportFailure, verifyEndpoint, type EndpointVerification } from '../plan/verifyEndpoint';
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
  | { readonly status: 'planned'; readonly plan: PlannedAddEndpoint; readonly verification: Verification }
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
  // The generated files follow the project's Python target (pyproject.toml, ruff.toml), unless the request names one.
  const plan = await planAddEndpoint(await readPythonFiles(project), { pythonTarget: await readPythonTarget(project), ...request });
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
  const planned = { ...plan, notes: [...plan.notes, ...(await foldersNamedLikeModules(project, plan.changes))] };
  if (options.verify !== true) {
    return { status: 'planned', plan: planned, verification: { verified: false, reason: options.verify.skipped } };
  }
  const verification = await verifyEndpoint(project.root, plan.changes, plan.endpoint.serve, options.preferredPython);
  if (verification.status === 'broken') {
    const { failure, python } = verification;
    return {
      status: 'refused',
      reason: 'app-does-not-start',
      message: `The app would no longer start with this change: importing ${plan.endpoint.serve!.app} with ${python} raises ${describeImportFailure(failure)} (line numbers of the changed file), and it imports without the change. Nothing was written. Look at ${failure.file ?? 'the traceback'} (e.g. a generate_unique_id_function that expects something of every route), or add the endpoint with --no-verify and fix the app by hand.`,
      verification: verificationOf(verification),
    };
  }
  return { status: 'planned', plan: planned, verification: verificationOf(verification) };
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
  const failure = verification.status === 'verified' ? undefined : verification.failure;
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
  /** `uvicorn main:app`; undefined when no app includes the route. */
  readonly serve?: string;
  /** The same command as words (`['uvicorn', 'main:app']`), for a shell that quotes each of them. */
  readonly serveWords?: readonly string[];
  /**
   * `http://127.0.0.1:8000/stream`, the route's path percent-encoded (escape.ts urlPath); undefined when a
   * prefix could not be read (a note says so): it would not be the URL.
   */
  readonly url?: string;
}

export function tryIt(endpoint: PlannedEndpoint): TryIt {
  const serveWords = endpoint.serve ? ['uvicorn', ...uvicornArguments(endpoint.serve)] : undefined;
  return {
    ...(serveWords ? { serve: serveWords.join(' '), serveWords } : {}),
    ...(unresolvedPrefixesIn(endpoint.url).length === 0 ? { url: `${DEV_SERVER_URL}${urlPath(endpoint.url)}` } : {}),
  };
}

/** `GET /stream on app in main.py (function stream, tokens from demo).` */
export function endpointSummary(endpoint: PlannedEndpoint): string {
  return `${endpoint.resumable ? 'resumable ' : ''}${endpoint.method} ${endpoint.url} on ${endpoint.owner} in ${endpoint.file} (function ${endpoint.functionName}, tokens from ${endpoint.source}${endpoint.protocol === 'sse' ? '' : `, speaking ${endpoint.protocol}`}).`;
}
