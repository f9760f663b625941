/**
 * `on_finish` exactly once per answer under faults (issue 19): the three resumable routes `add-endpoint
 * --resumable` writes (sse, ai-sdk, openai), their on_finish hook filled in to append each finished answer to a
 * file, served by two uvicorn workers (two processes) on a real redis-server. The token source is a paced local
 * generator (one token every 30 ms), so a hundred answers cost no HTTP client of their own.
 *
 *  - Redis restarted mid-answer (killed, started again empty on its port): each answer's on_finish is called
 *    exactly once, and each reader gets the whole answer or ends with the protocol's error event (never cut
 *    short without a word).
 *  - 100 concurrent answers with seeded random stops (the stop endpoint, on the other worker), reloads (sse and
 *    openai resume with Last-Event-ID, ai-sdk with GET {api}/{chatId}/stream, on the other worker) and client
 *    departures: on_finish calls == answers, each with its finish reason (stopped for the stopped ones,
 *    completed for the rest: resumable routes always finish) and the text a full reader saw.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { PYTHON_STACKS, type PythonStack } from '../support/python';
import { startRedis, type RunningRedis } from '../support/redis';
import { makeResumableApp } from '../support/resumableApp';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { eventually } from '../support/wire';

const TOKEN_COUNT = 30;
const TOKEN_DELAY_S = 0.03;
const WAIT_MS = 30_000;

const MAIN = `from fastapi import FastAPI

app = FastAPI()
`;

// The user's token source: a paced one, " <prompt>-<n>".
const TOKENS = `from collections.abc import AsyncIterator

import anyio


async def paced_tokens(prompt: str) -> AsyncIterator[str]:
    for n in range(${TOKEN_COUNT}):
        yield f" {prompt}-{n}"
        await anyio.sleep(${TOKEN_DELAY_S})
`;

const ROUTES = { sse: '/stream', 'ai-sdk': '/api/chat', openai: '/v1/chat/completions' } as const;
type Protocol = keyof typeof ROUTES;
const PROTOCOLS = Object.keys(ROUTES) as Protocol[];

const answerOf = (id: string) => Array.from({ length: TOKEN_COUNT }, (_, n) => ` ${id}-${n}`).join('');

const makeApp = () =>
  makeResumableApp({
    name: 'lifecycle-faults',
    main: MAIN,
    modules: { 'tokens.py': TOKENS },
    routes: PROTOCOLS.map((protocol) => ({ protocol, route: ROUTES[protocol] })),
    source: 'paced_tokens',
    saveToLog: true,
  });

/** A small seeded PRNG (mulberry32): the same run every time. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What one reader got: the text, how the stream ended, the last event id, the stream id. */
interface Reading {
  text: string;
  tokens: number;
  end: 'done' | 'error' | 'none';
  /** The error event's data, if the stream ended with one. */
  error?: string;
  /** The protocol's own finish reason on its last event (sse `done`, ai-sdk `finish`, openai finish_reason). */
  reason: string | undefined;
  lastEventId: string | undefined;
  streamId: string | undefined;
  status: number;
}

/** The request that starts an answer, or resumes it (`resume`: the last event id the client has, or '' for none). */
function requestOf(protocol: Protocol, id: string, base: string, resume?: string): { url: string; init: RequestInit } {
  const headers: Record<string, string> = resume ? { 'last-event-id': resume } : {};
  if (protocol === 'sse') return { url: `${base}/stream?prompt=${id}`, init: { headers } };
  if (protocol === 'ai-sdk') {
    if (resume !== undefined) return { url: `${base}/api/chat/chat-${id}/stream`, init: {} };
    const messages = [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: id }] }];
    return {
      url: `${base}/api/chat`,
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: `chat-${id}`, messages }) },
    };
  }
  const body = { model: 'm', stream: true, messages: [{ role: 'user', content: id }] };
  return {
    url: `${base}/v1/chat/completions`,
    init: { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) },
  };
}

