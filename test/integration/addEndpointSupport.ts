/** Shared by the add-endpoint integration tests: the CLI in-process, tree digests, streaming checks, pyright. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../src/cli/main';
import type { SseEvent } from '../../src/protocol/stream';
import { StreamSession } from '../../src/core/sse/session';
import { loadExeca } from '../support/execa';
import type { PythonStack } from '../support/python';
import { shellWords } from '../../src/core/python/serveHints';
import { startServeCommand, startUvicorn, type RunningServer } from '../support/uvicorn';

export const WORKSPACE_FIXTURES = path.join(__dirname, '..', 'fixtures', 'workspaces');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI's main() with captured output, exactly as dist/cli.js runs it. */
export async function runCli(args: readonly string[], cwd = process.cwd()): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd });
  return { code, stdout, stderr };
}

/**
 * The CLI run with CATALYST_PYTHON set to `python` (restored after): the interpreter add-endpoint imports the
 * changed app with, so each stack's test verifies with that stack's FastAPI.
 */
export async function runCliWithPython(python: string, args: readonly string[], cwd = process.cwd()): Promise<CliRun> {
  const previous = process.env.CATALYST_PYTHON;
  process.env.CATALYST_PYTHON = python;
  try {
    return await runCli(args, cwd);
  } finally {
    if (previous === undefined) {
      delete process.env.CATALYST_PYTHON;
    } else {
      process.env.CATALYST_PYTHON = previous;
    }
  }
}

/** uvicorn serving an endpoint as add-endpoint's `--json` says to (`serve`: app-dir, module:attribute, factory). */
export function serveEndpoint(
  stack: PythonStack,
  dir: string,
  serve: { readonly appDir: string; readonly app: string; readonly factory: boolean },
  env?: Readonly<Record<string, string>>,
): Promise<RunningServer> {
  return startUvicorn({
    stack,
    cwd: dir,
    app: serve.app,
    extraArgs: [...(serve.appDir ? ['--app-dir', serve.appDir] : []), ...(serve.factory ? ['--factory'] : [])],
    ...(env ? { env } : {}),
  });
}

/** The serve command and the URL add-endpoint printed (`Try it: ...`, `   then: curl -N ...`), split as a shell would. */
export function printedServeHint(stdout: string): { readonly words: readonly string[]; readonly url: URL } {
  const lines = stdout.split('\n');
  const serve = lines.find((line) => line.startsWith('Try it: '))?.slice('Try it: '.length);
  const url = lines.find((line) => line.startsWith('   then: curl -N '))?.slice('   then: curl -N '.length);
  assert.ok(serve !== undefined && url !== undefined, stdout);
  return { words: shellWords(serve), url: new URL(shellWords(url)[0]!) };
}

/**
 * Starts the printed serve command as printed (on a free port) and streams the printed URL, on that port, with
 * a prompt: the demo source answers with several token events and a done event.
 */
export async function streamPrintedUrl(
  stack: PythonStack,
  dir: string,
  printed: { readonly words: readonly string[]; readonly url: URL },
  env?: Readonly<Record<string, string>>,
): Promise<StreamedTokens> {
  const server = await startServeCommand({ stack, cwd: dir, words: printed.words, ...(env ? { env } : {}) });
  try {
    const url = new URL(printed.url);
    url.port = String(server.port);
    url.searchParams.set('prompt', 'Where am I?');
    const streamed = await streamTokens(url.href);
    assert.ok(streamed.tokens.length > 1, server.output());
    return streamed;
  } finally {
    await server.stop();
  }
}

/** add-endpoint `--json` on `dir` refuses with `reason`, and every file under `dir` is as it was. */
export async function assertRefusedBeforeWriting(python: string, dir: string, args: readonly string[], reason: string): Promise<void> {
  const before = await treeDigest(dir);
  const run = await runCliWithPython(python, ['add-endpoint', '--workspace', dir, '--json', ...args]);
  const outcome = JSON.parse(run.stdout) as { status: string; reason: string; message: string };
  assert.equal(run.code, 1, run.stderr);
  assert.equal(outcome.status, 'refused', outcome.message);
  assert.equal(outcome.reason, reason, outcome.message);
  assert.deepEqual(await treeDigest(dir), before, 'nothing written');
}

export async function copyFixture(name: string, to: string): Promise<string> {
  await cp(path.join(WORKSPACE_FIXTURES, name), to, { recursive: true });
  return to;
}

/** Relative path -> sha256 of content and permission bits, for every file under `dir`. */
export async function treeDigest(dir: string): Promise<Map<string, string>> {
  const digest = new Map<string, string>();
  const visit = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        await visit(full);
      } else {
        const mode = (await stat(full)).mode & 0o777;
        digest.set(
          path.relative(dir, full),
          `${createHash('sha256')
            .update(await readFile(full))
            .digest('hex')} ${mode.toString(8)}`,
        );
      }
    }
  };
  await visit(dir);
  return digest;
}

