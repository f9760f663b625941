/**
 * Adding imports to a module the way its author would: merged into an existing `from X import ...` in that
 * statement's style (one name per line stays one per line, a single line stays single until it is too long),
 * or as a new statement in the right isort section (future, standard library, third party, first party,
 * local), sorted among its neighbours when they are sorted. Line endings and indentation follow the file.
 *
 *   planImports(analysis, [{ module: '.streaming', names: ['stream_tokens'] }, { module: 'asyncio' }])
 *     -> { edits: TextEdit[] (against analysis.source), conflicts: [...] }
 *
 * A name already imported from the same place is left alone; a name bound to something else is reported as
 * a conflict and not imported (the caller decides what to tell the user).
 */
import type { ModuleAnalysis } from './analysis';
import type { ImportedName, ImportStatement } from './imports';
import { STDLIB_MODULES } from './stdlibModules';
import { coalesceTextEdits, type TextEdit } from '../workspace/textEdit';

export interface ImportRequest {
  /** `fastapi`, `collections.abc`, `.streaming` (relative), `streaming`. */
  readonly module: string;
  /** Names for `from module import a, b`; absent for `import module`. */
  readonly names?: readonly string[];
}

export interface ImportConflict {
  readonly name: string;
  /** What the name refers to now (a qualified name), or 'a local definition'. */
  readonly boundTo: string;
}

export interface ImportPlanOptions {
  /** Top-level module names that belong to the project (isort's first-party section). */
  readonly firstPartyModules?: ReadonlySet<string>;
  /** Longest import line before names are wrapped in parentheses, one per line (black's default). */
  readonly lineLength?: number;
}

export interface ImportPlan {
  readonly edits: readonly TextEdit[];
  readonly conflicts: readonly ImportConflict[];
}

/** isort's default sections, in file order. */
enum Section {
  Future,
  Stdlib,
  ThirdParty,
  FirstParty,
  Local,
}

interface NewStatement {
  readonly section: Section;
  readonly text: string;
  readonly sortKey: string;
}

export function planImports(analysis: ModuleAnalysis, requests: readonly ImportRequest[], options: ImportPlanOptions = {}): ImportPlan {
  const context = {
    source: analysis.source,
    eol: analysis.lineEnding,
    indent: analysis.indentUnit,
    lineLength: options.lineLength ?? 88,
    firstParty: options.firstPartyModules ?? new Set<string>(),
  };
  const conflicts: ImportConflict[] = [];
  const edits: TextEdit[] = [];
  const added: NewStatement[] = [];
  const localDefinitions = new Set([...analysis.topLevelNames].filter((name) => !analysis.bindings.has(name)));

  for (const request of mergeRequests(requests)) {
    if (request.names === undefined) {
      const local = request.module.split('.')[0] ?? request.module;
      const bound = analysis.bindings.get(local);
      if (bound === local) {
        continue;
      }
      if (bound !== undefined || localDefinitions.has(local)) {
        conflicts.push({ name: local, boundTo: bound ?? 'a local definition' });
        continue;
      }
      added.push(newStatement(request.module, undefined, context));
      continue;
    }
    const missing: string[] = [];
    for (const name of request.names) {
      const qualified = `${request.module}${request.module.endsWith('.') ? '' : '.'}${name}`;
      const bound = analysis.bindings.get(name);
      if (bound === qualified) {
        continue;
      }
      if (bound !== undefined || localDefinitions.has(name)) {
        conflicts.push({ name, boundTo: bound ?? 'a local definition' });
        continue;
      }
      missing.push(name);
    }
    if (missing.length === 0) {
      continue;
    }
    const existing = analysis.imports.find((s) => s.topLevel && s.kind === 'from' && s.module === request.module && !s.wildcard);
    if (existing) {
      edits.push(...mergeInto(existing, missing, context));
    } else {
      added.push(newStatement(request.module, missing, context));
    }
  }
  edits.push(...placeNewStatements(analysis, added, context));
  return { edits: coalesceTextEdits(edits), conflicts };
}

