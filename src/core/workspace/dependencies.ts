/**
 * Whether a Python project declares a dependency, from its requirements files and pyproject.toml.
 *
 * Used to offer adding orjson (the generated module uses it when installed: faster JSON, same bytes).
 * requirements*.txt lines are read as PEP 508 requirements; pyproject.toml is parsed as TOML (smol-toml) and
 * PEP 621 `[project]` dependencies (and optional ones), PEP 735 dependency groups and Poetry's tables are
 * looked at.
 */
import { parse as parseToml } from 'smol-toml';

export interface DependencyFiles {
  /** Workspace-relative path -> text of every top-level requirements*.txt. */
  readonly requirements: ReadonlyMap<string, string>;
  readonly pyproject?: string;
}

/** PEP 503 normalised name: case-insensitive, runs of `-`, `_`, `.` are equivalent. */
export function normalisePackageName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The distribution name at the start of a PEP 508 requirement (`orjson>=3.9 ; python_version > "3.8"` -> `orjson`). */
export function requirementName(requirement: string): string | undefined {
  return /^[A-Za-z0-9._-]+/.exec(requirement.trim())?.[0];
}

/** Names required by a requirements.txt: comments, blank lines and pip options (`-r`, `-e`, `--index-url`) skipped. */
export function requirementsFileNames(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('-'))
    .map(requirementName)
    .filter((name): name is string => name !== undefined);
}

/** Names a pyproject.toml depends on; throws when it is not valid TOML. */
export function pyprojectDependencyNames(text: string): string[] {
  const toml = parseToml(text) as Record<string, unknown>;
  const names: string[] = [];
  const addRequirements = (value: unknown) => {
    if (Array.isArray(value)) {
      for (const item of value) {
        const name = typeof item === 'string' ? requirementName(item) : undefined;
        if (name) {
          names.push(name);
        }
      }
    }
  };
  const project = table(toml.project);
  addRequirements(project?.dependencies);
  for (const group of Object.values(table(project?.['optional-dependencies']) ?? {})) {
    addRequirements(group);
  }
  for (const group of Object.values(table(toml['dependency-groups']) ?? {})) {
    addRequirements(group);
  }
  const poetry = table(table(toml.tool)?.poetry);
  names.push(...Object.keys(table(poetry?.dependencies) ?? {}));
  for (const group of Object.values(table(poetry?.group) ?? {})) {
    names.push(...Object.keys(table(table(group)?.dependencies) ?? {}));
  }
  return names;
}

/** True when any of the files declares `name`. An unparsable pyproject.toml counts as not declaring it. */
export function declaresDependency(files: DependencyFiles, name: string): boolean {
  const wanted = normalisePackageName(name);
  const declared = [...files.requirements.values()].flatMap(requirementsFileNames);
  if (files.pyproject !== undefined) {
    try {
      declared.push(...pyprojectDependencyNames(files.pyproject));
    } catch {
      // Invalid TOML: nothing can be read from it.
    }
  }
  return declared.some((candidate) => normalisePackageName(candidate) === wanted);
}

/** The text of a requirements file with `requirement` appended on a line of its own, in the file's line endings. */
export function appendRequirement(text: string, requirement: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const separator = text === '' || text.endsWith('\n') ? '' : eol;
  return `${text}${separator}${requirement}${eol}`;
}

function table(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
