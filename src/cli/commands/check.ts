/**
 * `catalyst-streaming check [PATH...] [--json] [--fix]`: lists LLM calls that do not stream and SSE setups
 * that buffer, as file:line:col, and exits 1 when it finds any (so a project's CI can run it).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FileChange } from '../../core/workspace/fileChange';
import { FINDING_CODES, type FindingCode, type ProjectFacts } from '../../core/python/llm/findings';
import { WorkspaceDetection } from '../../core/python/llm/workspaceDetection';
import { isVersionSource, packageVersion } from '../../core/python/projectVersions';
import { PythonWorkspace } from '../../core/python/workspace';
import type { FrameworkProvider } from '../../core/python/llm/frameworks';
import type { LlmProvider } from '../../core/python/llm/sdks';
import { fixLlmCalls } from '../../core/plan/llm/fixAll';
import type { FixStyle } from '../../core/plan/llm/streamCall';
import { streamingModuleTarget } from '../../core/plan/llm/streamingModuleTarget';
import { decideStreamingModule } from '../../core/plan/streamingModule';
import { applyChanges, ApplyError } from '../../core/workspace/applyChanges';
import { nodeFileSystem } from '../../core/workspace/fileSystem';
import { MAX_PYTHON_FILES } from '../../core/workspace/readWorkspace';
import { decodeSource } from '../../core/workspace/sourceEncoding';
import { CliError, parseCommandLine, USAGE_ERROR, type CliCommand, type CliIo } from '../cli';

/**
 * Larger Python files are generated, not written: analysing one costs over 100 times its size in syntax tree
 * and analysis (a 9.8 MB file took 2 GB; 1.9 MB, 290 MB), so it is skipped with a note instead.
 */
export const MAX_ANALYSED_BYTES = 1024 * 1024;

const help = `Usage: catalyst-streaming check [PATH...] [--json] [--fix [--fix-style rewrite|sibling]]

Checks Python files (PATHs are files or folders, searched recursively; default: the current folder)
for LLM calls that do not stream and Server-Sent Events that get buffered.

Codes:
${Object.entries(FINDING_CODES)
  .map(([code, description]) => `  ${code.padEnd(24)}${description}`)
  .join('\n')}

Options:
  --json                 print one JSON array of findings:
                         [{"file", "line", "column", "code", "message", "provider"}]
                         (file relative to the current folder; line and column 1-based, of the call;
                         provider "anthropic", "openai", "groq", "litellm", "langchain", or null)
  --fix                  apply the quick fixes (llm-not-streamed, llm-sync-client), creating or updating
                         streaming.py next to each fixed file, then report what is left
  --fix-style STYLE      rewrite: the route handler streams (default); sibling: add a streaming route beside it
  -h, --help             show this help

A file that cannot be analysed (larger than ${MAX_ANALYSED_BYTES / 1024 / 1024} MB, nested too deeply) is skipped with the reason
on stderr; the others are still checked. A folder with more than ${MAX_PYTHON_FILES} Python files is refused: name the
folders to check instead.

Exit status: 0 no problems, 1 problems found (after --fix: problems left), 2 bad command line.
`;

/** Folders never searched: environments, caches, build output, version control. */
const SKIPPED_FOLDERS = new Set(['node_modules', '__pycache__', 'site-packages', 'venv', 'env', 'build', 'dist']);

