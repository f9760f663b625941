/**
 * coverage.py (Debian python3-coverage) around processes that run generated Python: where their data goes,
 * and the combined line coverage of one file once they have all exited.
 *
 * Processes run `python -m coverage run --parallel-mode --data-file=DIR/.coverage`, so each writes its own
 * `DIR/.coverage.<host>.<pid>.<random>` when it exits cleanly (for uvicorn: on SIGINT, never SIGKILL).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadExeca } from './execa';

export interface FileCoverage {
  /** Executable statements and those that ran. */
  readonly statements: number;
  readonly covered: number;
  readonly percent: number;
  /** Line numbers of the statements that ran, and of those that never ran. */
  readonly executedLines: readonly number[];
  readonly missingLines: readonly number[];
}

/** The coverage of the statements on lines `from` to `to` (inclusive) only. */
export function coverageOfLines(coverage: FileCoverage, from: number, to: number): FileCoverage {
  const inRange = (line: number) => line >= from && line <= to;
  const executedLines = coverage.executedLines.filter(inRange);
  const missingLines = coverage.missingLines.filter(inRange);
  const statements = executedLines.length + missingLines.length;
  return {
    statements,
    covered: executedLines.length,
    percent: statements === 0 ? 100 : (100 * executedLines.length) / statements,
    executedLines,
    missingLines,
  };
}

/** Fails loudly, naming what to install, when `python` cannot run coverage.py. */
export async function requireCoverage(python: string): Promise<void> {
  const execa = await loadExeca();
  const probe = await execa(python, ['-c', 'import coverage'], { reject: false });
  if (probe.failed) {
    const why = probe.stderr.trim().split('\n').pop() || probe.shortMessage;
    throw new Error(
      `coverage.py is required to measure the generated module and ${python} cannot import it (${why}). ` +
        'Install it: apt-get install python3-coverage (elsewhere: pip install coverage).',
    );
  }
}

/** The parallel-mode data files written so far (one per cleanly exited process). */
export async function coverageDataFiles(dataFile: string): Promise<string[]> {
  const prefix = `${path.basename(dataFile)}.`;
  const entries = await readdir(path.dirname(dataFile));
  return entries.filter((name) => name.startsWith(prefix)).map((name) => path.join(path.dirname(dataFile), name));
}

interface CoverageJsonFile {
  summary: { num_statements: number; covered_lines: number; percent_covered: number };
  executed_lines: number[];
  missing_lines: number[];
}

/** Combines every process's data into `dataFile`; the coverage.py JSON report of the files under `include`. */
async function combinedReport(python: string, dataFile: string, include: string): Promise<Map<string, CoverageJsonFile>> {
  const execa = await loadExeca();
  const cwd = path.dirname(dataFile);
  await execa(python, ['-m', 'coverage', 'combine', `--data-file=${dataFile}`, ...(await coverageDataFiles(dataFile))], { cwd });
  const report = path.join(cwd, 'coverage.json');
  await execa(python, ['-m', 'coverage', 'json', `--data-file=${dataFile}`, `--include=${include}`, '-o', report], { cwd });
  const parsed = JSON.parse(await readFile(report, 'utf8')) as { files: Record<string, CoverageJsonFile> };
  return new Map(Object.entries(parsed.files).map(([file, entry]) => [path.resolve(cwd, file), entry]));
}

function fileCoverage(entry: CoverageJsonFile): FileCoverage {
  return {
    statements: entry.summary.num_statements,
    covered: entry.summary.covered_lines,
    percent: entry.summary.percent_covered,
    executedLines: entry.executed_lines,
    missingLines: entry.missing_lines,
  };
}

/** Combines every process's data into `dataFile` and returns the line coverage of `sourceFile`. */
export async function combinedCoverage(python: string, dataFile: string, sourceFile: string): Promise<FileCoverage> {
  const files = await combinedReport(python, dataFile, sourceFile);
  const entry = files.get(path.resolve(sourceFile));
  if (!entry) {
    throw new Error(`coverage.py recorded nothing for ${sourceFile}; files measured: ${[...files.keys()].join(', ') || 'none'}`);
  }
  return fileCoverage(entry);
}

export interface FolderCoverage {
  readonly statements: number;
  readonly covered: number;
  readonly percent: number;
  /** Each file's coverage, by its path relative to the folder (`tokens.py`, `protocols/ai_sdk.py`). */
  readonly files: ReadonlyMap<string, FileCoverage>;
}

/**
 * Combines every process's data into `dataFile` and returns the line coverage of the `expected` files under
 * `folder` (a generated package, paths relative to it), in total and per file. Every expected file must have
 * been imported: a file coverage.py never saw is an error, not 0% hidden in a total.
 */
export async function combinedFolderCoverage(python: string, dataFile: string, folder: string, expected: readonly string[]): Promise<FolderCoverage> {
  const report = await combinedReport(python, dataFile, `${path.resolve(folder)}/*`);
  const files = new Map<string, FileCoverage>();
  for (const relative of expected) {
    const entry = report.get(path.resolve(folder, relative));
    if (!entry) {
      throw new Error(`coverage.py recorded nothing for ${relative}; files measured: ${[...report.keys()].join(', ') || 'none'}`);
    }
    files.set(relative, fileCoverage(entry));
  }
  const statements = [...files.values()].reduce((sum, file) => sum + file.statements, 0);
  const covered = [...files.values()].reduce((sum, file) => sum + file.covered, 0);
  return { statements, covered, percent: statements === 0 ? 100 : (100 * covered) / statements, files };
}
