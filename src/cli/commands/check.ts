/**
 * `catalyst-streaming check [PATH...] [--json] [--fix]`: lists LLM calls that do not stream and SSE setups
 * that buffer, as file:line:col, and exits 1 when it finds any (so a project's CI can run it).
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  checkProject,
  FileTooLargeError,
  FINDING_CODES,
  importedNamesByFile,
  MAX_ANALYSED_BYTES,
  perFile,
  type CheckFinding,
  type FindingCode,
  type SkippedFile,
} from '../../core/app/check';
import { fixFile, type QuickFixOptions } from '../../core/app/quickFix';
import type { FrameworkProvider } from '../../core/python/llm/frameworks';
import type { LlmProvider } from '../../core/python/llm/sdks';
import { applyChanges, ApplyError } from '../../core/workspace/applyChanges';
import { nodeFileSystem } from '../../core/workspace/fileSystem';
import { listPythonFiles, MAX_PYTHON_FILES, nodeProjectFiles } from '../../core/workspace/projectFiles';
import { CliError, parseCommandLine, USAGE_ERROR, type CliCommand, type CliIo } from '../cli';

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
    const root = workspaceRoot(files);
    const project = nodeProjectFiles(root);
    const relative = files.map((file) => path.relative(root, file).split(path.sep).join('/'));
    const reported = new Set<string>();
    const report = (skipped: readonly SkippedFile[]) => {
      for (const { file, reason } of skipped) {
        if (!reported.has(file)) {
          reported.add(file);
          io.stderr(`${shownPath(path.join(root, file), io.cwd)}: skipped: ${reason}\n`);
        }
      }
    };
    if (values.fix) {
      // Read once before any fix: a fix adds imports of the streaming package only, never of the project's names.
      const imported = await importedNamesByFile(project, relative);
      for (const file of relative) {
        const skipped: SkippedFile[] = [];
        await perFile(file, skipped, () => fixOne(root, file, { style, sharedNames: imported.get(file) ?? new Set() }, io));
        report(skipped);
      }
    }
    const outcome = await checkProject(project, relative);
    report(outcome.skipped);
    const skipped = reported;
    const findings = outcome.findings.map((finding) => jsonFinding(finding, root, io.cwd));
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
      const inFolder = await listPythonFiles(nodeProjectFiles(absolute));
      found.push(...inFolder.map((file) => path.join(absolute, ...file.split('/'))));
      if (inFolder.length > MAX_PYTHON_FILES) {
        throw new CliError(
          `${given} holds more than ${MAX_PYTHON_FILES} Python files (found ${inFolder.length}), which looks like more than one project or an environment; check the project's own folders instead: catalyst-streaming check PATH...`,
        );
      }
    } else {
      found.push(absolute);
    }
  }
  return [...new Set(found)].sort();
}

/** A finding as `--json` prints it: the file relative to the current folder. */
function jsonFinding(finding: CheckFinding, root: string, cwd: string): JsonFinding {
  const { line, column, code, message, provider } = finding;
  return { file: shownPath(path.join(root, ...finding.file.split('/')), cwd), line, column, code, message, provider };
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
 * Applies the fixes to one file and writes it and the streaming module it now imports from, both or neither
 * (the same all-or-nothing write as add-endpoint: read-only files, changed files and links out are refused).
 */
async function fixOne(root: string, file: string, options: QuickFixOptions, io: CliIo): Promise<void> {
  const absolute = path.join(root, ...file.split('/'));
  const size = (await stat(absolute)).size;
  if (size > MAX_ANALYSED_BYTES) {
    throw new FileTooLargeError(size);
  }
  const shown = shownPath(absolute, io.cwd);
  const outcome = await fixFile(nodeProjectFiles(root), file, options);
  for (const refusal of outcome.refused) {
    io.stderr(`${shown}:${refusal.line}: not fixed: ${refusal.reason}\n`);
  }
  if (outcome.status === 'not-fixed') {
    io.stderr(`${shown}: not fixed: ${outcome.message}\n`);
    return;
  }
  if (outcome.status === 'unchanged') {
    return;
  }
  try {
    await applyChanges(root, outcome.changes, nodeFileSystem);
  } catch (error) {
    if (error instanceof ApplyError) {
      io.stderr(`${shown}: not fixed: ${error.message}\n`);
      return;
    }
    throw error;
  }
  const moduleNote = [
    ...outcome.generated.map(
      (change) => `${change.kind === 'create' ? 'Created' : 'Updated'} ${shownPath(path.join(root, ...change.path.split('/')), io.cwd)}`,
    ),
    ...outcome.notes,
  ];
  if (moduleNote.length > 0) {
    io.stderr(`${moduleNote.join('\n')}\n`);
  }
  for (const fix of outcome.applied) {
    io.stderr(`${shown}:${fix.line}: fixed: ${fix.title}\n`);
  }
}