/**
 * The name the module binds `module` itself to (`import pydantic` -> 'pydantic', `import pydantic as pd` ->
 * 'pd'), so code can say `pydantic.BaseModel` in a file that imports modules rather than names.
 */
export function moduleImportedAs(analysis: ModuleAnalysis, module: string): string | undefined {
  for (const [local, qualified] of analysis.bindings) {
    if (qualified === module) {
      return local;
    }
  }
  return undefined;
}

interface Context {
  readonly source: string;
  readonly eol: string;
  readonly indent: string;
  readonly lineLength: number;
  readonly firstParty: ReadonlySet<string>;
}

/** Requests for the same module become one, so one statement is written per module. */
function mergeRequests(requests: readonly ImportRequest[]): ImportRequest[] {
  const merged = new Map<string, ImportRequest>();
  for (const request of requests) {
    const key = `${request.names === undefined ? 'import' : 'from'} ${request.module}`;
    const previous = merged.get(key);
    merged.set(key, {
      module: request.module,
      ...(request.names === undefined ? {} : { names: [...new Set([...(previous?.names ?? []), ...request.names])] }),
    });
  }
  return [...merged.values()];
}

function sectionOf(module: string, kind: ImportStatement['kind'], firstParty: ReadonlySet<string>): Section {
  if (kind === 'future' || module === '__future__') {
    return Section.Future;
  }
  if (module.startsWith('.')) {
    return Section.Local;
  }
  const top = module.split('.')[0] ?? module;
  if (STDLIB_MODULES.has(top)) {
    return Section.Stdlib;
  }
  return firstParty.has(top) ? Section.FirstParty : Section.ThirdParty;
}

/** isort's order within a section: `import x` lines before `from x import` lines, each by module name. */
function statementSortKey(kind: 'import' | 'from', module: string): string {
  return `${kind === 'import' ? 0 : 1} ${module.toLowerCase()}`;
}

/** isort's order of names (order_by_type): CONSTANTS, then Classes, then functions, case-insensitively. */
function nameSortKey(name: string): string {
  const rank = name.length > 1 && name === name.toUpperCase() ? 0 : /^[A-Z]/.test(name) ? 1 : 2;
  return `${rank}${name.toLowerCase()}`;
}

function isSorted(keys: readonly string[]): boolean {
  return keys.every((key, i) => i === 0 || keys[i - 1]! <= key);
}

function renderName(name: ImportedName | string): string {
  if (typeof name === 'string') {
    return name;
  }
  return name.alias === undefined ? name.name : `${name.name} as ${name.alias}`;
}

/** `from m import a, b` on one line when it fits, else parenthesised with one name per line. */
function renderFrom(module: string, names: readonly string[], context: Context, forceWrap = false): string {
  const single = `from ${module} import ${names.join(', ')}`;
  if (!forceWrap && single.length <= context.lineLength) {
    return single;
  }
  return [`from ${module} import (`, ...names.map((name) => `${context.indent}${name},`), ')'].join(context.eol);
}

function newStatement(module: string, names: readonly string[] | undefined, context: Context): NewStatement {
  const kind = names === undefined ? 'import' : 'from';
  const sorted = names && [...names].sort((a, b) => (nameSortKey(a) < nameSortKey(b) ? -1 : 1));
  return {
    section: sectionOf(module, kind, context.firstParty),
    text: sorted === undefined ? `import ${module}` : renderFrom(module, sorted, context),
    sortKey: statementSortKey(kind, module),
  };
}

