/**
 * A real redis-server for a test (Debian's redis-server): on a free 127.0.0.1 port, in a temp folder of its
 * own, without persistence (no RDB snapshots, no AOF), stopped and its folder removed by `stop()`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadExeca } from './execa';
import { startListening } from './processes';

export interface RunningRedis {
  readonly port: number;
  /** `redis://127.0.0.1:PORT/0` */
  readonly url: string;
  /** Runs one command with redis-cli and returns its output (trimmed). */
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

const REDIS_SERVER = '/usr/bin/redis-server';
const REDIS_CLI = '/usr/bin/redis-cli';

/**
 * `port`: listen there (to restart a Redis where its clients expect it) rather than on a free port.
 * `extraArgs(port)`: more redis-server options (a cluster node's, see redisCluster.ts).
 */
export async function startRedis(
  options: { readonly port?: number; readonly extraArgs?: (port: number) => readonly string[] | Promise<readonly string[]> } = {},
): Promise<RunningRedis> {
  const extraArgs = options.extraArgs ?? (() => []);
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(
      `redis-server is required for the resumable stream tests and was not found at ${REDIS_SERVER}. Run bash scripts/setup.sh (Debian redis-server).`,
    );
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'catalyst-redis-'));
  const redis = await startListening({
    name: 'redis-server',
    command: REDIS_SERVER,
    args: async (port) => [
      ...(await extraArgs(port)),
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ],
    startTimeoutMs: 10_000,
    ...(options.port !== undefined && { port: options.port }),
    // Nothing to flush: no persistence.
    stop: { signal: 'SIGKILL', graceMs: 0 },
  }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  const { port } = redis;
  const execa = await loadExeca();
  let stopped: Promise<void> | undefined;
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    cli: async (...command) => {
      const result = await execa(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...command], { timeout: 10_000 });
      return String(result.stdout).trim();
    },
    stop: () =>
      (stopped ??= (async () => {
        await redis.stop();
        await rm(dir, { recursive: true, force: true });
      })()),
  };
}