export interface JsonFinding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly code: FindingCode;
  readonly message: string;
  readonly provider: LlmProvider | FrameworkProvider | null;
}

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'find LLM calls that do not stream and SSE responses that get buffered',
  async run(args, io) {
    const { values, positionals } = parseCommandLine(
      'check',
      args,
      {
        json: { type: 'boolean' },
        fix: { type: 'boolean' },
        'fix-style': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      true,
    );
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    const style = values['fix-style'] ?? 'rewrite';
    if (style !== 'rewrite' && style !== 'sibling') {
      throw new CliError(`--fix-style must be "rewrite" or "sibling", got "${style}"`, USAGE_ERROR);
    }
    if (values['fix-style'] !== undefined && !values.fix) {
      throw new CliError('--fix-style only applies with --fix', USAGE_ERROR);
    }
    const files = await pythonFiles(positionals.length > 0 ? positionals : ['.'], io.cwd);
    const skipped = new Set<string>();
    const skip = (file: string, reason: string) => {
      if (!skipped.has(file)) {
        skipped.add(file);
        io.stderr(`${shownPath(file, io.cwd)}: skipped: ${reason}\n`);
      }
    };
    if (values.fix) {
      for (const file of files) {
        await perFile(file, skip, () => fixFile(file, style, io));
      }
    }
    const findings = await checkFiles(files, io.cwd, skip);
    if (values.json) {
      io.stdout(`${JSON.stringify(findings, null, 2)}\n`);
    } else {
      for (const f of findings) {
        io.stdout(`${f.file}:${f.line}:${f.column}: ${f.code} ${f.message}\n`);
      }
      const fileCount = new Set(findings.map((f) => f.file)).size;
      io.stderr(
        findings.length === 0
          ? `No problems in ${files.length - skipped.size} Python file${files.length - skipped.size === 1 ? '' : 's'}${skipped.size > 0 ? ` (${skipped.size} skipped)` : ''}.\n`
          : `${findings.length} problem${findings.length === 1 ? '' : 's'} in ${fileCount} file${fileCount === 1 ? '' : 's'}${skipped.size > 0 ? ` (${skipped.size} file${skipped.size === 1 ? '' : 's'} skipped)` : ''}.\n`,
      );
    }
    return findings.length > 0 ? 1 : 0;
  },
};

/**
 * Runs one file's step; a file that cannot be analysed is skipped with its reason, so one odd file never
 * stops the run (or empties --json). Anything else is a bug and propagates.
 */
async function perFile<T>(file: string, skip: (file: string, reason: string) => void, step: () => Promise<T>): Promise<T | undefined> {
  try {
    const size = (await stat(file)).size;
    if (size > MAX_ANALYSED_BYTES) {
      skip(file, `${(size / 1024 / 1024).toFixed(1)} MB is larger than the ${MAX_ANALYSED_BYTES / 1024 / 1024} MB checked per file (generated code?)`);
      return undefined;
    }
    return await step();
  } catch (error) {
    if (error instanceof RangeError) {
      // The syntax tree is deeper than the analysis can walk (thousands of nested brackets).
      skip(file, 'nested too deeply to analyse');
      return undefined;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EISDIR' || code === 'ENOENT') {
      skip(file, `cannot be read (${code})`);
      return undefined;
    }
    throw error;
  }
}

function shownPath(file: string, cwd: string): string {
  return path.relative(cwd, file).split(path.sep).join('/') || path.basename(file);
}

async function pythonFiles(paths: readonly string[], cwd: string): Promise<string[]> {
  const found: string[] = [];
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    if (!existsSync(absolute)) {
      throw new CliError(`no such file or folder: ${given}`, USAGE_ERROR);
    }
    if ((await stat(absolute)).isDirectory()) {
      const before = found.length;
      await walk(absolute, found);
      if (found.length - before > MAX_PYTHON_FILES) {
        throw new CliError(
          `${given} holds more than ${MAX_PYTHON_FILES} Python files (found ${found.length - before}), which looks like more than one project or an environment; check the project's own folders instead: catalyst-streaming check PATH...`,
        );
      }
    } else {
      found.push(absolute);
    }
  }
  return [...new Set(found)].sort();
}

async function walk(folder: string, found: string[]): Promise<void> {
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) {
        await walk(full, found);
      }
    } else if (entry.isFile() && entry.name.endsWith('.py')) {
      found.push(full);
    }
  }
}

/**
 * Checks the files as one workspace, so calls are followed across modules: the files are read (as Python
 * reads them: BOM, coding cookie, or one character per byte for undeclared non-UTF-8 bytes), then each
 * file's findings are worked out with every other file known.
 */
async function checkFiles(files: readonly string[], cwd: string, skip: (file: string, reason: string) => void): Promise<JsonFinding[]> {
  const root = workspaceRoot(files);
  const texts = new Map<string, string>();
  const absoluteOf = new Map<string, string>();
  for (const file of files) {
    const text = await perFile(file, skip, async () => decodeSource(await readFile(file)).text);
    if (text !== undefined) {
      const relative = path.relative(root, file).split(path.sep).join('/');
      texts.set(relative, text);
      absoluteOf.set(relative, file);
    }
  }
  const workspace = new PythonWorkspace(texts);
  const detection = new WorkspaceDetection(workspace, await projectFacts(root));
  try {
    const findings: JsonFinding[] = [];
    for (const [relative, file] of absoluteOf) {
      const shown = shownPath(file, cwd);
      const found = await perFile(file, skip, async () =>
        (await detection.findings(relative)).map((finding) => ({
          file: shown,
          line: finding.node.startPosition.row + 1,
          // tree-sitter columns count UTF-16 code units here (see analysis.ts); editors count characters the same way.
          column: finding.node.startPosition.column + 1,
          code: finding.code,
          message: finding.message,
          provider: finding.provider,
        })),
      );
      findings.push(...(found ?? []));
    }
    return findings;
  } finally {
    workspace.dispose();
  }
}

