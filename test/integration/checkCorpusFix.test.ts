/**
 * `check --fix` on the corpus layouts whose sync SDK client blocks the event loop (test/fixtures/corpus/<layout>/
 * with a "fix" entry in expected.json), then the fixed app served by a real uvicorn on the current stack with
 * the real SDKs, against the local provider (test/support/providers): every listed route still answers, token
 * by token, from one streamed upstream request, and one stream no longer holds the event loop: a second
 * request is answered while the first is still streaming (as written, it waits for the first to end).
 */
import assert from 'node:assert/strict';
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { startProviderServer, type ProviderServer } from '../support/providers/server';
import { pythonStack } from '../support/python';
import { makeTempDir } from '../support/tempdir';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { openStream, parseSse, readStream, type WireStream } from '../support/wire';

const CURRENT = pythonStack('current');
const CORPUS = path.join(__dirname, '../fixtures/corpus');
const TOKENS = ['Hello', ' from', ' the', ' local', ' provider', '.'];
/** Between the provider's streamed events: long enough that two streams overlap when the loop is free. */
const EVENT_DELAY_MS = 150;

interface FixExpectation {
  /** The uvicorn target; `main:app` when not given. */
  readonly app?: string;
  readonly requests: ReadonlyArray<{ readonly path: string }>;
}

async function fixExpectation(layout: string): Promise<FixExpectation> {
  return (JSON.parse(await readFile(path.join(CORPUS, layout, 'expected.json'), 'utf8')) as { fix: FixExpectation }).fix;
}

async function check(args: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['check', ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd });
  return { code, stdout, stderr };
}

/** The text of the unnamed data events (the layouts send each token as a JSON string). */
function tokensOf(body: Buffer): string[] {
  return parseSse(body.toString('utf8'))
    .events.filter((e) => e.event === undefined || e.event === 'message')
    .map((e) => JSON.parse(e.data) as string);
}

/** Waits (bounded) until the stream has received its first body bytes. */
async function firstChunk(stream: WireStream): Promise<void> {
  for (let i = 0; i < 200 && stream.chunks.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.ok(stream.chunks.length > 0, 'the first stream sent nothing within 5 s');
}

/**
 * Starts a stream on `first`, and once its first event is in, requests `second`: whether the second's first
 * bytes arrived before the first stream's last ones (the event loop served both at once).
 */
async function overlaps(server: RunningServer, first: string, second: string): Promise<boolean> {
  const a = await openStream(`${server.baseUrl}${first}`);
  await firstChunk(a);
  const b = await readStream(`${server.baseUrl}${second}`);
  await a.finished;
  assert.equal(b.status, 200, server.output());
  return b.chunks[0]!.at < a.chunks.at(-1)!.at;
}

describe(`check --fix on the corpus's sync clients, served by uvicorn ${CURRENT.tag}`, function () {
  this.timeout(180_000);
  let provider: ProviderServer;

  before(async () => {
    provider = await startProviderServer();
  });

  after(async () => {
    await provider?.stop();
  });

  for (const layout of ['sync-async-generator', 'sync-service-generator']) {
    describe(layout, () => {
      let originalDir: string;
      let fixedDir: string;

      before(async () => {
        originalDir = await makeTempDir(`corpus-${layout}-original`);
        fixedDir = await makeTempDir(`corpus-${layout}-fixed`);
        await cp(path.join(CORPUS, layout), originalDir, { recursive: true });
        await cp(path.join(CORPUS, layout), fixedDir, { recursive: true });
      });

      it('check --fix leaves no finding, and check --json then finds none', async () => {
        const fixed = await check(['--fix', '.'], fixedDir);
        assert.equal(fixed.code, 0, fixed.stderr);
        assert.match(fixed.stderr, /fixed: Use the async client/);
        const after = await check(['--json', '.'], fixedDir);
        assert.deepEqual(JSON.parse(after.stdout), [], after.stderr);
      });

      it('the fixed app streams every listed route token by token from one streamed upstream request', async () => {
        provider.behave({ tokens: TOKENS });
        const { app = 'main:app', requests } = await fixExpectation(layout);
        const server = await startUvicorn({ cwd: fixedDir, app, env: provider.sdkEnvironment(), stack: CURRENT });
        try {
          for (const { path: routePath } of requests) {
            provider.clear();
            const stream = await readStream(`${server.baseUrl}${routePath}`);
            assert.equal(stream.status, 200, `${routePath}: ${stream.body().toString('utf8')}\n${server.output()}`);
            assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
            assert.deepEqual(tokensOf(stream.body()), TOKENS, routePath);
            assert.deepEqual(
              provider.requests.map((r) => r.stream),
              [true],
              `${routePath}: one streamed request to the provider`,
            );
          }
        } finally {
          await server.stop();
        }
      });

      it('as written, one stream holds the event loop; after the fix a second request is served meanwhile', async () => {
        const { app = 'main:app', requests } = await fixExpectation(layout);
        const [first, second] = requests.map((r) => r.path);
        provider.behave({ tokens: TOKENS, eventDelayMs: EVENT_DELAY_MS });
        for (const [dir, expected] of [
          [originalDir, false],
          [fixedDir, true],
        ] as const) {
          const server = await startUvicorn({ cwd: dir, app, env: provider.sdkEnvironment(), stack: CURRENT });
          try {
            assert.equal(await overlaps(server, first!, second!), expected, `${dir === fixedDir ? 'fixed' : 'as written'}\n${server.output()}`);
          } finally {
            await server.stop();
          }
        }
      });
    });
  }
});
