/**
 * The check use case, for `catalyst-streaming check` and the editor's diagnostics alike: the project's Python
 * files are analysed as one workspace, so calls are followed across modules (a route in one file reaching an
 * LLM call in another), and every finding code (`llm-*`, `sse-*`) is reported. Both shells show exactly this.
 *
 *   await checkProject(project, ['app/main.py', 'app/llm.py'])
 *     -> { findings: [{ file: 'app/llm.py', line: 12, column: 5, code: 'llm-not-streamed', ... }], skipped: [] }
 */
import path from 'node:path';
import { FINDING_CODES, type Finding, type FindingCode, type ProjectFacts } from '../python/llm/findings';
import type { FrameworkProvider } from '../python/llm/frameworks';
import type { LlmProvider } from '../python/llm/sdks';
import { WorkspaceDetection } from '../python/llm/workspaceDetection';
import { isVersionSource, packageVersion } from '../python/projectVersions';
import { PythonWorkspace } from '../python/workspace';
import type { ProjectFiles } from '../workspace/projectFiles';
import { decodeSource } from '../workspace/sourceEncoding';

export { FINDING_CODES, type FindingCode };

/**
 * Larger Python files are generated, not written: analysing one costs over 100 times its size in syntax tree
 * and analysis (a 9.8 MB file took 2 GB; 1.9 MB, 290 MB), so it is skipped with a note instead.
 */
export const MAX_ANALYSED_BYTES = 1024 * 1024;

export interface CheckFinding {
  /** Project-relative, `/`-separated. */
  readonly file: string;
  /** 1-based, of the call. tree-sitter columns count UTF-16 code units here, as editors do. */
  readonly line: number;
  readonly column: number;
  /** Where an editor underlines it: UTF-16 offsets into the file's text. */
  readonly start: number;
  readonly end: number;
  readonly code: FindingCode;
  readonly message: string;
  /** The message with `{0}`-style placeholders, and their values, for an editor to localise. */
  readonly template: string;
  readonly templateArguments: readonly string[];
  readonly provider: LlmProvider | FrameworkProvider | null;
}

export interface SkippedFile {
  readonly file: string;
  readonly reason: string;
}

export interface CheckOutcome {
  /** In file order, then position. */
  readonly findings: readonly CheckFinding[];
  /** Files that could not be analysed, with why; the others are still checked. */
  readonly skipped: readonly SkippedFile[];
}

/** Checks `files` (project-relative) as one workspace; `facts` default to what the project's lock/requirements files pin. */
export async function checkProject(project: ProjectFiles, files: readonly string[], facts?: ProjectFacts): Promise<CheckOutcome> {
  const skipped: SkippedFile[] = [];
  const texts = await readAnalysableFiles(project, files, skipped);
  const workspace = new PythonWorkspace(texts);
  const detection = new WorkspaceDetection(workspace, facts ?? (await projectFacts(project)));
  try {
    const findings: CheckFinding[] = [];
    for (const file of texts.keys()) {
      const found = await perFile(file, skipped, async () => (await detection.findings(file)).map((finding) => checkFinding(file, finding)));
      findings.push(...(found ?? []));
    }
    return { findings, skipped };
  } finally {
    workspace.dispose();
  }
}

/**
 * Per file, its top-level names other files of `files` import (`from app.llm import client`): the fixes leave
 * a client reached that way as it is (see asyncClientRefusal), since its callers elsewhere would have to change too.
 */
export async function importedNamesByFile(project: ProjectFiles, files: readonly string[]): Promise<ReadonlyMap<string, ReadonlySet<string>>> {
  const texts = await readAnalysableFiles(project, files, []);
  const workspace = new PythonWorkspace(texts);
  const detection = new WorkspaceDetection(workspace);
  try {
    const names = new Map<string, ReadonlySet<string>>();
    for (const file of texts.keys()) {
      names.set(file, await detection.importedNames(file));
    }
    return names;
  } finally {
    workspace.dispose();
  }
}

async function readAnalysableFiles(project: ProjectFiles, files: readonly string[], skipped: SkippedFile[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const file of files) {
    const text = await perFile(file, skipped, () => readAnalysable(project, file));
    if (text !== undefined) {
      texts.set(file, text);
    }
  }
  return texts;
}

function checkFinding(file: string, finding: Finding): CheckFinding {
  return {
    file,
    line: finding.node.startPosition.row + 1,
    column: finding.node.startPosition.column + 1,
    start: finding.node.startIndex,
    end: finding.highlightEnd,
    code: finding.code,
    message: finding.message,
    template: finding.template,
    templateArguments: finding.templateArguments,
    provider: finding.provider,
  };
}

/**
 * Runs one file's step; a file that cannot be analysed is skipped with its reason, so one odd file never
 * stops the run. Anything else is a bug and propagates.
 */
export async function perFile<T>(file: string, skipped: SkippedFile[], step: () => Promise<T>): Promise<T | undefined> {
  const skip = (reason: string) => {
    if (!skipped.some((s) => s.file === file)) {
      skipped.push({ file, reason });
    }
    return undefined;
  };
  try {
    return await step();
  } catch (error) {
    if (error instanceof FileTooLargeError) {
      return skip(error.message);
    }
    if (error instanceof RangeError) {
      // The syntax tree is deeper than the analysis can walk (thousands of nested brackets).
      return skip('nested too deeply to analyse');
    }
    const code = (error as { code?: unknown }).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EISDIR' || code === 'ENOENT') {
      return skip(`cannot be read (${code})`);
    }
    throw error;
  }
}

/** A file over MAX_ANALYSED_BYTES, refused before it is parsed. */
export class FileTooLargeError extends Error {
  constructor(size: number) {
    super(`${(size / 1024 / 1024).toFixed(1)} MB is larger than the ${MAX_ANALYSED_BYTES / 1024 / 1024} MB checked per file (generated code?)`);
    this.name = 'FileTooLargeError';
  }
}

/** The file's text as the project has it (see projectFiles.ts readSource), refusing one too large to analyse. */
async function readAnalysable(project: ProjectFiles, file: string): Promise<string> {
  const open = project.openText?.(file);
  const bytes = open === undefined ? await project.readFile(file) : undefined;
  const size = open?.length ?? bytes?.length;
  if (size === undefined) {
    throw Object.assign(new Error(`${file} is gone`), { code: 'ENOENT' });
  }
  if (size > MAX_ANALYSED_BYTES) {
    throw new FileTooLargeError(size);
  }
  return open ?? decodeSource(bytes!).text;
}

/**
 * The Starlette version the project pins: the nearest folder at or above the project's root holding a lock,
 * requirements or pyproject file (not above a repository's root).
 */
export async function projectFacts(project: ProjectFiles): Promise<ProjectFacts> {
  for (let up = ''; ; up = up === '' ? '..' : `${up}/..`) {
    const entries = (await project.readDirectory(up).catch(() => [])).map((entry) => entry.name);
    const sources = entries.filter(isVersionSource);
    if (sources.length > 0) {
      const texts = new Map<string, string>();
      for (const name of sources) {
        const bytes = await project.readFile(up === '' ? name : `${up}/${name}`).catch(() => undefined);
        texts.set(name, bytes === undefined ? '' : new TextDecoder().decode(bytes));
      }
      const starlette = packageVersion(texts, 'starlette');
      return starlette ? { starlette } : {};
    }
    const folder = path.resolve(project.root, up);
    if (entries.includes('.git') || path.dirname(folder) === folder) {
      return {};
    }
  }
}
