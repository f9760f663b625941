/**
 * The scale-out part of `npm run bench -- resumable` (the app bench/resumable.ts wrote into `dir`):
 *
 * 1. 1,000 concurrent resumable streams per worker on 2 workers (one Redis): every answer complete, Redis
 *    connections per worker (CLIENT LIST) and RSS per open stream.
 * 2. 2,000 concurrent streams over 4 workers behind nginx, plain vs resumable on one Redis vs resumable on a
 *    3-master Redis Cluster, 10% of the resumable clients dropping once at a random event and resuming through
 *    nginx (wherever it lands): answers complete (nothing lost or repeated), events/s, p95 time to first event,
 *    Redis memory per finished stream, and the CPU each part used per event. Plain and resumable alternate in
 *    ROUNDS rounds on the same workers; "vs plain" is the median of the per-round ratios (the machine is shared:
 *    a single run's rate moves by tens of percent).
 */
import { residentKb } from '../test/support/processMemory';
import { cpuSecondsNamed, cpuSecondsOf } from './processCpu';
import type { PythonStack } from '../test/support/python';
import { startRedis, type RunningRedis } from '../test/support/redis';
import { startRedisCluster } from '../test/support/redisCluster';
import { answerProblem, followResumable, type FollowResult } from '../test/support/resumableClient';
import { startNginxProxy } from '../test/support/nginx';
import { startUvicorn, type RunningServer } from '../test/support/uvicorn';

const PER_WORKER = 1_000;
const SCALE_STREAMS = 2_000;
const SCALE_WORKERS = 4;
const SCALE_TOKENS = 100;

export async function scaleOut(dir: string, stack: PythonStack, scale: number): Promise<void> {
  if (!process.env.CATALYST_BENCH_NGINX_ONLY) await perWorker(dir, stack, Math.round(PER_WORKER * scale));
  // CATALYST_BENCH_SCALE_STREAMS: another number of streams behind nginx (a level that does not saturate).
  await behindNginx(dir, stack, Number(process.env.CATALYST_BENCH_SCALE_STREAMS ?? Math.round(SCALE_STREAMS * scale)));
}

async function startWorkers(dir: string, stack: PythonStack, redisUrl: string, count: number): Promise<RunningServer[]> {
  const workers: RunningServer[] = [];
  for (let i = 0; i < count; i++) workers.push(await startUvicorn({ cwd: dir, app: 'app.main:app', stack, env: { BENCH_REDIS_URL: redisUrl } }));
  return workers;
}

async function pidOf(worker: RunningServer): Promise<number> {
  return ((await (await fetch(`${worker.baseUrl}/pid`)).json()) as { pid: number }).pid;
}

/** How many answers were not complete; the kinds of problem (the first words of each) go to stderr. */
function incomplete(results: readonly FollowResult[], count: number): number {
  const problems = results.map((result) => answerProblem(result, count)).filter((problem) => problem !== undefined);
  const kinds = new Map<string, number>();
  for (const problem of problems) kinds.set(problem.slice(0, 120), (kinds.get(problem.slice(0, 120)) ?? 0) + 1);
  for (const [kind, times] of [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 5)) process.stderr.write(`  ${times} x ${kind}\n`);
  return problems.length;
}

async function perWorker(dir: string, stack: PythonStack, streams: number): Promise<void> {
  const redis = await startRedis();
  const workers = await startWorkers(dir, stack, redis.url, 2);
  try {
    const pids = await Promise.all(workers.map(pidOf));
    const before = pids.map(residentKb);
    const tokens = 20;
    const results = Array.from({ length: streams * 2 }, (_, i) =>
      followResumable({ ports: [workers[i % 2]!.port], path: `/redis?count=${tokens}&pause=0.15&text=1` }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const list = (await redis.cli('CLIENT', 'LIST')).split('\n');
    const clients = list.filter((line) => /name=catalyst-stream/.test(line)).length;
    const perStream = pids.map((pid, i) => (residentKb(pid) - before[i]!) / streams);
    const failed = incomplete(await Promise.all(results), tokens);
    process.stdout.write(
      `\n| ${streams} concurrent resumable streams per worker, 2 workers, one Redis | |\n|---|---:|\n` +
        `| answers not complete | ${failed} of ${streams * 2} |\n| Redis connections per worker (CLIENT LIST) | ${clients / 2} |\n` +
        `| RSS per open stream | ${perStream.map((kb) => `${kb.toFixed(1)} kB`).join(', ')} |\n`,
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await redis.stop();
  }
}

interface Run {
  readonly results: readonly FollowResult[];
  readonly wallMs: number;
  /** CPU seconds each part used during the run: the workers, Redis (every node), nginx, this client. */
  readonly cpu: Readonly<Record<CpuPart, number>>;
}

type CpuPart = 'workers' | 'redis' | 'nginx' | 'client';

/** Where the CPU goes: the workers (by pid), Redis (its own INFO, every node), nginx (by name), this process. */
interface CpuMeter {
  readonly workerPids: readonly number[];
  readonly redisNodes: readonly RunningRedis[];
}

async function cpuNow(meter: CpuMeter): Promise<Record<CpuPart, number>> {
  let redis = 0;
  for (const node of meter.redisNodes) {
    const info = await node.cli('INFO', 'cpu');
    redis += Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? NaN) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? NaN);
  }
  const client = process.cpuUsage();
  return { workers: cpuSecondsOf(meter.workerPids), redis, nginx: cpuSecondsNamed('nginx'), client: (client.user + client.system) / 1e6 };
}

async function run(port: number, route: string, streams: number, drop: boolean, meter: CpuMeter): Promise<Run> {
  const before = await cpuNow(meter);
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: streams }, (_, i) =>
      followResumable({
        ports: [port],
        path: `/${route}?count=${SCALE_TOKENS}&text=1`,
        ...(drop && i % 10 === 0 ? { dropAfter: 1 + Math.floor(Math.random() * (SCALE_TOKENS - 1)) } : {}),
      }),
    ),
  );
  const wallMs = performance.now() - started;
  const after = await cpuNow(meter);
  const cpu = { workers: 0, redis: 0, nginx: 0, client: 0 };
  for (const part of Object.keys(cpu) as CpuPart[]) cpu[part] = after[part] - before[part];
  return { results, wallMs, cpu };
}

