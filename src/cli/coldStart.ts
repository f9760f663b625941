/**
 * Start-up tuning for the CLI process only (never imported by the extension, whose host is shared with other
 * extensions). Measured with `node --cpu-prof` and `npm run bench -- budgets` on Node 20: a `check` of a small
 * file spent about half its CPU compiling the tree-sitter wasm and then tiering it up to TurboFan, work that a
 * run of a few hundred milliseconds never gets back. Node 24 compiles wasm lazily already and is unaffected.
 * (`module.enableCompileCache()` was tried too: no measurable gain on Node 24, and it writes to the temp folder.)
 */
import * as v8 from 'node:v8';

export function tuneForColdStart(): void {
  // Keep the wasm on V8's baseline compiler (Liftoff): a small file's `check` takes half the CPU, and a
  // 5,000-line file's is no slower (the time goes to the analysis in JavaScript, not to the parser). Must run
  // before the first WebAssembly module is compiled.
  v8.setFlagsFromString('--liftoff-only');
}