/** Edits adding `missing` to an existing `from m import ...`, in the statement's own style. */
function mergeInto(statement: ImportStatement, missing: readonly string[], context: Context): TextEdit[] {
  const existing = statement.names;
  const existingKeys = existing.map((n) => nameSortKey(n.name));
  const keepSorted = isSorted(existingKeys);
  const toAdd = [...missing].sort((a, b) => (nameSortKey(a) < nameSortKey(b) ? -1 : 1));
  // Where each new name goes: before existing name k, or (k === existing.length) after the last one.
  const positions = toAdd.map((name) => {
    if (!keepSorted) {
      return existing.length;
    }
    const k = existingKeys.findIndex((key) => key > nameSortKey(name));
    return k < 0 ? existing.length : k;
  });

  const hasComments = statement.node.descendantsOfType('comment').length > 0;
  // Each name on a row of its own, the first one too: a name on the `from` row has no line to insert above.
  const onePerLine =
    statement.parenthesized &&
    statement.multiline &&
    existing.every((n, i) => n.span.startPoint.row > (i === 0 ? statement.span.startPoint.row : existing[i - 1]!.span.endPoint.row));

  if (!onePerLine && !hasComments) {
    // Rewrite the whole statement: nothing of the author's is lost on a line without comments.
    const combined: string[] = existing.map(renderName);
    positions
      .map((position, i) => ({ position, name: toAdd[i]! }))
      .reverse()
      .forEach(({ position, name }) => combined.splice(position, 0, name));
    const keepWrapped = statement.parenthesized && statement.multiline;
    return [{ start: statement.span.start, end: statement.span.end, newText: renderFrom(statement.module, combined, context, keepWrapped) }];
  }

  const edits: TextEdit[] = [];
  const source = context.source;
  const last = existing[existing.length - 1]!;
  const afterLast = toAdd.filter((_, i) => positions[i] === existing.length);
  if (onePerLine) {
    const nameIndent = source.slice(last.span.start - last.span.startPoint.column, last.span.start);
    toAdd.forEach((name, i) => {
      const k = positions[i]!;
      if (k < existing.length) {
        const target = existing[k]!;
        const lineStart = target.span.start - target.span.startPoint.column;
        edits.push({ start: lineStart, end: lineStart, newText: `${nameIndent}${name},${context.eol}` });
      }
    });
    if (afterLast.length > 0) {
      const comma = source.slice(last.span.end).match(/^[ \t]*,/);
      const insertAt = comma ? last.span.end + comma[0].length : last.span.end;
      const lines = afterLast.map((name) => `${context.eol}${nameIndent}${name}${comma ? ',' : ''}`);
      edits.push({ start: insertAt, end: insertAt, newText: comma ? lines.join('') : `,${lines.join(',')}` });
    }
    return edits;
  }
  // Names packed on lines with comments between them: insert next to a neighbour, touching nothing else.
  toAdd.forEach((name, i) => {
    const k = positions[i]!;
    if (k < existing.length) {
      edits.push({ start: existing[k]!.span.start, end: existing[k]!.span.start, newText: `${name}, ` });
    }
  });
  if (afterLast.length > 0) {
    edits.push({ start: last.span.end, end: last.span.end, newText: afterLast.map((name) => `, ${name}`).join('') });
  }
  return edits;
}

/** Start of the line after the one `offset` is on (or the end of the text). */
function nextLineStart(source: string, offset: number): number {
  const newline = source.indexOf('\n', offset);
  return newline < 0 ? source.length : newline + 1;
}

