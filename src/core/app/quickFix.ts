/**
 * The LLM quick fixes as one use case for the editor's code actions and `check --fix`: fix the call (or every
 * fixable call of a file) and create or update the files of the generated streaming package the fixed file
 * imports from (planFixStreamingCode; a single module of an earlier version is imported from as it is, with a
 * note), returned as FileChanges that go together (one WorkspaceEdit in the editor, one all-or-nothing write
 * in the CLI). Files are read through ProjectFiles; paths are project-relative.
 */
import path from 'node:path';
import { fixLlmCalls } from '../plan/llm/fixAll';
import { FIX_TITLES, planLlmFixes, type LlmFixKind, type ParsedModule } from '../plan/llm/planLlmFixes';
import type { FixStyle } from '../plan/llm/streamCall';
import { planFixStreamingCode } from '../plan/llm/fixStreamingCode';
import { streamingModuleTarget, type StreamingModuleTarget } from '../plan/llm/streamingModuleTarget';
import type { FileChange } from '../workspace/fileChange';
import { hasGeneratedHeader } from '../codegen/python/generatedHeader';
import { readSource, type ProjectFiles } from '../workspace/projectFiles';
import { applyTextEdits } from '../workspace/textEdit';

export interface QuickFixOptions {
  readonly style: FixStyle;
  /** Where the streaming module goes, relative to the project's root (`catalyst.streaming.moduleLocation`). */
  readonly moduleLocation?: string;
  /** The file's top-level names other files import (importedNamesByFile in check.ts): the fixes leave their clients as they are. */
  readonly sharedNames?: ReadonlySet<string>;
}

/** One offered fix: its changes, applied together. */
export interface QuickFix {
  readonly kind: LlmFixKind;
  readonly title: string;
  readonly changes: readonly FileChange[];
  /** What the user should know about the generated code (an earlier version's module imported as it is). */
  readonly notes: readonly string[];
}

export interface QuickFixes {
  readonly fixes: readonly QuickFix[];
  /** Fixes not offered, and why. */
  readonly refused: ReadonlyArray<{ readonly kind: LlmFixKind; readonly title: string; readonly reason: string }>;
}

/**
 * The fixes for the LLM call starting at `callOffset` in `file` (as the project has it, unsaved edits
 * included). `parsed` is the caller's syntax tree of exactly that text, when it has one.
 */
export async function quickFixesAt(
  project: ProjectFiles,
  file: string,
  callOffset: number,
  options: QuickFixOptions,
  parsed?: ParsedModule,
): Promise<QuickFixes> {
  const source = await readSource(project, file);
  if (source === undefined) {
    return { fixes: [], refused: [] };
  }
  const target = await moduleTarget(project, file, options);
  const plan = await planLlmFixes(
    source.text,
    callOffset,
    { style: options.style, streamingImport: target.importModule, singleModule: target.singleModule, ...sharedNames(options) },
    parsed,
  );
  const fixes: QuickFix[] = [];
  const refused = plan.refused.map((r) => ({ kind: r.kind, title: FIX_TITLES[r.kind], reason: r.reason }));
  for (const fix of plan.fixes) {
    const module = await streamingCodeChange(project, target, source.text, fix.streamingNames);
    if ('refused' in module) {
      refused.push({ kind: fix.kind, title: fix.title, reason: module.refused });
      continue;
    }
    const after = applyTextEdits(source.text, fix.edits);
    fixes.push({
      kind: fix.kind,
      title: fix.title,
      changes: [...module.changes, { path: file, kind: 'modify', before: source.text, after, edits: fix.edits, description: fix.title }],
      notes: module.notes,
    });
  }
  return { fixes, refused };
}

export type FixFileOutcome =
  | {
      readonly status: 'fixed';
      readonly changes: readonly FileChange[];
      readonly applied: ReadonlyArray<{ readonly title: string; readonly line: number }>;
      readonly refused: ReadonlyArray<{ readonly line: number; readonly reason: string }>;
      /** The generated files the fix creates or updates (project-relative), none when they are already right. */
      readonly generated: ReadonlyArray<{ readonly path: string; readonly kind: FileChange['kind'] }>;
      /** What the user should know about the generated code (an earlier version's module imported as it is). */
      readonly notes: readonly string[];
    }
  | { readonly status: 'unchanged'; readonly refused: ReadonlyArray<{ readonly line: number; readonly reason: string }> }
  | { readonly status: 'not-fixed'; readonly message: string; readonly refused: ReadonlyArray<{ readonly line: number; readonly reason: string }> };

