/**
 * The generated streaming package in a project (`app/streaming/`: `tokens.py`, `protocols/ai_sdk.py`, ...):
 * which of its files to write for the names the new code imports, and how that code imports them.
 *
 * One decision per file, as for any generated module (streamingModule.ts `decideGeneratedModule`): created
 * when missing, replaced by the current text while untouched (a formatter is not an edit), kept and named
 * when its owner edited it, never touched when we did not generate it. Only the files the names need are
 * decided (with the package files they import); the package's other files are left as they are, except
 * that a file some module of the workspace already imports from is created when it is missing.
 *
 *   await decideStreamingPackage({ folder: 'app/streaming', names: ['stream_tokens'], read, eol: '\n' })
 *     -> { status: 'planned', changes: [create app/streaming/__init__.py, .../tokens.py, ...], notes }
 *   packageImports('.streaming', ['stream_tokens', 'EventStreamResponse'])
 *     -> [{ module: '.streaming.response', names: ['EventStreamResponse'] }, { module: '.streaming.tokens', names: [...] }]
 */
import { inspectGeneratedFile } from '../codegen/python/generatedHeader';
import { isPackageName, PACKAGE_EXPORTS, renderPackageFiles, type PackageName, type PythonTarget } from '../codegen/python/package';
import { analyzePythonModule } from '../python/analysis';
import type { ImportRequest } from '../python/importEdit';
import type { FileChange } from '../workspace/fileChange';
import { decideGeneratedModule, readPingInterval, type ModuleDecision } from './streamingModule';

export interface PackageRequest {
  /** The package folder, workspace-relative (`app/streaming`, `streaming`). */
  readonly folder: string;
  /** Public names the new code imports from the package. */
  readonly names: readonly string[];
  /** Names other modules already import from it: their files are created when missing, else left alone. */
  readonly importedNames?: readonly string[];
  /** The text of a file (a path as `folder` is given); undefined when there is none. */
  readonly read: (file: string) => string | undefined | Promise<string | undefined>;
  /** Line ending of new files. */
  readonly eol: '\n' | '\r\n';
  readonly pythonTarget?: PythonTarget;
}

export type PackageDecision =
  | { readonly status: 'planned'; readonly changes: readonly FileChange[]; readonly notes: readonly string[] }
  | { readonly status: 'refused'; readonly message: string };

/** What the relocation advice says when a file of the package is not ours. */
const RELOCATE = 'Choose another location for the streaming package (--module, or the catalyst.streaming.moduleLocation setting), or rename that file.';

export async function decideStreamingPackage(request: PackageRequest): Promise<PackageDecision> {
  const unknown = [...request.names, ...(request.importedNames ?? [])].filter((name) => !isPackageName(name));
  if (unknown.length > 0) {
    throw new Error(`internal error: not names of the streaming package: ${unknown.join(', ')}`);
  }
  const names = request.names as readonly PackageName[];
  const imported = (request.importedNames ?? []) as readonly PackageName[];
  const responseFile = `${request.folder}/response.py`;
  const pingInterval = await untouchedPingInterval(await request.read(responseFile));
  const options = { ...(pingInterval === undefined ? {} : { pingInterval }), ...(request.pythonTarget ? { pythonTarget: request.pythonTarget } : {}) };
  const needed = new Set((await renderPackageFiles(names, options)).map((file) => file.path));
  const rendered = await renderPackageFiles(new Set([...names, ...imported]), options);
  const changes: FileChange[] = [];
  const notes: string[] = [];
  for (const { path, text } of rendered) {
    const file = `${request.folder}/${path}`;
    const existing = await request.read(file);
    if (existing !== undefined && !needed.has(path)) {
      continue; // Not the new code's: left as it is.
    }
    const defined = Object.entries(PACKAGE_EXPORTS)
      .filter(([name, module]) => request.names.includes(name) && `${module.split('.').join('/')}.py` === path)
      .map(([name]) => name);
    const decision = await decideGeneratedModule(file, existing, request.eol, defined, {
      relocate: RELOCATE,
      render: () => Promise.resolve(text),
    });
    if (decision.action === 'refuse') {
      return { status: 'refused', message: decision.message };
    }
    const change = generatedFileChange(file, existing, decision, 'streaming package file');
    if ('note' in change) {
      if (decision.action === 'keep' && decision.reason === 'edited') {
        notes.push(change.note);
      }
    } else {
      changes.push(change);
    }
  }
  return { status: 'planned', changes, notes };
}

/**
 * The imports of `names` from the package imported as `packageModule` (`.streaming`, `app.streaming`,
 * `streaming`): one `from` import per submodule (planImports places and sorts them as isort would).
 */
export function packageImports(packageModule: string, names: readonly string[]): ImportRequest[] {
  const bySubmodule = new Map<string, string[]>();
  for (const name of new Set(names)) {
    if (!isPackageName(name)) {
      throw new Error(`internal error: ${name} is not a name of the streaming package`);
    }
    const module = `${packageModule}.${PACKAGE_EXPORTS[name]}`;
    bySubmodule.set(module, [...(bySubmodule.get(module) ?? []), name]);
  }
  return [...bySubmodule].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([module, moduleNames]) => ({ module, names: moduleNames }));
}

/** The ping interval an untouched generated `response.py` was made with, so an update keeps the owner's choice. */
async function untouchedPingInterval(text: string | undefined): Promise<number | undefined> {
  if (text === undefined || (await inspectGeneratedFile(text)).kind !== 'untouched') {
    return undefined;
  }
  const analysis = await analyzePythonModule(text);
  try {
    return readPingInterval(analysis);
  } finally {
    analysis.dispose();
  }
}

/** The change a generated file's decision makes, or the note saying why there is none. */
export function generatedFileChange(file: string, before: string | undefined, decision: ModuleDecision, kind: string): FileChange | { note: string } {
  if (decision.action === 'create') {
    return {
      path: file,
      kind: 'create',
      after: decision.text,
      edits: [{ start: 0, end: 0, newText: decision.text }],
      description: `create the ${kind} ${file}`,
    };
  }
  if (decision.action === 'update') {
    return {
      path: file,
      kind: 'update',
      before: before!,
      after: decision.text,
      edits: [{ start: 0, end: before!.length, newText: decision.text }],
      description: `update ${file} (generated by Catalyst Streaming ${decision.fromVersion}, never edited) to the current version`,
    };
  }
  if (decision.action === 'keep') {
    return {
      note:
        decision.reason === 'edited'
          ? `${file} was edited since it was generated, so it is left as it is (it does not receive this version's fixes); it still defines everything the endpoint imports.`
          : `${file} is already up to date.`,
    };
  }
  throw new Error(`internal error: a refused ${kind} decision reached the plan`);
}
