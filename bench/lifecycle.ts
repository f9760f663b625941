/**
 * `npm run bench -- lifecycle`: what the answer lifecycle (issue 19) costs a stream, in one run on one uvicorn
 * (loopback, the generated package):
 *
 * - plain: stream_tokens over the token source (which also yields the provider's Usage at its end);
 * - on_finish: the same source through with_on_finish (recording text and usage, one on_finish call), the
 *   disconnect policy "cancel" every route gets by default;
 * - on_finish, finish policy: the same with on_disconnect="finish" (each read shielded from the client leaving).
 *
 * All stream the same never-awaiting token generator. Throughput: events per server CPU-second and per wall-clock
 * second, contenders interleaved in every round, the ratio to plain taken inside each round, medians over the
 * rounds. Goal: on_finish >= 0.95x plain. CATALYST_BENCH_STACK=oldest runs on the oldest stack;
 * CATALYST_BENCH_QUICK=1 does less work.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pythonStack, type StackName } from '../test/support/python';
import { rawStream } from '../test/support/rawStream';
import { writeGeneratedStreaming } from '../test/support/streamingPackage';
import { makeTempDir } from '../test/support/tempdir';
import { startUvicorn } from '../test/support/uvicorn';
import type { Benchmark } from './benchmark';
import { getJson, median } from './resumable';

const SCALE = process.env.CATALYST_BENCH_QUICK ? 0.1 : 1;
const EVENTS = Math.round(50_000 * SCALE);
const ROUNDS = 7;
const GOAL = 0.95;

const APP = `import time
from collections.abc import AsyncIterator
from typing import Union

from fastapi import FastAPI
from streaming.finish import FinishResult, Usage
from streaming.lifecycle import with_on_finish
from streaming.parts import StreamPart
from streaming.response import streaming_response
from streaming.tokens import stream_tokens

app = FastAPI()
answers = 0


async def tokens(count: int) -> AsyncIterator[Union[str, StreamPart]]:
    for _ in range(count):
        yield "tok"
    yield Usage(input_tokens=12, output_tokens=count)


async def save(result: FinishResult) -> None:
    global answers
    answers += 1


@app.get("/plain")
async def plain(count: int):
    return streaming_response(stream_tokens(tokens(count)))


@app.get("/on_finish")
async def on_finish(count: int):
    answer = with_on_finish(tokens(count), save, model="bench")
    return streaming_response(stream_tokens(answer))


@app.get("/on_finish-finish")
async def on_finish_finish(count: int):
    answer = with_on_finish(tokens(count), save, model="bench", on_disconnect="finish")
    return streaming_response(stream_tokens(answer))


@app.get("/cpu")
async def cpu() -> dict[str, float]:
    return {"seconds": time.process_time(), "answers": answers}
`;

const CONTENDERS = ['plain', 'on_finish', 'on_finish-finish'] as const;
type Contender = (typeof CONTENDERS)[number];

export const lifecycleBenchmark: Benchmark = {
  name: 'lifecycle',
  description: 'the answer lifecycle (with_on_finish: recording, usage, one on_finish call) vs the plain stream: events per CPU-s and per s',
  async run() {
    const stackName = (process.env.CATALYST_BENCH_STACK ?? 'current') as StackName;
    const python = (await pythonStack(stackName).interpreter()).command;
    const dir = await makeTempDir('bench-lifecycle');
    await writeGeneratedStreaming(dir);
    await writeFile(path.join(dir, 'bench_lifecycle.py'), APP);
    const server = await startUvicorn({ cwd: dir, app: 'bench_lifecycle:app', python });
    try {
      for (const contender of CONTENDERS) await rawStream(server.port, `/${contender}?count=${EVENTS / 10}`); // warm up
      const cpu = new Map<Contender, number[]>(CONTENDERS.map((c) => [c, []]));
      const wall = new Map<Contender, number[]>(CONTENDERS.map((c) => [c, []]));
      const cpuRatios = new Map<Contender, number[]>(CONTENDERS.map((c) => [c, []]));
      const before = await getJson<{ answers: number }>(server, '/cpu');
      for (let round = 0; round < ROUNDS; round++) {
        const rates = new Map<Contender, number>();
        for (const contender of CONTENDERS.map((_, i) => CONTENDERS[(i + round) % CONTENDERS.length]!)) {
          const start = (await getJson<{ seconds: number }>(server, '/cpu')).seconds;
          const result = await rawStream(server.port, `/${contender}?count=${EVENTS}`);
          const used = (await getJson<{ seconds: number }>(server, '/cpu')).seconds - start;
          rates.set(contender, EVENTS / used);
          cpu.get(contender)!.push(EVENTS / used);
          wall.get(contender)!.push(EVENTS / (result.elapsedMs / 1000));
        }
        for (const contender of CONTENDERS) cpuRatios.get(contender)!.push(rates.get(contender)! / rates.get('plain')!);
      }
      const after = await getJson<{ answers: number }>(server, '/cpu');
      process.stdout.write('| stream | events per server CPU-s | events/s (wall) | vs plain (CPU-s, same round) |\n|---|---:|---:|---:|\n');
      for (const contender of CONTENDERS) {
        const ratio = median(cpuRatios.get(contender)!);
        const goal = contender === 'on_finish' ? ` (goal >= ${GOAL}x: ${ratio >= GOAL ? 'met' : 'not met'})` : '';
        process.stdout.write(
          `| ${contender} | ${Math.round(median(cpu.get(contender)!))} | ${Math.round(median(wall.get(contender)!))} | ${ratio.toFixed(2)}x${goal} |\n`,
        );
      }
      const expected = ROUNDS * (CONTENDERS.length - 1);
      process.stdout.write(`\non_finish calls during the rounds: ${after.answers - before.answers} (answers through it: ${expected})\n`);
      process.stdout.write(`(${stackName} stack; ${EVENTS} token events per stream, ${ROUNDS} rounds)\n`);
    } finally {
      await server.stop();
    }
  },
};
