/**
 * The LLM quick fixes as one use case for the editor's code actions and `check --fix`: fix the call (or every
 * fixable call of a file) and create or update the generated streaming module the fixed file imports from,
 * returned as FileChanges that go together (one WorkspaceEdit in the editor, one all-or-nothing write in the
 * CLI). Files are read through ProjectFiles; paths are project-relative.
 */
import path from 'node:path';
import { fixLlmCalls } from '../plan/llm/fixAll';
import { FIX_TITLES, planLlmFixes, type LlmFixKind, type ParsedModule } from '../plan/llm/planLlmFixes';
import type { FixStyle } from '../plan/llm/streamCall';
import { streamingModuleTarget } from '../plan/llm/streamingModuleTarget';
import { decideStreamingModule } from '../plan/streamingModule';
import type { FileChange } from '../workspace/fileChange';
import { readSource, type ProjectFiles } from '../workspace/projectFiles';
import { applyTextEdits } from '../workspace/textEdit';

export interface QuickFixOptions {
  readonly style: FixStyle;
  /** Where the streaming module goes, relative to the project's root (`catalyst.streaming.moduleLocation`). */
  readonly moduleLocation?: string;
}

/** One offered fix: its changes, applied together. */
export interface QuickFix {
  readonly kind: LlmFixKind;
  readonly title: string;
  readonly changes: readonly FileChange[];
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
  const plan = await planLlmFixes(source.text, callOffset, { style: options.style, streamingImport: target.importModule }, parsed);
  const fixes: QuickFix[] = [];
  const refused = plan.refused.map((r) => ({ kind: r.kind, title: FIX_TITLES[r.kind], reason: r.reason }));
  for (const fix of plan.fixes) {
    const module = await streamingModuleChange(project, target.file, source.text, fix.streamingNames);
    if ('refused' in module) {
      refused.push({ kind: fix.kind, title: fix.title, reason: module.refused });
      continue;
    }
    const after = applyTextEdits(source.text, fix.edits);
    fixes.push({
      kind: fix.kind,
      title: fix.title,
      changes: [...module.changes, { path: file, kind: 'modify', before: source.text, after, edits: fix.edits, description: fix.title }],
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
      /** The streaming module, when the fix creates or updates it. */
      readonly module?: { readonly path: string; readonly action: 'create' | 'update' };
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
  const result = await fixLlmCalls(source.text, { style: options.style, streamingImport: target.importModule });
  if (result.applied.length === 0) {
    return { status: 'unchanged', refused: result.refused };
  }
  const module = await streamingModuleChange(project, target.file, source.text, result.streamingNames);
  if ('refused' in module) {
    return { status: 'not-fixed', message: module.refused, refused: result.refused };
  }
  const whole = { start: 0, end: source.text.length, newText: result.text };
  const changes = [
    ...module.changes,
    { path: file, kind: 'modify' as const, before: source.text, after: result.text, edits: [whole], description: 'LLM calls streamed' },
  ];
  const created = module.changes[0];
  return {
    status: 'fixed',
    changes,
    applied: result.applied,
    refused: result.refused,
    ...(created ? { module: { path: created.path, action: created.kind === 'create' ? ('create' as const) : ('update' as const) } } : {}),
  };
}

/** Where the streaming module of `file` goes (project-relative) and how the file imports it. */
async function moduleTarget(project: ProjectFiles, file: string, options: QuickFixOptions): Promise<{ readonly file: string; readonly importModule: string }> {
  const folder = path.posix.dirname(file);
  const init = folder === '.' ? '__init__.py' : `${folder}/__init__.py`;
  const isPackage = project.openText?.(init) !== undefined || (await project.readFile(init)) !== undefined;
  const location = options.moduleLocation === undefined ? undefined : { workspaceFolder: project.root, relativePath: options.moduleLocation };
  // streamingModuleTarget asks only whether the file's folder is a package, which was just read.
  const target = streamingModuleTarget(path.join(project.root, ...file.split('/')), () => isPackage, location);
  return { file: path.relative(project.root, target.file).split(path.sep).join('/'), importModule: target.importModule };
}

/**
 * The streaming module's change for a fix that imports `names` from it: none (not needed, or already right),
 * a create or update, or a refusal (a file of that name that is not ours, an edit that removed a name).
 */
async function streamingModuleChange(
  project: ProjectFiles,
  moduleFile: string,
  fixedSource: string,
  names: readonly string[],
): Promise<{ readonly changes: readonly FileChange[] } | { readonly refused: string }> {
  if (names.length === 0) {
    return { changes: [] };
  }
  const existing = (await readSource(project, moduleFile))?.text;
  const eol = fixedSource.includes('\r\n') ? '\r\n' : '\n';
  const decision = await decideStreamingModule(path.join(project.root, ...moduleFile.split('/')), existing, eol, names);
  if (decision.action === 'refuse') {
    return { refused: decision.message };
  }
  if (decision.action === 'keep') {
    return { changes: [] };
  }
  const before = existing ?? '';
  return {
    changes: [
      {
        path: moduleFile,
        kind: decision.action,
        ...(existing === undefined ? {} : { before: existing }),
        after: decision.text,
        edits: [{ start: 0, end: before.length, newText: decision.text }],
        description: 'the streaming module',
      },
    ],
  };
}
