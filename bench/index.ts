/**
 * `npm run bench`: performance measurements, not tests. Each benchmark prints a table; figures that matter
 * are ratios measured inside one run (the machine is shared and noisy, absolute times are not comparable).
 * Run one with `npm run bench -- NAME`.
 */
import type { Benchmark } from './benchmark';

const benchmarks: ReadonlyArray<() => Promise<Benchmark>> = [
  () => import('./streaming').then((m) => m.streamingBenchmark),
  () => import('./llm').then((m) => m.llmBenchmark),
  () => import('./preview').then((m) => m.previewBenchmark),
  () => import('./budgets').then((m) => m.budgetsBenchmark),
  () => import('./checkWorkspace').then((m) => m.checkWorkspaceBenchmark),
  () => import('./resumable').then((m) => m.resumableBenchmark),
  () => import('./paced').then((m) => m.pacedBenchmark),
  () => import('./lifecycle').then((m) => m.lifecycleBenchmark),
  () => import('./stop').then((m) => m.stopBenchmark),
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const loaded = await Promise.all(benchmarks.map((load) => load()));
  const unknown = only.filter((name) => !loaded.some((b) => b.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${loaded.map((b) => b.name).join(', ')}`);
  }
  for (const bench of loaded) {
    if (only.length === 0 || only.includes(bench.name)) {
      process.stdout.write(`\n## ${bench.name}: ${bench.description}\n\n`);
      await bench.run();
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
