/**
 * `catalyst-streaming check [PATH...] [--json] [--fix]`: lists LLM calls that do not stream and SSE setups
 * that buffer, as file:line:col, and exits 1 when it finds any (so a project's CI can run it).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { analyzePythonModule } from '../../core/python/analysis';
import { FINDING_CODES, moduleFindings, type FindingCode } from '../../core/python/llm/findings';
import type { LlmProvider } from '../../core/python/llm/sdks';
import { fixLlmCalls } from '../../core/plan/llm/fixAll';
import { findAnalyzedLlmCalls } from '../../core/plan/llm/planLlmFixes';
import type { FixStyle } from '../../core/plan/llm/streamCall';
import { streamingModuleTarget } from '../../core/plan/llm/streamingModuleTarget';
import { decideStreamingModule } from '../../core/plan/streamingModule';
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
                         provider "anthropic", "openai", "groq", or null)
  --fix                  apply the quick fixes (llm-not-streamed, llm-sync-client), creating or updating
                         streaming.py next to each fixed file, then report what is left
  --fix-style STYLE      rewrite: the route handler streams (default); sibling: add a streaming route beside it
  -h, --help             show this help

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
  readonly provider: LlmProvider | null;
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
    if (values.fix) {
      for (const file of files) {
        await fixFile(file, style, io);
      }
    }
    const findings: JsonFinding[] = [];
    for (const file of files) {
      findings.push(...(await checkFile(file, io.cwd)));
    }
    if (values.json) {
      io.stdout(`${JSON.stringify(findings, null, 2)}\n`);
    } else {
      for (const f of findings) {
        io.stdout(`${f.file}:${f.line}:${f.column}: ${f.code} ${f.message}\n`);
      }
      const fileCount = new Set(findings.map((f) => f.file)).size;
      io.stderr(
        findings.length === 0
          ? `No problems in ${files.length} Python file${files.length === 1 ? '' : 's'}.\n`
          : `${findings.length} problem${findings.length === 1 ? '' : 's'} in ${fileCount} file${fileCount === 1 ? '' : 's'}.\n`,
      );
    }
    return findings.length > 0 ? 1 : 0;
  },
};

async function pythonFiles(paths: readonly string[], cwd: string): Promise<string[]> {
  const found: string[] = [];
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    if (!existsSync(absolute)) {
      throw new CliError(`no such file or folder: ${given}`, USAGE_ERROR);
    }
    if ((await stat(absolute)).isDirectory()) {
      await walk(absolute, found);
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

async function checkFile(file: string, cwd: string): Promise<JsonFinding[]> {
  const source = await readFile(file, 'utf8');
  const analysis = await analyzePythonModule(source);
  try {
    const shown = path.relative(cwd, file).split(path.sep).join('/') || path.basename(file);
    return moduleFindings(analysis, findAnalyzedLlmCalls(analysis)).map((finding) => ({
      file: shown,
      line: finding.node.startPosition.row + 1,
      // tree-sitter columns count UTF-16 code units here (see analysis.ts); editors count characters the same way.
      column: finding.node.startPosition.column + 1,
      code: finding.code,
      message: finding.message,
      provider: finding.provider,
    }));
  } finally {
    analysis.dispose();
  }
}

/** Applies the fixes to one file and writes it, and the streaming module it now imports from. */
async function fixFile(file: string, style: FixStyle, io: CliIo): Promise<void> {
  const source = await readFile(file, 'utf8');
  const target = streamingModuleTarget(file, existsSync);
  const result = await fixLlmCalls(source, { style, streamingImport: target.importModule });
  const shown = path.relative(io.cwd, file) || file;
  for (const refusal of result.refused) {
    io.stderr(`${shown}:${refusal.line}: not fixed: ${refusal.reason}\n`);
  }
  if (result.applied.length === 0) {
    return;
  }
  if (result.streamingNames.length > 0) {
    const existing = existsSync(target.file) ? await readFile(target.file, 'utf8') : undefined;
    const eol = source.includes('\r\n') ? '\r\n' : '\n';
    const decision = await decideStreamingModule(target.file, existing, eol, result.streamingNames);
    if (decision.action === 'refuse') {
      io.stderr(`${shown}: not fixed: ${decision.message}\n`);
      return;
    }
    if (decision.action === 'create' || decision.action === 'update') {
      await writeFile(target.file, decision.text, 'utf8');
      io.stderr(`${decision.action === 'create' ? 'Created' : 'Updated'} ${path.relative(io.cwd, target.file) || target.file}\n`);
    }
  }
  await writeFile(file, result.text, 'utf8');
  for (const fix of result.applied) {
    io.stderr(`${shown}:${fix.line}: fixed: ${fix.title}\n`);
  }
}