/** Folds one event into the reading, as the protocol's client would. */
function take(protocol: Protocol, reading: Reading, event: EventSourceMessage): void {
  if (event.id) reading.lastEventId = event.id;
  if (protocol === 'sse') {
    const data = JSON.parse(event.data) as { text?: string; finish_reason?: string };
    if (event.event === 'token') {
      reading.text += data.text;
      reading.tokens++;
    } else if (event.event === 'done') [reading.end, reading.reason] = ['done', data.finish_reason];
    else if (event.event === 'error') [reading.end, reading.error] = ['error', event.data];
    return;
  }
  if (event.data === '[DONE]') {
    if (reading.end === 'none') reading.end = 'done';
    return;
  }
  if (protocol === 'ai-sdk') {
    const chunk = JSON.parse(event.data) as { type: string; delta?: string; messageMetadata?: { finishReason?: string } };
    if (chunk.type === 'text-delta') {
      reading.text += chunk.delta;
      reading.tokens++;
    } else if (chunk.type === 'finish') reading.reason = chunk.messageMetadata?.finishReason;
    else if (chunk.type === 'error') [reading.end, reading.error] = ['error', event.data];
    return;
  }
  const chunk = JSON.parse(event.data) as { error?: unknown; choices?: Array<{ delta: { content?: string }; finish_reason: string | null }> };
  if (chunk.error !== undefined) [reading.end, reading.error] = ['error', event.data];
  const choice = chunk.choices?.[0];
  if (choice?.delta.content) {
    reading.text += choice.delta.content;
    reading.tokens++;
  }
  if (choice?.finish_reason) reading.reason = choice.finish_reason;
}

/**
 * Starts (or resumes) an answer and reads it to its end, or, with `leaveAfter`, until that many tokens arrived
 * and then leaves (the connection is aborted). `onTokens` sees the count as it grows. Bounded by WAIT_MS.
 */