/**
 * The folder module names are relative to: the files' common folder, raised above any package it is in
 * (`check app/` on a package `app` still knows `app.services`).
 */
function workspaceRoot(files: readonly string[]): string {
  let root = files.length === 0 ? '.' : path.dirname(files[0]!);
  for (const file of files) {
    while (!(file + path.sep).startsWith(root + path.sep) && path.dirname(root) !== root) {
      root = path.dirname(root);
    }
  }
  while (existsSync(path.join(root, '__init__.py')) && path.dirname(root) !== root) {
    root = path.dirname(root);
  }
  return root;
}

/**
 * The Starlette version the project pins: the nearest folder at or above `root` holding a lock,
 * requirements or pyproject file (not above a repository's root).
 */
async function projectFacts(root: string): Promise<ProjectFacts> {
  for (let folder = root; ; folder = path.dirname(folder)) {
    const entries = await readdir(folder).catch(() => [] as string[]);
    const sources = entries.filter(isVersionSource);
    if (sources.length > 0) {
      const texts = new Map<string, string>();
      for (const name of sources) {
        texts.set(name, await readFile(path.join(folder, name), 'utf8').catch(() => ''));
      }
      const starlette = packageVersion(texts, 'starlette');
      return starlette ? { starlette } : {};
    }
    if (entries.includes('.git') || path.dirname(folder) === folder) {
      return {};
    }
  }
}

/**
 * Applies the fixes to one file and writes it and the streaming module it now imports from, both or neither
 * (the same all-or-nothing write as add-endpoint: read-only files, changed files and links out are refused).
 */
async function fixFile(file: string, style: FixStyle, io: CliIo): Promise<void> {
  const { text: source, encoding } = decodeSource(await readFile(file));
  const shown = shownPath(file, io.cwd);
  if (encoding.notWritable !== undefined) {
    io.stderr(`${shown}: not fixed: ${encoding.notWritable}\n`);
    return;
  }
  const target = streamingModuleTarget(file, existsSync);
  const result = await fixLlmCalls(source, { style, streamingImport: target.importModule });
  for (const refusal of result.refused) {
    io.stderr(`${shown}:${refusal.line}: not fixed: ${refusal.reason}\n`);
  }
  if (result.applied.length === 0) {
    return;
  }
  const folder = path.dirname(file);
  const relative = (absolute: string) => path.relative(folder, absolute).split(path.sep).join('/');
  const changes: FileChange[] = [];
  let moduleNote: string | undefined;
  if (result.streamingNames.length > 0) {
    const existing = existsSync(target.file) ? decodeSource(await readFile(target.file)).text : undefined;
    const eol = source.includes('\r\n') ? '\r\n' : '\n';
    const decision = await decideStreamingModule(target.file, existing, eol, result.streamingNames);
    if (decision.action === 'refuse') {
      io.stderr(`${shown}: not fixed: ${decision.message}\n`);
      return;
    }
    if (decision.action === 'create' || decision.action === 'update') {
      changes.push({
        path: relative(target.file),
        kind: decision.action,
        ...(existing === undefined ? {} : { before: existing }),
        after: decision.text,
        edits: [],
        description: 'the streaming module',
      });
      moduleNote = `${decision.action === 'create' ? 'Created' : 'Updated'} ${shownPath(target.file, io.cwd)}`;
    }
  }
  changes.push({ path: relative(file), kind: 'modify', before: source, after: result.text, edits: [], description: 'LLM calls streamed' });
  try {
    await applyChanges(folder, changes, nodeFileSystem);
  } catch (error) {
    if (error instanceof ApplyError) {
      io.stderr(`${shown}: not fixed: ${error.message}\n`);
      return;
    }
    throw error;
  }
  if (moduleNote !== undefined) {
    io.stderr(`${moduleNote}\n`);
  }
  for (const fix of result.applied) {
    io.stderr(`${shown}:${fix.line}: fixed: ${fix.title}\n`);
  }
}
