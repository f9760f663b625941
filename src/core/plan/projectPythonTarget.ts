/**
 * The oldest Python a project supports, which decides how generated files are written (`X | None` or
 * `Optional[X]`, PEP 695 generics or TypeVar), so the project's own linters (ruff's UP rules) find nothing
 * to rewrite in them. Read, in order: the lower bound of `requires-python` in pyproject.toml, ruff's
 * `target-version` (pyproject `[tool.ruff]`, ruff.toml, .ruff.toml); 3.9 when no file says.
 * Pure: file names (relative to the project folder) and texts in.
 */
import { parse as parseToml } from 'smol-toml';
import { readSource, type ProjectFiles } from '../workspace/projectFiles';
import { DEFAULT_PYTHON_TARGET, type PythonTarget } from '../codegen/python/package';

export type { PythonTarget } from '../codegen/python/package';

/** The configuration files read (in the project folder), for shells that read them from disk. */
export const PYTHON_TARGET_SOURCES = ['pyproject.toml', 'ruff.toml', '.ruff.toml'] as const;

export function projectPythonTarget(files: ReadonlyMap<string, string>): PythonTarget {
  const pyproject = readToml(files.get('pyproject.toml'));
  const requires = (pyproject?.['project'] as Record<string, unknown> | undefined)?.['requires-python'];
  const fromRequires = typeof requires === 'string' ? lowerBound(requires) : undefined;
  if (fromRequires) {
    return fromRequires;
  }
  const ruffTables = [
    (pyproject?.['tool'] as Record<string, unknown> | undefined)?.['ruff'],
    readToml(files.get('ruff.toml')),
    readToml(files.get('.ruff.toml')),
  ];
  for (const table of ruffTables) {
    const target = (table as Record<string, unknown> | undefined)?.['target-version'];
    const match = typeof target === 'string' ? /^py3(\d+)$/.exec(target.trim()) : null;
    if (match) {
      return { major: 3, minor: Number(match[1]) };
    }
  }
  return DEFAULT_PYTHON_TARGET;
}

/** `>=3.10`, `~=3.11`, `>=3.9,<4`, `==3.12.*`, `>3.10` -> the lowest 3.x allowed; undefined when none is given. */
function lowerBound(specifiers: string): PythonTarget | undefined {
  const bounds: number[] = [];
  for (const specifier of specifiers.split(',')) {
    const match = /^\s*(>=|~=|==|>)\s*3\.(\d+)(?:\.(\d+|\*))?\s*$/.exec(specifier);
    if (match) {
      const minor = Number(match[2]);
      // `>3.10` excludes 3.10.0 only, yet 3.10.1 is still a 3.10: the target stays 3.10.
      bounds.push(minor);
    }
  }
  return bounds.length > 0 ? { major: 3, minor: Math.max(...bounds) } : undefined;
}

function readToml(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) {
    return undefined;
  }
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The Python target of the project, from its configuration files as the project has them (an unreadable one is left out). */
export async function readPythonTarget(project: ProjectFiles): Promise<PythonTarget> {
  const files = new Map<string, string>();
  for (const name of PYTHON_TARGET_SOURCES) {
    const source = await readSource(project, name).catch(() => undefined);
    if (source !== undefined) {
      files.set(name, source.text);
    }
  }
  return projectPythonTarget(files);
}
