/**
 * A real Redis Cluster for a test: three masters (redis-server --cluster-enabled yes, no replicas) on free
 * 127.0.0.1 ports, joined by `redis-cli --cluster create ... --cluster-yes`, each in a temp folder of its own
 * (see redis.ts). `url` is the form the generated store takes for a cluster: `redis+cluster://127.0.0.1:PORT`.
 */
import { freePort } from '../../src/core/net/ports';
import { loadExeca } from './execa';
import { startRedis, type RunningRedis } from './redis';

export interface RunningRedisCluster {
  readonly nodes: readonly RunningRedis[];
  /** `redis+cluster://127.0.0.1:PORT` (the first node; the client finds the others). */
  readonly url: string;
  stop(): Promise<void>;
}

const REDIS_CLI = '/usr/bin/redis-cli';

export async function startRedisCluster(masters = 3): Promise<RunningRedisCluster> {
  const nodes: RunningRedis[] = [];
  const stop = () => Promise.all(nodes.map((node) => node.stop())).then(() => undefined);
  try {
    for (let i = 0; i < masters; i++) {
      nodes.push(
        await startRedis({
          extraArgs: async () => [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            // The bus port is a free port of its own, not port + 10000 (which may be taken, or over 65535).
            '--cluster-port',
            String(await freePort()),
          ],
        }),
      );
    }
    const execa = await loadExeca();
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await execa(REDIS_CLI, ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    // Bounded wait for every node to see the cluster as ok (the slots are spread by gossip).
    for (let attempt = 0; ; attempt++) {
      const states = await Promise.all(nodes.map((node) => node.cli('CLUSTER', 'INFO')));
      if (states.every((info) => info.includes('cluster_state:ok'))) break;
      if (attempt >= 100) throw new Error(`the Redis Cluster did not become ok:\n${states.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { nodes, url: `redis+cluster://127.0.0.1:${nodes[0]!.port}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
