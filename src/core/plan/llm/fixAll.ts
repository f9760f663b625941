/**
 * `check --fix` for one file: applies the preferred fix of every fixable LLM finding, one at a time (each
 * fix re-reads the file it changed, so edits never go stale), and keeps a fix only when the result parses
 * with no more syntax errors than before.
 */
import { analyzePythonModule } from '../../python/analysis';
import { llmCallFindings } from '../../python/llm/findings';
import { applyTextEdits } from '../../workspace/textEdit';
import { findAnalyzedLlmCalls, fixesFor, type LlmFixOptions } from './planLlmFixes';

export interface FileFixResult {
  readonly text: string;
  readonly applied: ReadonlyArray<{ readonly title: string; readonly line: number }>;
  readonly refused: ReadonlyArray<{ readonly line: number; readonly reason: string }>;
  /** Names the fixed file now imports from the streaming module. */
  readonly streamingNames: readonly string[];
}

export async function fixLlmCalls(source: string, options: LlmFixOptions): Promise<FileFixResult> {
  let text = source;
  const applied: Array<{ title: string; line: number }> = [];
  let refused: Array<{ line: number; reason: string }> = [];
  const streamingNames = new Set<string>();
  // Each round fixes one call and starts over on the new text; the last round (no fix left) lists the refusals.
  for (let round = 0; round < 100; round++) {
    refused = [];
    const analysis = await analyzePythonModule(text);
    let next: { text: string; title: string; line: number; names: readonly string[] } | undefined;
    try {
      const calls = findAnalyzedLlmCalls(analysis);
      const errorsBefore = analysis.syntaxErrors.length;
      for (const finding of llmCallFindings(calls, options.sharedNames)) {
        const call = finding.call!;
        const line = call.node.startPosition.row + 1;
        const plan = fixesFor(call, calls, analysis, options);
        const fix = plan.fixes.find((f) => (finding.code === 'llm-not-streamed' ? f.kind === 'stream' : f.kind === 'async-client'));
        if (!fix) {
          const reason = plan.refused.find((r) => (finding.code === 'llm-not-streamed' ? r.kind === 'stream' : r.kind === 'async-client'))?.reason;
          refused.push({ line, reason: reason ?? 'no fix applies' });
          continue;
        }
        const candidate = applyTextEdits(text, fix.edits);
        const check = await analyzePythonModule(candidate);
        const errorsAfter = check.syntaxErrors.length;
        check.dispose();
        if (errorsAfter > errorsBefore) {
          refused.push({ line, reason: 'the fixed code would not parse' });
          continue;
        }
        next = { text: candidate, title: fix.title, line, names: fix.streamingNames };
        break;
      }
    } finally {
      analysis.dispose();
    }
    if (!next) {
      break;
    }
    text = next.text;
    applied.push({ title: next.title, line: next.line });
    next.names.forEach((n) => streamingNames.add(n));
  }
  return { text, applied, refused, streamingNames: [...streamingNames].sort() };
}
