/**
 * From the single generated module of 0.1.x/0.2.x (`streaming.py`, and `resumable.py` beside it) to the
 * generated package: the imports of the workspace that name the old modules, rewritten to the package's
 * submodules, in place and in the file's style (relative or absolute, aliases kept, the statement's indent
 * and line ending), one `from` statement per submodule.
 *
 *   from .streaming import EventStreamResponse, stream_tokens as tokens
 *     -> from .streaming.response import EventStreamResponse
 *        from .streaming.tokens import stream_tokens as tokens
 *
 * Also the names the workspace imports from the package (or will, once migrated), so the package gets
 * the files they need. Pure: reads the workspace's texts.
 */
import { isPackageName, PACKAGE_EXPORTS } from '../codegen/python/package/packageExports';
import type { ImportStatement } from '../python/imports';
import type { PythonWorkspace } from '../python/workspace';
import { applyTextEdits, type TextEdit } from '../workspace/textEdit';

/** The old modules being replaced, by their files (workspace-relative). */
export interface LegacyModules {
  readonly streaming: string;
  /** `resumable.py` beside it, when there is one to migrate. */
  readonly resumable?: string;
}

export type ImportMigration =
  | { readonly status: 'migrated'; readonly files: ReadonlyMap<string, string>; readonly names: readonly string[] }
  /** An import the package cannot satisfy (a private helper, `import streaming`): the old module stays. */
  | { readonly status: 'blocked'; readonly reason: string };

/**
 * Every workspace file's imports of the legacy modules, rewritten to the package that replaces them (the
 * folder of `legacy.streaming` without `.py`). `files` in the result holds only the files that changed.
 */
export async function migrateLegacyImports(workspace: PythonWorkspace, legacy: LegacyModules): Promise<ImportMigration> {
  const streamingName = workspace.identity(legacy.streaming).dottedName;
  const resumableName = legacy.resumable === undefined ? undefined : workspace.identity(legacy.resumable).dottedName;
  const packageName = streamingName.split('.').pop()!;
  const changed = new Map<string, string>();
  const names = new Set<string>();
  for (const file of [...workspace.files.keys()].sort()) {
    if (!file.endsWith('.py') || file === legacy.streaming || file === legacy.resumable) {
      continue;
    }
    const text = workspace.files.get(file)!;
    const lastPart = [streamingName, resumableName].filter((n): n is string => n !== undefined).map((n) => n.split('.').pop()!);
    if (!lastPart.some((part) => text.includes(part))) {
      continue;
    }
    const analysis = await workspace.module(file)!;
    const edits: TextEdit[] = [];
    for (const statement of analysis.imports) {
      if (statement.kind === 'import') {
        const plain = statement.names.find((n) => n.name === streamingName || n.name === resumableName);
        if (plain) {
          return { status: 'blocked', reason: `${file} imports the module itself (import ${plain.name}), which the package cannot stand in for name by name` };
        }
        continue;
      }
      // A `from` statement (`from __future__ import ...` names neither module).
      const absolute = workspace.absoluteName(file, statement.module);
      if (absolute !== streamingName && (resumableName === undefined || absolute !== resumableName)) {
        continue;
      }
      if (statement.wildcard) {
        return { status: 'blocked', reason: `${file} imports everything from ${statement.module} (import *)` };
      }
      const foreign = statement.names.filter((n) => !isPackageName(n.name)).map((n) => n.name);
      if (foreign.length > 0) {
        return { status: 'blocked', reason: `${file} imports ${foreign.join(', ')} from ${statement.module}, which the package does not define` };
      }
      statement.names.forEach((n) => names.add(n.name));
      // `.resumable` -> `.streaming`, `app.streaming` stays: the package takes the old module's place.
      const packageModule = statement.module.replace(/[A-Za-z_][A-Za-z0-9_]*$/, packageName);
      edits.push({
        start: statement.span.start,
        end: statement.span.end,
        newText: submoduleImports(statement, packageModule, analysis.source, analysis.lineEnding),
      });
    }
    if (edits.length > 0) {
      changed.set(file, applyTextEdits(text, edits));
    }
  }
  return { status: 'migrated', files: changed, names: [...names].sort() };
}

/** The names the workspace's modules import from the package `packageName` (absolute dotted name). */
export async function namesImportedFromPackage(workspace: PythonWorkspace, packageName: string): Promise<string[]> {
  const names = new Set<string>();
  const last = packageName.split('.').pop()!;
  for (const [file, text] of workspace.files) {
    if (!file.endsWith('.py') || !text.includes(last)) {
      continue;
    }
    const analysis = await workspace.module(file)!;
    for (const statement of analysis.imports) {
      const absolute = statement.kind === 'from' ? workspace.absoluteName(file, statement.module) : undefined;
      if (absolute?.startsWith(`${packageName}.`)) {
        statement.names.filter((n) => isPackageName(n.name)).forEach((n) => names.add(n.name));
      }
    }
  }
  return [...names].sort();
}

/** `from M.sub import a, b as c` statements for the statement's names, one per submodule, in its place. */
function submoduleImports(statement: ImportStatement, packageModule: string, source: string, eol: string): string {
  const lineStart = source.lastIndexOf('\n', statement.span.start) + 1;
  const indent = /^[ \t]*/.exec(source.slice(lineStart, statement.span.start))![0];
  const bySubmodule = new Map<string, string[]>();
  for (const name of statement.names) {
    const module = `${packageModule}.${PACKAGE_EXPORTS[name.name as keyof typeof PACKAGE_EXPORTS]}`;
    const text = name.alias !== undefined && name.alias !== name.name ? `${name.name} as ${name.alias}` : name.name;
    bySubmodule.set(module, [...(bySubmodule.get(module) ?? []), text]);
  }
  return [...bySubmodule]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([module, texts]) => {
      const line = `from ${module} import ${texts.join(', ')}`;
      // black's wrapping: one name per line, a trailing comma, when the line is too long.
      return indent.length + line.length <= 88 ? line : `from ${module} import (${eol}${texts.map((t) => `${indent}    ${t},${eol}`).join('')}${indent})`;
    })
    .join(`${eol}${indent}`);
}