export interface StreamedTokens {
  readonly events: readonly SseEvent[];
  readonly tokens: readonly string[];
  readonly done: { readonly text: string; readonly token_count: number };
}

/** Streams an endpoint with the product's own SSE client and checks the token/done protocol on the wire. */
export async function streamTokens(
  url: string,
  init: { readonly method?: string; readonly body?: unknown; readonly headers?: ReadonlyArray<readonly [string, string]> } = {},
): Promise<StreamedTokens> {
  const events: SseEvent[] = [];
  const session = new StreamSession(
    {
      url,
      method: init.method ?? 'GET',
      headers: [...(init.body === undefined ? [] : [['content-type', 'application/json'] as const]), ...(init.headers ?? [])],
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    },
    { onEvent: (event) => events.push(event) },
  );
  const result = await session.run({ signal: AbortSignal.timeout(30_000) });
  assert.equal(result.outcome.kind, 'completed', JSON.stringify(result.outcome));
  const last = events[events.length - 1];
  assert.equal(last?.event, 'done', `the stream ends with a done event: ${events.map((e) => e.event).join(',')}`);
  const tokenEvents = events.slice(0, -1);
  assert.ok(
    tokenEvents.every((e) => e.event === 'token'),
    `only token events before done: ${events.map((e) => e.event).join(',')}`,
  );
  const tokens = tokenEvents.map((e) => (JSON.parse(e.data) as { text: string }).text);
  const done = JSON.parse(last.data) as { text: string; token_count: number };
  assert.equal(done.text, tokens.join(''));
  assert.equal(done.token_count, tokens.length);
  return { events, tokens, done };
}

/**
 * The tokens really streamed: they arrived in many network chunks, and the first one long before the last
 * (ratios and ordering only; the demo generator paces its words).
 */
export function assertProgressive(streamed: StreamedTokens): void {
  const tokenEvents = streamed.events.filter((e) => e.event === 'token');
  const chunks = new Set(tokenEvents.map((e) => e.chunk));
  assert.ok(chunks.size >= tokenEvents.length / 2, `tokens arrived in ${chunks.size} chunks for ${tokenEvents.length} tokens`);
  const first = tokenEvents[0]!.tMs;
  const last = tokenEvents[tokenEvents.length - 1]!.tMs;
  assert.ok(first < last / 2, `first token at ${first} ms, last at ${last} ms`);
}

export interface PyrightCounts {
  /** Errors per file, keyed by path relative to the checked folder. */
  readonly errorsByFile: ReadonlyMap<string, number>;
  readonly messages: readonly string[];
}

/**
 * pyright over a folder holding several projects (one execution environment each, with their extra import
 * roots), in one run: a single pyright start-up for the whole corpus. Third-party packages (FastAPI, the SDKs)
 * resolve from `pythonExecutable`'s site-packages.
 */
export async function pyrightProjects(
  folder: string,
  projects: ReadonlyArray<{ readonly root: string; readonly extraPaths?: readonly string[] }>,
  pythonExecutable: string,
  options: { readonly typeCheckingMode?: 'standard' | 'strict' } = {},
): Promise<PyrightCounts> {
  await writeFile(
    path.join(folder, 'pyrightconfig.json'),
    JSON.stringify({
      typeCheckingMode: options.typeCheckingMode ?? 'standard',
      executionEnvironments: projects.map((p) => ({ root: p.root, extraPaths: [...(p.extraPaths ?? [])] })),
    }),
  );
  const execa = await loadExeca();
  const result = await execa(process.execPath, [require.resolve('pyright/index.js'), '--outputjson', '--pythonpath', pythonExecutable], {
    cwd: folder,
    reject: false,
  });
  if (result.exitCode !== 0 && result.exitCode !== 1) {
    throw new Error(`pyright failed (exit ${result.exitCode}):\n${result.stderr}\n${result.stdout}`);
  }
  const report = JSON.parse(result.stdout) as {
    generalDiagnostics: Array<{ file: string; severity: string; message: string; rule?: string; range: { start: { line: number } } }>;
  };
  const errorsByFile = new Map<string, number>();
  const messages: string[] = [];
  for (const d of report.generalDiagnostics.filter((d) => d.severity === 'error')) {
    const file = path.relative(folder, d.file);
    errorsByFile.set(file, (errorsByFile.get(file) ?? 0) + 1);
    messages.push(`${file}:${d.range.start.line + 1}: ${d.message.split('\n')[0]}${d.rule ? ` (${d.rule})` : ''}`);
  }
  return { errorsByFile, messages };
}
