/**
 * `npm run bench -- stop`: how fast the stop endpoint stops the model (issue 19). The resumable sse route
 * `add-endpoint --resumable` writes, its token source streaming from the local provider server
 * (test/support/providers, one token every 25 ms), on two uvicorn workers sharing a real redis-server. Each
 * stop: an answer is started on one worker and read; once the provider has sent 3 tokens, POST
 * {route}/{stream_id}/stop goes to a worker; measured from that request to the provider server seeing its
 * upstream connection close (the SDK hung up: billing stops), and to the stop's 200 (every reader has its end).
 * Stops alternate between the worker that produces the answer and the other one (the stop goes through Redis
 * either way: a key, and a message on the stream's pub/sub channel that the producer's worker hears).
 * CATALYST_BENCH_STACK=oldest runs on the oldest stack; CATALYST_BENCH_QUICK=1 does 10 stops.
 */
import { randomUUID } from 'node:crypto';
import { createParser } from 'eventsource-parser';
import { startProviderServer } from '../test/support/providers/server';
import { pythonStack, type StackName } from '../test/support/python';
import { startRedis } from '../test/support/redis';
import { makeResumableApp, PROVIDER_TOKENS_PY } from '../test/support/resumableApp';
import { startUvicorn } from '../test/support/uvicorn';
import { eventually, wallClockMs } from '../test/support/wire';
import type { Benchmark } from './benchmark';

const STOPS = process.env.CATALYST_BENCH_QUICK ? 10 : 40;
const TOKEN_DELAY_MS = 25;
const WAIT_MS = 20_000;

const MAIN = `from fastapi import FastAPI

app = FastAPI()
`;

/** The p-th percentile (0-100) of `values`, nearest rank. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const stopBenchmark: Benchmark = {
  name: 'stop',
  description: 'stop latency on 2 workers + Redis: from POST {route}/{id}/stop to the provider connection closing (p50/p95)',
  async run() {
    const stackName = (process.env.CATALYST_BENCH_STACK ?? 'current') as StackName;
    const stack = pythonStack(stackName);
    const root = await makeResumableApp({
      name: 'bench-stop',
      main: MAIN,
      modules: { 'tokens.py': PROVIDER_TOKENS_PY },
      routes: [{ protocol: 'sse', route: '/stream' }],
      source: 'provider_tokens',
      saveToLog: false,
    });
    const [redis, provider] = await Promise.all([startRedis(), startProviderServer()]);
    const env = { REDIS_URL: redis.url, PROVIDER_URL: provider.baseUrl };
    const workers = await Promise.all([0, 1].map(() => startUvicorn({ cwd: root, app: 'app.main:app', stack, env })));
    const toClose = { same: [] as number[], other: [] as number[] };
    const toAnswer = { same: [] as number[], other: [] as number[] };
    try {
      for (let i = 0; i < STOPS; i++) {
        const run = randomUUID();
        provider.behave({ tokens: Array.from({ length: 400 }, (_, n) => ` ${n}`), eventDelayMs: TOKEN_DELAY_MS });
        const producer = workers[i % 2]!;
        const via = i % 4 < 2 ? 'other' : 'same';
        const stopper = via === 'same' ? producer : workers[(i + 1) % 2]!;
        let streamId: string | undefined;
        const abort = new AbortController();
        const reading = fetch(`${producer.baseUrl}/stream?prompt=${run}`, { signal: abort.signal }).then(async (response) => {
          const parser = createParser({ onEvent: (event) => (streamId ??= event.id?.split(':')[0]) });
          const decoder = new TextDecoder();
          for await (const chunk of response.body!) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
        });
        const request = await eventually(
          'the provider request',
          async () => provider.requests.find((r) => r.stream && JSON.stringify(r.body).includes(run) && r.tokensWritten >= 3),
          WAIT_MS,
        );
        const id = await eventually('the stream id', async () => streamId, WAIT_MS);
        const askedAt = wallClockMs();
        const response = await fetch(`${stopper.baseUrl}/stream/${id}/stop`, { method: 'POST', signal: AbortSignal.timeout(WAIT_MS) });
        const answeredAt = wallClockMs();
        if (response.status !== 200) throw new Error(`stop answered ${response.status}: ${await response.text()}`);
        const closedAt = await provider.closed(request.connection, WAIT_MS);
        toClose[via].push(closedAt - askedAt);
        toAnswer[via].push(answeredAt - askedAt);
        await Promise.race([reading, new Promise((resolve) => setTimeout(resolve, WAIT_MS))]);
        abort.abort();
        provider.clear();
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await Promise.all([redis.stop(), provider.stop()]);
    }
    const row = (what: string, values: readonly number[]) =>
      `| ${what} | ${values.length} | ${percentile(values, 50).toFixed(0)} ms | ${percentile(values, 95).toFixed(0)} ms | ${Math.max(...values).toFixed(0)} ms |\n`;
    process.stdout.write('| stop sent to | stops | p50 | p95 | max |\n|---|---:|---:|---:|---:|\n');
    process.stdout.write(row('producing worker: to provider connection closed', toClose.same));
    process.stdout.write(row('other worker: to provider connection closed', toClose.other));
    process.stdout.write(row('either: to provider connection closed', [...toClose.same, ...toClose.other]));
    process.stdout.write(row('either: to the stop answered 200', [...toAnswer.same, ...toAnswer.other]));
    process.stdout.write(`\n(${stackName} stack; sse route, tokens every ${TOKEN_DELAY_MS} ms, 2 uvicorn workers, redis-server)\n`);
  },
};