async function read(
  protocol: Protocol,
  id: string,
  base: string,
  options: { resume?: string; leaveAfter?: number; onTokens?: (reading: Reading) => void } = {},
): Promise<Reading> {
  const reading: Reading = { text: '', tokens: 0, end: 'none', reason: undefined, lastEventId: undefined, streamId: undefined, status: 0 };
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), WAIT_MS);
  try {
    const { url, init } = requestOf(protocol, id, base, options.resume);
    const response = await fetch(url, { ...init, signal: abort.signal });
    reading.status = response.status;
    reading.streamId = response.headers.get('x-stream-id') ?? undefined;
    if (response.status !== 200) return reading;
    const parser = createParser({ onEvent: (event) => take(protocol, reading, event) });
    const decoder = new TextDecoder();
    for await (const chunk of response.body!) {
      parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
      options.onTokens?.(reading);
      if (options.leaveAfter !== undefined && reading.tokens >= options.leaveAfter) {
        abort.abort();
        break;
      }
    }
    return reading;
  } catch (error) {
    if (options.leaveAfter !== undefined && abort.signal.aborted) return reading;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

interface Finished {
  readonly pid: number;
  readonly reason: string;
  readonly text: string;
}

/** The answer id a finished text belongs to (its first token: " <id>-0"). */
const idOf = (text: string) => text.trimStart().split('-')[0] ?? '';

for (const stack of PYTHON_STACKS) {
  describe(`on_finish exactly once under faults: two workers, Redis ${stack.tag}`, function () {
    this.timeout(120_000);
    suite(stack);
  });
}

function suite(stack: PythonStack): void {
  let root: string;
  let redis: RunningRedis;
  let workers: RunningServer[];
  let finishLog: string;

  before(async () => {
    [root, redis] = await Promise.all([makeApp(), startRedis()]);
    finishLog = path.join(root, 'finished.jsonl');
    await writeFile(finishLog, '');
    const env = { REDIS_URL: redis.url, FINISH_LOG: finishLog };
    workers = await Promise.all([0, 1].map(() => startUvicorn({ cwd: root, app: 'app.main:app', stack, env })));
  });

  after(async () => {
    await Promise.all((workers ?? []).map((w) => w.stop()));
    await redis?.stop();
  });

  /** Every on_finish call so far, by answer id. */
  async function finishedById(): Promise<Map<string, Finished[]>> {
    const byId = new Map<string, Finished[]>();
    for (const line of (await readFile(finishLog, 'utf8')).split('\n').filter(Boolean)) {
      const call = JSON.parse(line) as Finished;
      byId.set(idOf(call.text), [...(byId.get(idOf(call.text)) ?? []), call]);
    }
    return byId;
  }

  /** Waits until each of `ids` has an on_finish call, then a while longer for any second one. */
  async function settledCalls(ids: readonly string[]): Promise<Map<string, Finished[]>> {
    await eventually(
      `on_finish for all ${ids.length} answers`,
      async () => {
        const byId = await finishedById();
        return ids.every((id) => byId.has(id)) ? true : undefined;
      },
      WAIT_MS,
      100,
    );
    // A second call would come from a second producer or a late cleanup: well within a producer lease (2 s).
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    return finishedById();
  }

  it('Redis restarted mid-answer: on_finish once per answer; readers get the whole answer or an error event', async () => {
    const ids = PROTOCOLS.flatMap((protocol) => [0, 1].map((w) => ({ protocol, id: `r${stack.name[0]}${protocol[0]}${w}`, worker: workers[w]! })));
    let started = 0;
    let restart: Promise<void> | undefined;
    const readings = ids.map(({ protocol, id, worker }) =>
      read(protocol, id, worker.baseUrl, {
        onTokens: (reading) => {
          if (reading.tokens < 5 || started === ids.length) return;
          started++;
          if (started === ids.length) {
            // Every answer is under way: Redis goes away and comes back empty on its port.
            restart = (async () => {
              const port = redis.port;
              await redis.stop();
              redis = await startRedis({ port });
            })();
          }
        },
      }),
    );
    const results = await Promise.all(readings);
    await restart;
    assert.ok(restart, 'Redis was restarted mid-answer');
    const calls = await settledCalls(ids.map((a) => a.id));
    const outcomes = ids.map(({ protocol, id }, i) => {
      const reading = results[i]!;
      const whole = reading.end === 'done' && reading.text === answerOf(id);
      assert.ok(whole || reading.end === 'error', `${protocol} ${id}: neither the whole answer nor an error event: ${JSON.stringify(reading)}`);
      const mine = calls.get(id) ?? [];
      assert.equal(mine.length, 1, `${protocol} ${id}: on_finish called ${mine.length} times: ${JSON.stringify(mine)}`);
      assert.ok(answerOf(id).startsWith(mine[0]!.text), `${protocol} ${id}: on_finish text is not the answer's start`);
      return `${protocol} ${whole ? 'whole' : 'error'} (${mine[0]!.reason}, ${mine[0]!.text.split(' ').length - 1} tokens)`;
    });
    console.log(`      after the restart: ${outcomes.join('; ')}`);
  });

  it('100 concurrent answers, seeded random stops, reloads and departures: one on_finish each, reason and text right', async () => {
    const random = seeded(19);
    const ACTIONS = ['full', 'stop', 'reload', 'depart'] as const;
    type Action = (typeof ACTIONS)[number];
    const plans = Array.from({ length: 100 }, (_, i) => ({
      id: `c${stack.name[0]}${i}`,
      protocol: PROTOCOLS[i % PROTOCOLS.length]!,
      action: ACTIONS[Math.floor(random() * ACTIONS.length)]! as Action,
      worker: Math.floor(random() * 2),
      after: 2 + Math.floor(random() * 8),
      startAt: Math.floor(random() * 1_000),
    }));

    let cutShort = 0;
    /** Plays one answer; resolves with the text a full reader saw and the finish reason(s) on_finish may get. */
    async function play(plan: (typeof plans)[number]): Promise<{ text: string; reasons: string[] }> {
      const { id, protocol, action, after } = plan;
      const [mine, other] = [workers[plan.worker]!.baseUrl, workers[1 - plan.worker]!.baseUrl];
      await new Promise((resolve) => setTimeout(resolve, plan.startAt));
      if (action === 'full' || action === 'depart') {
        const reading = await read(protocol, id, mine, action === 'depart' ? { leaveAfter: after } : {});
        if (action === 'full') {
          assert.deepEqual([reading.end, reading.text], ['done', answerOf(id)], `${protocol} ${id} full: ${JSON.stringify(reading)}`);
        }
        // A client that left: the answer goes on without it, and is complete.
        return { text: answerOf(id), reasons: ['completed'] };
      }
      if (action === 'reload') {
        const first = await read(protocol, id, mine, { leaveAfter: after });
        const resumed = await read(protocol, id, other, { resume: first.lastEventId ?? '' });
        // The first reading may have had the whole answer in its last chunk (a late batch holds several
        // events): the resume after its end is then 204, as after any finished stream.
        if (first.end === 'done' && resumed.status === 204) return { text: first.text, reasons: ['completed'] };
        // useChat's resume contract: 204 once the chat has no active stream (the answer ended meanwhile).
        if (protocol === 'ai-sdk' && resumed.status === 204) return { text: answerOf(id), reasons: ['completed'] };
        const text = protocol === 'ai-sdk' ? resumed.text : first.text + resumed.text;
        assert.deepEqual([resumed.end, text], ['done', answerOf(id)], `${protocol} ${id} reloaded: ${resumed.error}`);
        return { text, reasons: ['completed'] };
      }
      // Stop through the other worker once `after` tokens arrived; the reader reads on to the end.
      let stopping: Promise<Response> | undefined;
      const reading = await read(protocol, id, mine, {
        onTokens: (r) => {
          if (stopping !== undefined || r.tokens < after) return;
          const streamId = protocol === 'ai-sdk' ? `chat-${id}` : protocol === 'openai' ? r.streamId! : r.lastEventId!.split(':')[0]!;
          stopping = fetch(`${other}${ROUTES[protocol]}/${streamId}/stop`, { method: 'POST', signal: AbortSignal.timeout(WAIT_MS) });
        },
      });
      const status = (await stopping!).status;
      assert.equal(reading.end, 'done', `${protocol} ${id} stopped: ${JSON.stringify(reading)}`);
      assert.ok(status === 200 || status === 409, `${protocol} ${id}: stop answered ${status}`);
      assert.ok(answerOf(id).startsWith(reading.text), `${protocol} ${id}: the answer's start`);
      if (reading.text.length < answerOf(id).length) {
        assert.deepEqual([status, reading.reason], [200, protocol === 'openai' ? 'stop' : 'stopped'], `${protocol} ${id} cut short`);
        cutShort++;
        return { text: reading.text, reasons: ['stopped'] };
      }
      // The stop came after the last token: 409 once the answer had ended, else "stopped" with all of it. The
      // reader's finish reason says which (openai's "stop" is the same for both).
      const reasons = status === 409 || reading.reason === 'completed' ? ['completed'] : protocol === 'openai' ? ['completed', 'stopped'] : ['stopped'];
      return { text: reading.text, reasons };
    }

    const expected = await Promise.all(plans.map(play));
    const calls = await settledCalls(plans.map((p) => p.id));
    const all = plans.flatMap((plan) => calls.get(plan.id) ?? []);
    assert.equal(all.length, plans.length, 'on_finish calls == answers');
    plans.forEach((plan, i) => {
      const mine = calls.get(plan.id) ?? [];
      const what = `${plan.protocol} ${plan.id} (${plan.action}): ${JSON.stringify(mine)}`;
      assert.equal(mine.length, 1, what);
      assert.equal(mine[0]!.text, expected[i]!.text, what);
      assert.ok(expected[i]!.reasons.includes(mine[0]!.reason), `${what}, expected ${expected[i]!.reasons.join(' or ')}`);
    });
    const stops = plans.filter((p) => p.action === 'stop').length;
    assert.ok(cutShort >= stops / 2, `only ${cutShort} of ${stops} stops came before the answer's end`);
    const counts = ACTIONS.map((a) => `${plans.filter((p) => p.action === a).length} ${a}`).join(', ');
    console.log(
      `      100 answers: ${counts}; ${all.filter((c) => c.reason === 'stopped').length} on_finish "stopped", ${cutShort} of ${stops} stops before the last token`,
    );
  });
}
