/**
 * The sample chat app of the protocol tests (test/fixtures/protocols/chat-app): its scripted token source gets
 * three routes from `add-endpoint --source scripted_reply --protocol sse|ai-sdk|openai`, run through the CLI as a
 * user would, and the result is served by a real uvicorn on the given Python stack.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { PythonStack } from '../support/python';
import { makeTempDir } from '../support/tempdir';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { eventually } from '../support/wire';
import { runCli } from './addEndpointSupport';

export const PROTOCOL_FIXTURES = path.resolve(__dirname, '../fixtures/protocols');

export type Protocol = 'sse' | 'ai-sdk' | 'openai';

/** The routes the tests add, one per protocol (the ai-sdk and openai ones are the CLI's defaults). */
export const ROUTES: Readonly<Record<Protocol, string>> = { sse: '/stream', 'ai-sdk': '/api/chat', openai: '/v1/chat/completions' };

export interface ChatApp {
  readonly server: RunningServer;
  /** Where the scripted source writes `closed-RUN` when its consumer closes it. */
  readonly markerDir: string;
  url(protocol: Protocol): string;
  stop(): Promise<void>;
}

interface AppliedJson {
  readonly status: string;
  readonly protocol?: string;
  readonly endpoint: {
    readonly url: string;
    readonly method: string;
    readonly serve: { readonly appDir: string; readonly app: string; readonly factory: boolean };
  };
}

export interface ChatAppOptions {
  /** Rewrites the generated files before the server starts (to break an encoder on purpose). */
  readonly transform?: (dir: string) => Promise<void>;
  /** An origin the app accepts cross-origin requests from (CORSMiddleware), e.g. a page's. */
  readonly corsOrigin?: string;
}

/** Copies the sample app, adds the three routes with the CLI (checking each `--json` outcome), and starts it. */
export async function startChatApp(stack: PythonStack, options: ChatAppOptions = {}): Promise<ChatApp> {
  const root = await makeTempDir('protocol-app');
  try {
    const dir = path.join(root, 'chat-app');
    const markerDir = path.join(root, 'markers');
    await cp(path.join(PROTOCOL_FIXTURES, 'chat-app'), dir, { recursive: true });
    await mkdir(markerDir);
    let serve: AppliedJson['endpoint']['serve'] | undefined;
    const urls = new Map<Protocol, string>();
    for (const protocol of ['sse', 'ai-sdk', 'openai'] as const) {
      const run = await runCli([
        'add-endpoint',
        '--workspace',
        dir,
        '--app',
        'main.py:app',
        '--route',
        ROUTES[protocol],
        // The sse protocol's default is GET; ai-sdk and openai routes are always POST.
        ...(protocol === 'sse' ? ['--method', 'POST'] : []),
        '--source',
        'scripted_reply',
        '--protocol',
        protocol,
        '--json',
      ]);
      assert.equal(run.code, 0, `add-endpoint --protocol ${protocol}: ${run.stderr}\n${run.stdout}`);
      const applied = JSON.parse(run.stdout) as AppliedJson;
      assert.equal(applied.status, 'applied', run.stdout);
      assert.equal(applied.protocol, protocol, 'the --json outcome names the protocol');
      assert.equal(applied.endpoint.method, 'POST');
      serve = applied.endpoint.serve;
      urls.set(protocol, applied.endpoint.url);
    }
    await options.transform?.(dir);
    assert.ok(serve);
    assert.equal(serve.factory, false);
    const server = await startUvicorn({
      stack,
      cwd: path.join(dir, serve.appDir),
      app: serve.app,
      env: { CHAT_MARKER_DIR: markerDir, ...(options.corsOrigin ? { CHAT_CORS_ORIGIN: options.corsOrigin } : {}) },
    });
    return {
      server,
      markerDir,
      url: (protocol) => `${server.baseUrl}${urls.get(protocol)!}`,
      stop: async () => {
        await server.stop();
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Waits (bounded) until the scripted source's slow or flood reply for `run` was closed, and returns how many ticks it had
 * produced by then. Fails if it is still running after 20 s: the client's hang-up did not reach the source.
 */
export async function sourceClosed(app: ChatApp, run: string): Promise<number> {
  const marker = path.join(app.markerDir, `closed-${run}`);
  const closedAfter = async (): Promise<number | undefined> => {
    const text = await readFile(marker, 'utf8').catch(() => undefined);
    return text === undefined || text === '' ? undefined : Number(text);
  };
  try {
    return await eventually(`the source of run ${run} closed after the client's abort`, closedAfter, 20_000, 50);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${app.server.output()}`);
  }
}

/**
 * The replies that run until closed, with the ticks each produces if nobody closes it: a count below that means it
 * was closed early. `slow` awaits between ticks (a cancellation reaches it there); `flood` never awaits, so only an
 * explicit aclose() of the source ends it.
 */
export const ENDLESS = { slow: 3000, flood: 5_000_000 } as const;
export type EndlessScript = keyof typeof ENDLESS;

/** What the scripted source yields for the prompt `parts`, as each protocol's client should assemble it. */
export const SCRIPTED = {
  reasoning: 'The user wants the weather.',
  /** The text before the tool call: a plain str then a TextDelta (with quotes, a newline and non-ASCII). */
  textBeforeTool: 'Let me check "Paris" ☀️,\nüber-quick.',
  firstTextDelta: 'Let me check ',
  textAfterTool: ' Done.',
  tool: { id: 'call_1', name: 'get_weather', arguments: '{"city": "Paris", "days": 2}', input: { city: 'Paris', days: 2 } },
  /** The fail script's text before it raises; the exception text that must not reach a client. */
  failText: 'Partial answer',
  secret: 'hunter2',
} as const;
