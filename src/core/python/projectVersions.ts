/**
 * Which version of a Python package a project runs, read from the files that pin it: `uv.lock`,
 * `poetry.lock`, `requirements*.txt`, `pyproject.toml` (PEP 621 `dependencies`, Poetry's table). Locks give
 * the exact version; requirements and pyproject often only a lower bound (`>=`, `~=`, `^`), which is all
 * some questions need ("is it at least 0.46?"). Pure: file names and texts in, facts out.
 */
import { parse as parseToml } from 'smol-toml';
import { normalisePackageName as normalise, requirementName } from '../workspace/dependencies';

export interface PackageVersion {
  /** exact: `==` or a lock; at-least: the lower bound of a range. */
  readonly kind: 'exact' | 'at-least';
  readonly version: string;
  /** The file it was read from, as given. */
  readonly source: string;
}

/** The files read, best source first (a lock says what is installed; a requirement what may be). */
export function isVersionSource(fileName: string): boolean {
  return sourceRank(fileName) < Number.POSITIVE_INFINITY;
}

function sourceRank(fileName: string): number {
  const base = fileName.split('/').pop() ?? fileName;
  if (base === 'uv.lock') return 0;
  if (base === 'poetry.lock') return 1;
  if (base === 'pdm.lock') return 2;
  if (/^requirements.*\.txt$/.test(base)) return 3;
  if (base === 'pyproject.toml') return 4;
  return Number.POSITIVE_INFINITY;
}

/** The version of `name` the project pins; undefined when no file says (or a file cannot be read). */
export function packageVersion(files: ReadonlyMap<string, string>, name: string): PackageVersion | undefined {
  const wanted = normalise(name);
  const ordered = [...files.keys()].filter(isVersionSource).sort((a, b) => sourceRank(a) - sourceRank(b) || (a < b ? -1 : 1));
  for (const file of ordered) {
    const text = files.get(file)!;
    const base = file.split('/').pop()!;
    const found = base.endsWith('.lock') ? fromLock(text, wanted) : base === 'pyproject.toml' ? fromPyproject(text, wanted) : fromRequirements(text, wanted);
    if (found) {
      return { ...found, source: file };
    }
  }
  return undefined;
}

type Found = Omit<PackageVersion, 'source'>;

function fromLock(text: string, name: string): Found | undefined {
  const packages = readToml(text)?.['package'];
  for (const entry of Array.isArray(packages) ? packages : []) {
    const record = entry as Record<string, unknown>;
    if (typeof record['name'] === 'string' && normalise(record['name']) === name && typeof record['version'] === 'string') {
      return { kind: 'exact', version: record['version'] };
    }
  }
  return undefined;
}

function fromPyproject(text: string, name: string): Found | undefined {
  const toml = readToml(text);
  const project = toml?.['project'] as Record<string, unknown> | undefined;
  const groups = [project?.['dependencies'], ...Object.values((project?.['optional-dependencies'] as Record<string, unknown> | undefined) ?? {})];
  for (const list of groups) {
    for (const requirement of Array.isArray(list) ? list : []) {
      const found = typeof requirement === 'string' ? fromRequirementLine(requirement, name) : undefined;
      if (found) {
        return found;
      }
    }
  }
  const poetry = ((toml?.['tool'] as Record<string, unknown> | undefined)?.['poetry'] as Record<string, unknown> | undefined)?.['dependencies'];
  for (const [key, value] of Object.entries((poetry as Record<string, unknown> | undefined) ?? {})) {
    if (normalise(key) === name) {
      const constraint = typeof value === 'string' ? value : (value as Record<string, unknown> | undefined)?.['version'];
      return typeof constraint === 'string' ? fromSpecifier(constraint) : undefined;
    }
  }
  return undefined;
}

function fromRequirements(text: string, name: string): Found | undefined {
  // Continuation lines (`\` then `--hash=...`) only add hashes; the requirement is on the first line.
  for (const raw of text.split(/\r?\n/)) {
    const found = fromRequirementLine(raw, name);
    if (found) {
      return found;
    }
  }
  return undefined;
}

/** One PEP 508 requirement: `starlette[full]==0.45.3 ; python_version >= "3.9"  # comment`. */
function fromRequirementLine(line: string, name: string): Found | undefined {
  // Up to the first comment or environment marker, without a line continuation.
  const requirement = line
    .replace(/[#;][\s\S]*$/, '')
    .replace(/\\\s*$/, '')
    .trim();
  const head = requirementName(requirement);
  if (head === undefined || requirement.startsWith('-') || normalise(head) !== name) {
    return undefined;
  }
  const rest = requirement.slice(head.length).replace(/^\s*\[[^\]]*\]/, '');
  return fromSpecifier(rest.replace(/[()]/g, ''));
}

/** `==1.2`, `>=0.46,<1`, `~=0.46.1`, `^0.46` (Poetry): exact, or the lower bound. */
function fromSpecifier(specifier: string): Found | undefined {
  for (const clause of specifier.split(',').map((c) => c.trim())) {
    const match = /^(===|==|>=|~=|\^|>)?\s*v?(\d+(?:\.\d+)*)(\.\*)?/.exec(clause);
    if (!match) {
      continue;
    }
    const [, operator = '==', version = ''] = match;
    if ((operator === '==' || operator === '===') && match[3] === undefined) {
      return { kind: 'exact', version };
    }
    if (operator !== '>') {
      return { kind: 'at-least', version };
    }
  }
  return undefined;
}

function readToml(text: string): Record<string, unknown> | undefined {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Compares dotted release numbers (`0.46.0` vs `0.46`): negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) {
      return d;
    }
  }
  return 0;
}

/** Whether the pinned version is known to be at least `minimum`. */
export function atLeast(found: PackageVersion | undefined, minimum: string): boolean {
  return found !== undefined && compareVersions(found.version, minimum) >= 0;
}
