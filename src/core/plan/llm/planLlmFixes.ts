/**
 * The quick fixes for one LLM call, as text edits against the module's source:
 *   - "Stream this LLM call as an SSE endpoint" (streamCall.ts), for a non-streaming call in a route handler;
 *   - "Use the async client" (asyncClient.ts), for a sync client called inside `async def`.
 * Each fix also says which names it imports from the generated streaming package (the caller writes its
 * files with fixStreamingCode.ts). A fix that cannot be made safely is listed in `refused`
 * with the reason, never half-made. Once applied, a fix is not offered again: the call then streams, or
 * its client is async.
 */
import { isPythonImportName } from '../../codegen/escape';
import { analyzePythonModule, type ModuleAnalysis } from '../../python/analysis';
import { planImports, type ImportRequest } from '../../python/importEdit';
import { findLlmCalls, type LlmCall } from '../../python/llm/detect';
import type { Tree } from '../../python/parser';
import { packageImports } from '../streamingPackage';
import { coalesceTextEdits, type TextEdit } from '../../workspace/textEdit';
import { planAsyncClient } from './asyncClient';
import { planStreamCall, VARIANT_SUFFIX, type FixStyle } from './streamCall';

export type LlmFixKind = 'stream' | 'async-client';

export interface LlmFix {
  readonly kind: LlmFixKind;
  readonly title: string;
  /** Edits against the source, non-overlapping, sorted. */
  readonly edits: readonly TextEdit[];
  /** Names imported from the streaming module (empty when the fix does not use it). */
  readonly streamingNames: readonly string[];
}

export interface LlmFixOptions {
  readonly style: FixStyle;
  /** Where the streaming helpers are imported from: the package (`.streaming`, `streaming`), or a single module. */
  readonly streamingImport: string;
  /**
   * `streamingImport` names a single module of an earlier version (kept: edited, or not migrated here), which
   * defines every name itself; otherwise each name comes from its submodule of the package.
   */
  readonly singleModule?: boolean;
  readonly firstPartyModules?: ReadonlySet<string>;
  /** The module's top-level names other modules import (see asyncClientRefusal): their clients stay as they are. */
  readonly sharedNames?: ReadonlySet<string>;
}

export interface LlmFixPlan {
  readonly fixes: readonly LlmFix[];
  readonly refused: ReadonlyArray<{ readonly kind: LlmFixKind; readonly reason: string }>;
}

export const FIX_TITLES: Readonly<Record<LlmFixKind, string>> = {
  stream: 'Stream this LLM call as an SSE endpoint',
  'async-client': 'Use the async client',
};

/** The LLM calls of an analysed module (route handlers read by the analysis's own resolver). */
export function findAnalyzedLlmCalls(analysis: ModuleAnalysis): LlmCall[] {
  return findLlmCalls(analysis.tree, { routes: analysis.routeResolver });
}

/**
 * What the caller already has for this exact `source` (the editor's syntax-tree cache): its tree, and the
 * module's LLM calls found on it. Planning then parses nothing and finds nothing twice.
 */
export interface ParsedModule {
  readonly tree: Tree;
  readonly calls?: readonly LlmCall[];
}

/** The fixes for the LLM call that starts at `callOffset` (the start of the call expression). */
export async function planLlmFixes(source: string, callOffset: number, options: LlmFixOptions, parsed?: ParsedModule): Promise<LlmFixPlan> {
  const analysis = await analyzePythonModule(source, parsed ? { tree: parsed.tree } : {});
  try {
    const calls = parsed?.calls ?? findAnalyzedLlmCalls(analysis);
    const call = calls.find((c) => c.node.startIndex === callOffset);
    return call ? fixesFor(call, calls, analysis, options) : { fixes: [], refused: [] };
  } finally {
    analysis.dispose();
  }
}

/** What the fixes for one call are, the first being the preferred one. */
export function fixesFor(call: LlmCall, calls: readonly LlmCall[], analysis: ModuleAnalysis, options: LlmFixOptions): LlmFixPlan {
  const fixes: LlmFix[] = [];
  const refused: Array<{ kind: LlmFixKind; reason: string }> = [];
  const addFix = (fix: LlmFix | { kind: LlmFixKind; reason: string }) => ('reason' in fix ? refused.push(fix) : fixes.push(fix));
  if (call.streams === false) {
    const plan = planStreamCall(call, calls, analysis, options.style);
    if (plan.ok) {
      const streaming = options.singleModule
        ? [{ module: options.streamingImport, names: plan.streamingNames }]
        : packageImports(options.streamingImport, plan.streamingNames);
      const imports: ImportRequest[] = [...plan.imports, ...streaming];
      const title = call.route
        ? FIX_TITLES.stream
        : `Stream this LLM call: add ${call.function?.childForFieldName('name')?.text ?? ''}${VARIANT_SUFFIX}() returning its tokens`;
      addFix(withImports('stream', title, plan.edits, imports, plan.streamingNames, analysis, options));
    } else {
      refused.push({ kind: 'stream', reason: plan.reason });
    }
  }
  if (!call.client.cls.async && call.inAsyncFunction) {
    const plan = planAsyncClient(call, calls, analysis, options.sharedNames);
    if (plan.ok) {
      addFix(withImports('async-client', FIX_TITLES['async-client'], plan.edits, plan.imports, [], analysis, options));
    } else {
      refused.push({ kind: 'async-client', reason: plan.reason });
    }
  }
  return { fixes, refused };
}

function withImports(
  kind: LlmFixKind,
  title: string,
  edits: readonly TextEdit[],
  imports: readonly ImportRequest[],
  streamingNames: readonly string[],
  analysis: ModuleAnalysis,
  options: LlmFixOptions,
): LlmFix | { kind: LlmFixKind; reason: string } {
  const unimportable = imports.find((i) => !isPythonImportName(i.module));
  if (unimportable !== undefined) {
    // Named as configured (the package's submodules hang off it: `x.providers.openai` is not what the user chose).
    const named = isPythonImportName(options.streamingImport) ? unimportable.module : options.streamingImport;
    return { kind, reason: `the streaming module's name ${JSON.stringify(named)} is not a Python module name` };
  }
  // An absolute `streaming` import is the project's own module: isort's first-party section.
  const firstPartyModules = new Set(options.firstPartyModules);
  if (!options.streamingImport.startsWith('.')) {
    firstPartyModules.add(options.streamingImport.split('.')[0]!);
  }
  const importPlan = planImports(analysis, imports, { firstPartyModules });
  if (importPlan.conflicts.length > 0) {
    const names = importPlan.conflicts.map((c) => `"${c.name}" (bound to ${c.boundTo})`).join(', ');
    return { kind, reason: `the file already binds ${names}` };
  }
  return { kind, title, edits: coalesceTextEdits([...edits, ...importPlan.edits]), streamingNames };
}
