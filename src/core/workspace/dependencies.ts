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
  return requirementsFileLines(text)
    .map(requirementName)
    .filter((name): name is string => name !== undefined);
}

/** The requirement lines of a requirements.txt, as written (`fastapi[standard]>=0.110`). */
function requirementsFileLines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('-'));
}

/** Names a pyproject.toml depends on; throws when it is not valid TOML. */
export function pyprojectDependencyNames(text: string): string[] {
  return pyprojectRequirements(text)
    .map(requirementName)
    .filter((name): name is string => name !== undefined);
}

/** The requirements a pyproject.toml declares, as written (Poetry's as `name[extras]`); throws when it is not valid TOML. */
function pyprojectRequirements(text: string): string[] {
  const toml = parseToml(text) as Record<string, unknown>;
  const names: string[] = [];
  const addRequirements = (value: unknown) => {
    if (Array.isArray(value)) {
      names.push(...value.filter((item): item is string => typeof item === 'string'));
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
  const addPoetry = (dependencies: unknown) => {
    for (const [name, spec] of Object.entries(table(dependencies) ?? {})) {
      const extras = table(spec)?.['extras'];
      names.push(Array.isArray(extras) ? `${name}[${extras.join(',')}]` : name);
    }
  };
  addPoetry(poetry?.dependencies);
  for (const group of Object.values(table(poetry?.group) ?? {})) {
    addPoetry(table(group)?.dependencies);
  }
  return names;
}

/** Every requirement the files declare, as written; an unparsable pyproject.toml declares nothing. */
function declaredRequirements(files: DependencyFiles): string[] {
  const declared = [...files.requirements.values()].flatMap(requirementsFileLines);
  if (files.pyproject !== undefined) {
    try {
      declared.push(...pyprojectRequirements(files.pyproject));
    } catch {
      // Invalid TOML: nothing can be read from it.
    }
  }
  return declared;
}

/** The extras of a PEP 508 requirement (`fastapi[standard] >= 0.110` -> ['standard']). */
export function requirementExtras(requirement: string): string[] {
  const match = /^\s*[A-Za-z0-9._-]+\s*\[([^\]]*)\]/.exec(requirement);
  return match ? match[1]!.split(',').map((extra) => normalisePackageName(extra.trim())) : [];
}

/** Whether the project installs the FastAPI CLI (`fastapi dev`): `fastapi[standard]` (or `[all]`), or fastapi-cli itself. */
export function declaresFastapiCli(files: DependencyFiles): boolean {
  return declaredRequirements(files).some((requirement) => {
    const name = normalisePackageName(requirementName(requirement) ?? '');
    const extras = requirementExtras(requirement);
    return name === 'fastapi-cli' || (name === 'fastapi' && extras.some((extra) => extra.startsWith('standard') || extra === 'all'));
  });
}

/** True when any of the files declares `name`. An unparsable pyproject.toml counts as not declaring it. */
export function declaresDependency(files: DependencyFiles, name: string): boolean {
  const wanted = normalisePackageName(name);
  return declaredRequirements(files).some((requirement) => normalisePackageName(requirementName(requirement) ?? '') === wanted);
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