function p95(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? NaN;
}

async function usedMemory(nodes: readonly RunningRedis[]): Promise<number> {
  let total = 0;
  for (const node of nodes) total += Number(/used_memory:(\d+)/.exec(await node.cli('INFO', 'memory'))?.[1] ?? NaN);
  return total;
}

/** Rounds of plain and resumable behind nginx, in alternating order; ratios are taken inside each round. */
const ROUNDS = 3;

interface Measured {
  readonly run: Run;
  readonly events: number;
  readonly failed: number;
  readonly memoryPerStream?: number;
}

async function behindNginx(dir: string, stack: PythonStack, streams: number): Promise<void> {
  const redis = await startRedis();
  const cluster = await startRedisCluster(3);
  const rows: string[] = [];
  const cpuRows: string[] = [];
  try {
    for (const [name, url, nodes] of [
      ['one Redis', redis.url, [redis]],
      ['3-master Redis Cluster', cluster.url, cluster.nodes],
    ] as const) {
      const workers = await startWorkers(dir, stack, url, SCALE_WORKERS);
      const proxy = await startNginxProxy(
        workers.map((worker) => worker.port),
        { workerConnections: streams * 3 + 100 },
      );
      const meter = { workerPids: await Promise.all(workers.map(pidOf)), redisNodes: nodes };
      try {
        await run(proxy.port, 'plain', 20, false, meter); // warm up
        await run(proxy.port, 'redis', 20, false, meter);
        const plains: Measured[] = [];
        const resumables: Measured[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          for (const route of round % 2 === 0 ? ['plain', 'redis'] : ['redis', 'plain']) {
            if (route === 'plain') {
              const plain = await run(proxy.port, 'plain', streams, false, meter);
              const events = plain.results.reduce((sum, result) => sum + result.unnumbered.length, 0);
              const failed = plain.results.filter((result) => !result.complete || result.unnumbered.length !== SCALE_TOKENS).length;
              plains.push({ run: plain, events, failed });
            } else {
              const memoryBefore = await usedMemory(nodes);
              const resumable = await run(proxy.port, 'redis', streams, true, meter);
              const memoryPerStream = ((await usedMemory(nodes)) - memoryBefore) / streams;
              const events = resumable.results.reduce((sum, result) => sum + result.events.length, 0);
              resumables.push({ run: resumable, events, failed: incomplete(resumable.results, SCALE_TOKENS), memoryPerStream });
            }
          }
        }
        const rate = (m: Measured): number => m.events / (m.run.wallMs / 1000);
        const ratios = resumables.map((m, i) => rate(m) / rate(plains[i]!));
        rows.push(row(`plain (no resume), beside ${name}`, plains, streams, rate, undefined));
        rows.push(row(`resumable, ${name}, 10% drop and resume`, resumables, streams, rate, ratios));
        cpuRows.push(cpuRow(`plain, beside ${name}`, plains), cpuRow(`resumable, ${name}`, resumables));
      } finally {
        await proxy.stop();
        await Promise.all(workers.map((worker) => worker.stop()));
      }
    }
  } finally {
    await redis.stop();
    await cluster.stop();
  }
  process.stdout.write(
    `\n| ${streams} concurrent streams of ${SCALE_TOKENS} events, ${SCALE_WORKERS} workers behind nginx, ${ROUNDS} rounds (medians) | answers not complete | events/s | vs plain (range) | p95 time to first event | Redis memory per finished stream |\n|---|---:|---:|---:|---:|---:|\n${rows.join('\n')}\n`,
  );
  process.stdout.write(
    `\n| CPU per event received (µs), same runs (medians) | workers | Redis | nginx | client | all |\n|---|---:|---:|---:|---:|---:|\n${cpuRows.join('\n')}\n`,
  );
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function cpuRow(name: string, runs: readonly Measured[]): string {
  const us = (part: (cpu: Run['cpu']) => number): string => median(runs.map((m) => (part(m.run.cpu) * 1e6) / Math.max(1, m.events))).toFixed(1);
  const all = (cpu: Run['cpu']): number => cpu.workers + cpu.redis + cpu.nginx + cpu.client;
  return `| ${name} | ${us((c) => c.workers)} | ${us((c) => c.redis)} | ${us((c) => c.nginx)} | ${us((c) => c.client)} | ${us(all)} |`;
}

function row(name: string, runs: readonly Measured[], streams: number, rate: (m: Measured) => number, ratios: readonly number[] | undefined): string {
  const failed = runs.reduce((sum, m) => sum + m.failed, 0);
  const firsts = median(runs.map((m) => p95(m.run.results.map((r) => r.firstEventMs ?? Infinity))));
  const vsPlain = ratios ? `${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})` : '1.00x';
  const memory = runs[0]?.memoryPerStream === undefined ? '' : `${(median(runs.map((m) => m.memoryPerStream!)) / 1024).toFixed(1)} kB`;
  return `| ${name} | ${failed} of ${streams * runs.length} | ${Math.round(median(runs.map(rate)))} | ${vsPlain} | ${Math.round(firsts)} ms | ${memory} |`;
}
