/** One benchmark of `npm run bench` (bench/index.ts lists them). */
export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(): Promise<void>;
}
