/**
 * Start-up tuning for the CLI process only (never imported by the extension, whose host is shared with other
 * extensions). Measured with `node --cpu-prof` and `npm run bench -- budgets` on Node 20: a `check` of a small
 * file spent about a third of its CPU having V8 optimise the tree-sitter wasm with TurboFan, work that a run of
 * a few hundred milliseconds never gets back. Node 24 is unaffected either way.
 */
import * as v8 from 'node:v8';

/**
 * V8 tiers a wasm function up once it has run about this many bytes of code (rough): ten times V8's default
 * (1,800,000). `--liftoff-only` saved as much on a small file but made a 200,000-line `check` 35% slower; with
 * this budget the hot parser functions still get optimised on large runs (measured no slower there).
 * `module.enableCompileCache()` (Node >= 22.1) was tried too: no measurable gain on Node 24.
 */
const WASM_TIERING_BUDGET = 18_000_000;

/** V8 ignores a flag it does not know without a word, so a unit test checks each name against `node --v8-options`. */
export const COLD_START_V8_FLAGS: readonly string[] = [`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`];

export function tuneForColdStart(): void {
  // Must run before the first WebAssembly module is compiled.
  for (const flag of COLD_START_V8_FLAGS) v8.setFlagsFromString(flag);
}