/** New statements go into their section, sorted among sorted neighbours, with blank lines between sections. */
function placeNewStatements(analysis: ModuleAnalysis, added: readonly NewStatement[], context: Context): TextEdit[] {
  if (added.length === 0) {
    return [];
  }
  const topLevel = analysis.imports
    .filter((s) => s.topLevel)
    .map((s) => ({
      statement: s,
      section: sectionOf(s.module || (s.names[0]?.name ?? ''), s.kind, context.firstParty),
      sortKey: statementSortKey(s.kind === 'import' ? 'import' : 'from', s.module || (s.names[0]?.name ?? '')),
    }));
  // Anchor: insert before an existing import (its line start) or after one (the next line's start).
  interface Anchored {
    readonly offset: number;
    readonly above?: Section;
    readonly below?: Section;
    readonly item: NewStatement;
  }
  const anchored: Anchored[] = added.map((item) => {
    const same = topLevel.filter((e) => e.section === item.section);
    if (same.length > 0) {
      const next = isSorted(same.map((e) => e.sortKey)) ? same.find((e) => e.sortKey > item.sortKey) : undefined;
      if (next) {
        return { offset: next.statement.span.start - next.statement.span.startPoint.column, below: next.section, item };
      }
      const last = same[same.length - 1]!;
      return { offset: nextLineStart(context.source, last.statement.span.end), above: last.section, item };
    }
    const lower = topLevel.filter((e) => e.section < item.section);
    if (lower.length > 0) {
      const last = lower[lower.length - 1]!;
      return { offset: nextLineStart(context.source, last.statement.span.end), above: last.section, item };
    }
    const higher = topLevel.find((e) => e.section > item.section);
    if (higher) {
      return { offset: higher.statement.span.start - higher.statement.span.startPoint.column, below: higher.section, item };
    }
    return { offset: moduleHeaderEnd(analysis), item };
  });

  // A block that runs its sections together (no blank line anywhere between its imports) stays one block.
  const compact = runsSectionsTogether(topLevel);
  const groups = new Map<number, Anchored[]>();
  for (const entry of anchored) {
    groups.set(entry.offset, [...(groups.get(entry.offset) ?? []), entry]);
  }
  const eol = context.eol;
  return [...groups.entries()].map(([offset, entries]) => {
    const items = [...entries].sort((a, b) => a.item.section - b.item.section || (a.item.sortKey < b.item.sortKey ? -1 : 1));
    const above = entries[0]!.above;
    const below = entries[0]!.below;
    let text = '';
    // A statement appended at the very end of a file without a final newline needs one first.
    if (offset === context.source.length && offset > 0 && !context.source.endsWith('\n')) {
      text += eol;
    }
    let previous = above;
    for (const { item } of items) {
      if (previous !== undefined && previous !== item.section && !compact) {
        text += eol;
      }
      text += item.text + eol;
      previous = item.section;
    }
    if (compact && below !== undefined) {
      // Inside a compact block: no blank line.
    } else if (below !== undefined && previous !== below) {
      text += eol;
    } else if (above === undefined && below === undefined && !/^\r?\n/.test(context.source.slice(offset))) {
      text += eol;
    }
    return { start: offset, end: offset, newText: text };
  });
}

/**
 * The module's imports are one block of several sections with no blank line between any two of them
 * (`import os` right above `from fastapi import FastAPI` right above `from .db import get_db`): its author
 * does not separate sections, so new imports join the block without blank lines.
 */
function runsSectionsTogether(imports: ReadonlyArray<{ readonly statement: ImportStatement; readonly section: Section }>): boolean {
  if (imports.length < 2 || imports.every((entry) => entry.section === imports[0]!.section)) {
    return false;
  }
  return imports.every((entry, i) => i === 0 || entry.statement.span.startPoint.row === imports[i - 1]!.statement.span.endPoint.row + 1);
}

/** Where a module's first import goes when it has none: after the docstring and leading comments. */
function moduleHeaderEnd(analysis: ModuleAnalysis): number {
  let offset = 0;
  let docstringAllowed = true;
  for (const statement of analysis.root.namedChildren) {
    if (!statement) {
      continue;
    }
    const isDocstring = docstringAllowed && statement.type === 'expression_statement' && statement.firstNamedChild?.type === 'string';
    if (statement.type !== 'comment' && !isDocstring) {
      break;
    }
    docstringAllowed &&= statement.type === 'comment';
    offset = nextLineStart(analysis.source, statement.endIndex);
  }
  return offset;
}