/** `check --fix` for one file: every fixable LLM call fixed, with the streaming module it then imports from. */
export async function fixFile(project: ProjectFiles, file: string, options: QuickFixOptions): Promise<FixFileOutcome> {
  const source = await readSource(project, file);
  if (source === undefined) {
    return { status: 'unchanged', refused: [] };
  }
  if (source.encoding?.notWritable !== undefined) {
    return { status: 'not-fixed', message: source.encoding.notWritable, refused: [] };
  }
  const target = await moduleTarget(project, file, options);
  const result = await fixLlmCalls(source.text, {
    style: options.style,
    streamingImport: target.importModule,
    singleModule: target.singleModule,
    ...sharedNames(options),
  });
  if (result.applied.length === 0) {
    return { status: 'unchanged', refused: result.refused };
  }
  const module = await streamingCodeChange(project, target, source.text, result.streamingNames);
  if ('refused' in module) {
    return { status: 'not-fixed', message: module.refused, refused: result.refused };
  }
  const whole = { start: 0, end: source.text.length, newText: result.text };
  const changes = [
    ...module.changes,
    { path: file, kind: 'modify' as const, before: source.text, after: result.text, edits: [whole], description: 'LLM calls streamed' },
  ];
  return {
    status: 'fixed',
    changes,
    applied: result.applied,
    refused: result.refused,
    generated: module.changes.map((change) => ({ path: change.path, kind: change.kind })),
    notes: module.notes,
  };
}

function sharedNames(options: QuickFixOptions): { sharedNames?: ReadonlySet<string> } {
  return options.sharedNames === undefined ? {} : { sharedNames: options.sharedNames };
}

/** Where the streaming package of `file` goes and how the file imports it (`file` project-relative, absolute inside). */
async function moduleTarget(project: ProjectFiles, file: string, options: QuickFixOptions): Promise<StreamingModuleTarget> {
  const absolute = path.join(project.root, ...file.split('/'));
  const location = options.moduleLocation === undefined ? undefined : { workspaceFolder: project.root, relativePath: options.moduleLocation };
  // streamingModuleTarget asks whether the file's folder is a package and whether a single module of an
  // earlier version is in place: both are read through the project first (unsaved editor files count).
  const where = streamingModuleTarget(absolute, () => false, location);
  const existing = new Set<string>();
  for (const candidate of [path.join(path.dirname(absolute), '__init__.py'), where.file]) {
    if (await exists(project, relativeTo(project, candidate))) {
      existing.add(candidate);
    }
  }
  const local = streamingModuleTarget(absolute, (f) => existing.has(f), location);
  if (location !== undefined || local.singleModule || (await exists(project, relativeTo(project, packageInit(local.file))))) {
    return local;
  }
  return (await enclosingStreamingPackage(project, file)) ?? local;
}

/** `app/streaming.py` -> `app/streaming/__init__.py`: the package standing in for the module file. */
function packageInit(moduleFile: string): string {
  return path.join(moduleFile.slice(0, -'.py'.length), '__init__.py');
}

/**
 * A generated `streaming/` package in a folder above `file` that the file imports relatively (every folder
 * on the way a package), so a fix in `app/admin/routes.py` uses `app/streaming/` (`from ..streaming...`)
 * rather than writing a second copy into `app/admin/`; one at the project's root is imported as `streaming`, as
 * uvicorn run from the root finds it. The nearest wins.
 */
async function enclosingStreamingPackage(project: ProjectFiles, file: string): Promise<StreamingModuleTarget | undefined> {
  const folders = file.split('/').slice(0, -1);
  for (let up = 1; up <= folders.length; up++) {
    const between = folders.slice(0, folders.length - up + 1);
    if (!(await exists(project, [...between, '__init__.py'].join('/')))) {
      return undefined;
    }
    const above = folders.slice(0, folders.length - up);
    const init = await readSource(project, [...above, 'streaming', '__init__.py'].join('/'));
    if (init !== undefined && hasGeneratedHeader(init.text) && (above.length === 0 || (await exists(project, [...above, '__init__.py'].join('/'))))) {
      // At the project's root the package is a top-level module: a relative import cannot leave the file's top package.
      const importModule = above.length === 0 ? 'streaming' : `${'.'.repeat(up + 1)}streaming`;
      return { file: path.join(project.root, ...above, 'streaming.py'), importModule, singleModule: false };
    }
  }
  return undefined;
}

async function exists(project: ProjectFiles, file: string): Promise<boolean> {
  return project.openText?.(file) !== undefined || (await project.readFile(file)) !== undefined;
}

/** Project-relative, `/`-separated. */
function relativeTo(project: ProjectFiles, absolute: string): string {
  return path.relative(project.root, absolute).split(path.sep).join('/');
}

/**
 * The generated code's changes for a fix that imports `names` from it (planFixStreamingCode: the package's
 * files as needed, or a single module of an earlier version used as it is, with a note), project-relative;
 * or a refusal (a file of that name that is not ours, an earlier module without a name the fix needs).
 */
async function streamingCodeChange(
  project: ProjectFiles,
  target: StreamingModuleTarget,
  fixedSource: string,
  names: readonly string[],
): Promise<{ readonly changes: readonly FileChange[]; readonly notes: readonly string[] } | { readonly refused: string }> {
  const eol = fixedSource.includes('\r\n') ? '\r\n' : '\n';
  const code = await planFixStreamingCode(target, names, eol, async (absolute) => (await readSource(project, relativeTo(project, absolute)))?.text);
  if (code.status === 'refused') {
    return { refused: code.message };
  }
  return { changes: code.changes.map((change) => ({ ...change, path: relativeTo(project, change.path) })), notes: code.notes };
}
