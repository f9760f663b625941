/**
 * Every client snippet kind, as `catalyst-streaming snippet` prints it, run against a real uvicorn serving the
 * fixture routes of the three protocols (test/fixtures/sse/app.py): TypeScript with tsx under Node, the
 * EventSource one in Debian's Chromium, the useChat one by importing its module and streaming through the
 * transport it configures (the AI SDK's own DefaultChatTransport + readUIMessageStream), the OpenAI ones with
 * the official clients (npm openai under Node, the openai package of the current Python stack).
 */
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createParser } from 'eventsource-parser';
import type { Browser } from 'playwright-core';
import { main } from '../../src/cli/main';
import { loadExeca } from '../support/execa';
import { testPython } from '../support/python';
import { makeTempDir, withTempDir } from '../support/tempdir';
import { copyFixture, runCli } from './addEndpointSupport';
import { startUvicorn, type RunningServer } from '../support/uvicorn';
import { launchBrowser } from './webviewHarness';

const repo = path.resolve(__dirname, '../..');
const fixtures = path.resolve(__dirname, '../fixtures/sse');
/** How long one snippet may run: a bound, not a measurement. */
const RUN_TIMEOUT_MS = 60_000;

/** `catalyst-streaming snippet ...` on the fixture app; the printed code, or the failure. */
async function snippet(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return snippetIn(fixtures, 'app.py:app', ...argv);
}

async function snippetIn(workspace: string, app: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['snippet', '--workspace', workspace, '--app', app, ...argv], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: process.cwd(),
  });
  return { code, stdout, stderr };
}

async function printed(...argv: string[]): Promise<string> {
  const result = await snippet(...argv);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

/**
 * Writes `files` into a scratch folder that resolves the repository's node_modules (the packages each snippet
 * says to install) and runs `entry` with tsx; its stdout.
 */
async function runTsSnippet(files: Readonly<Record<string, string>>, entry: string): Promise<string> {
  const result = await runTs(files, entry);
  assert.equal(result.exitCode, 0, `${entry} failed:\n${result.stderr}`);
  return result.stdout;
}

/** runTsSnippet's run, whatever its exit code. */
async function runTs(files: Readonly<Record<string, string>>, entry: string): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  return withTempDir('snippet', async (dir) => {
    await symlink(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { jsx: 'react-jsx', module: 'esnext', target: 'es2022', strict: true } }),
    );
    for (const [name, text] of Object.entries(files)) {
      await writeFile(path.join(dir, name), text);
    }
    const execa = await loadExeca();
    const result = await execa(path.join(repo, 'node_modules/.bin/tsx'), [entry], {
      cwd: dir,
      timeout: RUN_TIMEOUT_MS,
      reject: false,
      // A user's client is not our code: without NODE_V8_COVERAGE it writes no coverage, whose data: URL
      // source maps (tsx's JSX loader) c8 cannot report on.
      env: { OPENAI_API_KEY: '', NODE_V8_COVERAGE: undefined },
    });
    return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
  });
}

/** Runs a Python snippet with the current stack's interpreter (which has the openai package); its stdout. */
async function runPythonSnippet(code: string): Promise<string> {
  const python = await testPython('current');
  const execa = await loadExeca();
  return withTempDir('snippet-py', async (dir) => {
    await writeFile(path.join(dir, 'chat.py'), code);
    const result = await execa(python.command, ['chat.py'], { cwd: dir, timeout: RUN_TIMEOUT_MS, reject: false, env: { OPENAI_API_KEY: '' } });
    assert.equal(result.exitCode, 0, result.stderr);
    return result.stdout;
  });
}

/**
 * Runs the curl snippet as a user pastes it into a terminal (POSIX sh, the continuation lines included); the
 * stream it printed, read back: the text, reasoning and tool calls the events carry, in the snippets' format.
 */
async function runCurlSnippet(code: string): Promise<string> {
  const execa = await loadExeca();
  const result = await execa('sh', ['-c', code], { timeout: RUN_TIMEOUT_MS, reject: false });
  assert.equal(result.exitCode, 0, String(result.stderr));
  let text = '';
  let reasoning = '';
  const calls: string[] = [];
  const fragments = new Map<number, { name: string; arguments: string }>();
  const parser = createParser({
    onEvent: ({ event, data }) => {
      if (data === '[DONE]') {
        return;
      }
      const json = JSON.parse(data) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      if (event === 'token') text += json.text;
      else if (event === 'reasoning') reasoning += json.text;
      else if (event === 'tool_call') calls.push(`${json.name} ${JSON.stringify(json.input)}`);
      else if (json.type === 'text-delta') text += json.delta;
      else if (json.type === 'reasoning-delta') reasoning += json.delta;
      else if (json.type === 'tool-input-available') calls.push(`${json.toolName} ${JSON.stringify(json.input)}`);
      else if (json.choices?.[0]) {
        const delta = json.choices[0].delta ?? {};
        text += delta.content ?? '';
        reasoning += delta.reasoning_content ?? '';
        for (const f of delta.tool_calls ?? []) {
          const call = fragments.get(f.index) ?? { name: '', arguments: '' };
          call.name += f.function?.name ?? '';
          call.arguments += f.function?.arguments ?? '';
          fragments.set(f.index, call);
        }
      }
    },
  });
  parser.feed(String(result.stdout));
  for (const call of fragments.values()) {
    calls.push(`${call.name} ${JSON.stringify(JSON.parse(call.arguments))}`);
  }
  return [...calls.map((call) => `tool call: ${call}`), `reasoning: ${reasoning}`, `text: ${text}`].join('\n');
}

/**
 * The useChat snippet as a real React page in Chromium: Chat.tsx bundled for the browser with a root that renders
 * it, served on the app's origin; types `prompt` into its form and returns the page's text once the assistant's
 * tool call is shown (the last part the fixture streams).
 */
async function runChatPage(browser: Browser, baseUrl: string, code: string, prompt: string): Promise<string> {
  const bundle = await withTempDir('snippet-page', async (dir) => {
    await writeFile(path.join(dir, 'Chat.tsx'), code);
    await writeFile(
      path.join(dir, 'page.tsx'),
      "import { createRoot } from 'react-dom/client';\nimport { Chat } from './Chat';\ncreateRoot(document.getElementById('root')!).render(<Chat />);\n",
    );
    const result = await esbuild.build({
      entryPoints: [path.join(dir, 'page.tsx')],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'iife',
      jsx: 'automatic',
      define: { 'process.env.NODE_ENV': '"production"' },
      nodePaths: [path.join(repo, 'node_modules')],
      logLevel: 'silent',
    });
    return result.outputFiles[0]!.text;
  });
  const page = await browser.newPage();
  try {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const pageUrl = `${baseUrl}/__chat_page`;
    await page.route(pageUrl, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!DOCTYPE html><div id="root"></div><script src="/__chat_page.js"></script>' }),
    );
    await page.route(`${baseUrl}/__chat_page.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: bundle }));
    await page.goto(pageUrl);
    await page.locator('input').fill(prompt);
    await page.locator('button[type="submit"]').click();
    await page.locator('[data-role="assistant"] pre').waitFor({ timeout: RUN_TIMEOUT_MS });
    // The stream is over when the input is enabled again (status back to "ready").
    await page.locator('input:not([disabled])').waitFor({ timeout: RUN_TIMEOUT_MS });
    assert.deepEqual(errors, []);
    return await page.locator('#root').innerText();
  } finally {
    await page.close();
  }
}

/** Runs the EventSource snippet in a page served on the app's origin (a front end behind the same host: no CORS). */
async function runInChromium(browser: Browser, baseUrl: string, code: string): Promise<string> {
  const page = await browser.newPage();
  try {
    const lines: string[] = [];
    const finished = new Promise<void>((resolve) =>
      page.on('console', (message) => {
        lines.push(message.text());
        if (message.text().startsWith('text:')) {
          resolve();
        }
      }),
    );
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const pageUrl = `${baseUrl}/__snippet_page`;
    await page.route(pageUrl, (route) => route.fulfill({ contentType: 'text/html', body: `<!DOCTYPE html><script>\n${code}\n</script>` }));
    await page.goto(pageUrl);
    await Promise.race([finished, page.waitForTimeout(RUN_TIMEOUT_MS)]);
    assert.deepEqual(errors, []);
    return lines.join('\n');
  } finally {
    await page.close();
  }
}

/** Streams one user message through the ai-sdk snippet's own transport and prints the final message's parts. */
const AI_SDK_DRIVER = `import { readUIMessageStream } from 'ai';
import { Chat, transport } from './Chat.tsx';

if (typeof Chat !== 'function') throw new Error('the snippet exports no Chat component');
const stream = await transport.sendMessages({
  chatId: 'chat-1',
  messageId: undefined,
  trigger: 'submit-message',
  abortSignal: undefined,
  messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Bonjour' }] }],
});
let last;
for await (const message of readUIMessageStream({ stream })) last = message;
console.log(JSON.stringify(last.parts.map(({ type, text, toolCallId, input, state }) => ({ type, text, toolCallId, input, state }))));
`;

/** What every runnable snippet's example prints for the fixture's conversation. */
function expectedOutput(prompt = 'Hello!'): string {
  return ['tool call: get_weather {"city":"Paris"}', 'reasoning: The user wants the weather.', `text: You said: ${prompt}`].join('\n');
}

describe('client snippets, run against a real server', function () {
  // Each test starts Node or Python with a client library, or a browser page: seconds each on a busy machine.
  this.timeout(180_000);
  let server: RunningServer;

  before(async function () {
    server = await startUvicorn({ cwd: fixtures, app: 'app:app' });
  });

  after(async function () {
    await server?.stop();
  });

  describe('fetch + eventsource-parser (TypeScript, run with tsx)', function () {
    const cases: ReadonlyArray<readonly [string, string, string]> = [
      ['sse on GET', '/protocol/sse', 'GET'],
      ['sse on POST', '/protocol/sse', 'POST'],
      ['ai-sdk', '/api/chat', 'POST'],
      ['openai', '/v1/chat/completions', 'POST'],
    ];
    for (const [name, route, method] of cases) {
      it(name, async function () {
        const code = await printed('--route', route, '--method', method, '--client', 'fetch', '--base-url', server.baseUrl);
        const output = await runTsSnippet({ 'streamReply.mts': code }, 'streamReply.mts');
        assert.equal(output.trim(), expectedOutput());
      });
    }
  });

  it('openai-node: the official openai npm client, with the snippet’s baseURL', async function () {
    const code = await printed('--route', '/v1/chat/completions', '--client', 'openai-node', '--base-url', server.baseUrl);
    assert.match(code, new RegExp(`baseURL: "${server.baseUrl}/v1"`));
    const output = await runTsSnippet({ 'chat.mts': code }, 'chat.mts');
    assert.equal(output.trim(), expectedOutput());
  });

  it('openai-python: the official openai Python client, with the snippet’s base_url', async function () {
    const code = await printed('--route', '/v1/chat/completions', '--client', 'openai-python', '--base-url', server.baseUrl);
    const output = await runPythonSnippet(code);
    assert.equal(output.trim(), expectedOutput());
  });

  describe('httpx with the snippet’s SSE reader (Python), and curl -N (sh)', function () {
    for (const [name, route, method] of [
      ['sse on GET', '/protocol/sse', 'GET'],
      ['sse on POST', '/protocol/sse', 'POST'],
      ['ai-sdk', '/api/chat', 'POST'],
      ['openai', '/v1/chat/completions', 'POST'],
    ] as const) {
      it(`httpx: ${name}`, async function () {
        const code = await printed('--route', route, '--method', method, '--client', 'httpx', '--base-url', server.baseUrl);
        assert.equal((await runPythonSnippet(code)).trim(), expectedOutput());
      });

      it(`curl: ${name}`, async function () {
        const code = await printed('--route', route, '--method', method, '--lang', 'curl', '--base-url', server.baseUrl);
        assert.equal(await runCurlSnippet(code), expectedOutput());
      });
    }

    it('--lang python: the openai client on a Chat Completions route, httpx on the others; --lang ts: fetch', async function () {
      const client = async (...argv: string[]) => (JSON.parse(await printed(...argv, '--json')) as { client: string }).client;
      assert.equal(await client('--route', '/v1/chat/completions', '--lang', 'python'), 'openai-python');
      assert.equal(await client('--route', '/api/chat', '--lang', 'python'), 'httpx');
      assert.equal(await client('--route', '/api/chat', '--lang', 'ts'), 'fetch');
      const mismatch = await snippet('--route', '/api/chat', '--lang', 'python', '--client', 'fetch');
      assert.equal(mismatch.code, 2);
      assert.match(mismatch.stderr, /--client fetch is not a python client/);
    });
  });

  it('ai-sdk: the useChat module’s own transport, streamed with readUIMessageStream', async function () {
    const code = await printed('--route', '/api/chat', '--client', 'ai-sdk', '--base-url', server.baseUrl);
    const output = await runTsSnippet({ 'Chat.tsx': code, 'drive.mts': AI_SDK_DRIVER }, 'drive.mts');
    assert.deepEqual(JSON.parse(output), [
      { type: 'reasoning', text: 'The user wants the weather.', state: 'done' },
      { type: 'text', text: 'You said: Bonjour', state: 'done' },
      { type: 'tool-get_weather', toolCallId: 'call_1', input: { city: 'Paris' }, state: 'input-available' },
    ]);
  });

  describe('in Chromium', function () {
    let browser: Browser;

    before(async function () {
      browser = await launchBrowser();
    });

    after(async function () {
      await browser?.close();
    });

    it('streams the GET route with the browser’s EventSource', async function () {
      const code = await printed('--route', '/protocol/sse', '--client', 'eventsource', '--base-url', server.baseUrl);
      assert.equal(await runInChromium(browser, server.baseUrl, code), expectedOutput());
    });

    it('ai-sdk: the useChat component as a real React page, streaming reasoning, text and the tool call', async function () {
      const code = await printed('--route', '/api/chat', '--client', 'ai-sdk', '--base-url', server.baseUrl);
      const text = await runChatPage(browser, server.baseUrl, code, 'Bonjour');
      assert.equal(
        text.replace(/\s+/g, ' ').trim(),
        'user: Bonjour assistant: Reasoning You said: Bonjour get_weather {"city":"Paris"} (input-available) Send',
      );
    });
  });

  describe('refusals', function () {
    it('says why a client cannot consume a route, and which routes there are', async function () {
      const cases: ReadonlyArray<readonly [string[], RegExp]> = [
        [['--route', '/api/chat', '--client', 'eventsource'], /EventSource can only GET, and POST \/api\/chat is a POST route: use --client fetch/],
        [['--route', '/protocol/sse', '--client', 'ai-sdk'], /speaks the sse protocol; useChat needs a POST route speaking the AI SDK UI message stream/],
        [['--route', '/api/chat', '--client', 'openai-python'], /speaks the ai-sdk protocol; the OpenAI clients need a POST route speaking Chat Completions/],
        [
          ['--route', '/nope', '--client', 'fetch'],
          /has no streaming route \/nope\. Its streaming routes: GET \/protocol\/sse \(sse\), POST \/protocol\/sse \(sse\), POST \/api\/chat \(ai-sdk\), POST \/v1\/chat\/completions \(openai\)/,
        ],
      ];
      for (const [argv, message] of cases) {
        const result = await snippet(...argv);
        assert.equal(result.code, 1, argv.join(' '));
        assert.equal(result.stdout, '');
        assert.match(result.stderr, message);
      }
      const usage = await snippet('--route', '/api/chat', '--client', 'wget');
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /unknown --client "wget": expected one of fetch, eventsource, ai-sdk, openai-node, openai-python, httpx, curl/);
      const lang = await snippet('--route', '/api/chat', '--lang', 'rust');
      assert.equal(lang.code, 2);
      assert.match(lang.stderr, /unknown --lang "rust": expected one of ts, python, curl/);
    });

    it('--json gives the route with its method and protocol beside the code', async function () {
      const json = JSON.parse(await printed('--route', '/api/chat', '--client', 'ai-sdk', '--json')) as Record<string, unknown>;
      assert.deepEqual(
        { ...json, code: typeof json.code },
        {
          client: 'ai-sdk',
          route: { path: '/api/chat', method: 'POST', protocol: 'ai-sdk' },
          baseUrl: 'http://127.0.0.1:8000',
          language: 'typescriptreact',
          fileName: 'Chat.tsx',
          install: 'npm install ai @ai-sdk/react',
          code: 'string',
        },
      );
    });
  });
});

/**
 * The same snippets for routes add-endpoint generated (the demo token source: plain text, so no reasoning or
 * tool calls), served by uvicorn on the current stack: the protocol is read from the generated code.
 */
describe('client snippets of generated routes, run against a real server', function () {
  this.timeout(180_000);
  let root: string;
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  const urls: Record<string, string> = {};

  before(async function () {
    root = await makeTempDir('snippet-generated');
    dir = await copyFixture('single-file', path.join(root, 'app'));
    let serve = '';
    for (const protocol of ['sse', 'ai-sdk', 'openai']) {
      const run = await runCli(['add-endpoint', '--workspace', dir, '--protocol', protocol, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const endpoint = (JSON.parse(run.stdout) as { endpoint: { url: string; serve: { app: string } } }).endpoint;
      urls[protocol] = endpoint.url;
      serve = endpoint.serve.app;
    }
    [server, browser] = await Promise.all([startUvicorn({ cwd: dir, app: serve }), launchBrowser()]);
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  const generated = (...argv: string[]) => snippetIn(dir, 'main.py:app', ...argv, '--base-url', server.baseUrl);
  /** The demo source answers "You asked: <prompt> ..." */
  const repliesToHello = (output: string) => assert.match(output, /^reasoning: \ntext: You asked: Hello! \S/m);

  for (const protocol of ['sse', 'ai-sdk', 'openai']) {
    it(`fetch: ${protocol}`, async function () {
      const run = await generated('--route', urls[protocol]!, '--client', 'fetch');
      assert.equal(run.code, 0, run.stderr);
      const output = await runTsSnippet({ 'streamReply.mts': run.stdout }, 'streamReply.mts');
      repliesToHello(output);
    });
  }

  it('eventsource (GET sse route) in Chromium', async function () {
    const run = await generated('--route', urls['sse']!, '--client', 'eventsource');
    assert.equal(run.code, 0, run.stderr);
    repliesToHello(await runInChromium(browser, server.baseUrl, run.stdout));
  });

  it('openai-node and openai-python', async function () {
    const node = await generated('--route', urls['openai']!, '--client', 'openai-node');
    const python = await generated('--route', urls['openai']!, '--client', 'openai-python');
    assert.equal(node.code + python.code, 0, node.stderr + python.stderr);
    repliesToHello(await runTsSnippet({ 'chat.mts': node.stdout }, 'chat.mts'));
    repliesToHello(await runPythonSnippet(python.stdout));
  });

  for (const protocol of ['sse', 'ai-sdk', 'openai']) {
    it(`httpx and curl: ${protocol}`, async function () {
      const httpx = await generated('--route', urls[protocol]!, '--client', 'httpx');
      const curl = await generated('--route', urls[protocol]!, '--client', 'curl');
      assert.equal(httpx.code + curl.code, 0, httpx.stderr + curl.stderr);
      repliesToHello(await runPythonSnippet(httpx.stdout));
      repliesToHello(await runCurlSnippet(curl.stdout));
    });
  }

  it('ai-sdk: useChat’s transport reads the generated route', async function () {
    const run = await generated('--route', urls['ai-sdk']!, '--client', 'ai-sdk');
    assert.equal(run.code, 0, run.stderr);
    const output = await runTsSnippet({ 'Chat.tsx': run.stdout, 'drive.mts': AI_SDK_DRIVER }, 'drive.mts');
    const parts = JSON.parse(output) as Array<{ type: string; text?: string; state?: string }>;
    assert.deepEqual(
      parts.map((p) => [p.type, p.state]),
      [['text', 'done']],
    );
    assert.match(parts[0]!.text!, /^You asked: Bonjour /);
  });
});

/**
 * Snippets of routes at hostile paths (test/fixtures/sse/hostile_routes.py: router prefixes that once closed
 * the OpenAI Python snippet's docstring, ended the fetch snippet's comment, ran inside its error message's
 * template literal and closed the EventSource page's <script>), each run as a user would paste it. Had a value
 * escaped its literal, the run would end in os._exit(3), process.exit(5) or (6), or a page error.
 */
describe('client snippets of routes at hostile paths, run against a real server', function () {
  this.timeout(180_000);
  /** The fixture's HOSTILE and PYTHON_EXIT prefixes, character for character. */
  const HOSTILE = "/h/'''\nprocess.exit(5)//${process.exit(6)}`id`*/</script><!--$(id);rm -rf ~ 100%?#\u2028\u2029\u202e";
  const OPENAI = `/o/"""+__import__("os")._exit(3)+"""${HOSTILE}/v1/chat/completions`;
  let server: RunningServer;
  const hostile = (...argv: string[]) => snippetIn(fixtures, 'hostile_routes.py:app', ...argv);
  const code = async (...argv: string[]) => {
    const run = await hostile(...argv, '--base-url', server.baseUrl);
    assert.equal(run.code, 0, run.stderr);
    return run.stdout;
  };

  before(async function () {
    server = await startUvicorn({ cwd: fixtures, app: 'hostile_routes:app' });
  });

  after(async function () {
    await server?.stop();
  });

  for (const [name, route, method] of [
    ['sse on GET', `${HOSTILE}/sse`, 'GET'],
    ['ai-sdk', `${HOSTILE}/chat`, 'POST'],
    ['openai', OPENAI, 'POST'],
  ] as const) {
    it(`fetch: ${name}`, async function () {
      const output = await runTsSnippet({ 'streamReply.mts': await code('--route', route, '--method', method, '--client', 'fetch') }, 'streamReply.mts');
      assert.equal(output.trim(), expectedOutput());
    });
  }

  it('fetch: the error message of a failed request names the URL, and runs nothing from the path', async function () {
    const run = await hostile('--route', `${HOSTILE}/sse`, '--client', 'fetch', '--base-url', `${server.baseUrl}/missing`);
    assert.equal(run.code, 0, run.stderr);
    const result = await runTs({ 'streamReply.mts': run.stdout }, 'streamReply.mts');
    assert.equal(result.exitCode, 1, result.stderr);
    assert.match(
      result.stderr,
      /Error: GET http:\/\/127\.0\.0\.1:\d+\/missing\/h\/'''%0Aprocess\.exit\(5\)\/\/\$\{process\.exit\(6\)\}%60id%60\S+\/sse failed: HTTP 404/,
    );
  });

  it('openai-node and openai-python', async function () {
    assert.equal((await runTsSnippet({ 'chat.mts': await code('--route', OPENAI, '--client', 'openai-node') }, 'chat.mts')).trim(), expectedOutput());
    assert.equal((await runPythonSnippet(await code('--route', OPENAI, '--client', 'openai-python'))).trim(), expectedOutput());
  });

  for (const [name, route, method] of [
    ['sse on GET', `${HOSTILE}/sse`, 'GET'],
    ['ai-sdk', `${HOSTILE}/chat`, 'POST'],
    ['openai', OPENAI, 'POST'],
  ] as const) {
    it(`httpx and curl: ${name}`, async function () {
      assert.equal((await runPythonSnippet(await code('--route', route, '--method', method, '--client', 'httpx'))).trim(), expectedOutput());
      assert.equal(await runCurlSnippet(await code('--route', route, '--method', method, '--client', 'curl')), expectedOutput());
    });
  }

  it('ai-sdk: the useChat module’s own transport', async function () {
    const output = await runTsSnippet({ 'Chat.tsx': await code('--route', `${HOSTILE}/chat`, '--client', 'ai-sdk'), 'drive.mts': AI_SDK_DRIVER }, 'drive.mts');
    assert.equal((JSON.parse(output) as unknown[]).length, 3);
  });

  it('eventsource: pasted into a page’s <script>, in Chromium', async function () {
    const browser = await launchBrowser();
    try {
      assert.equal(await runInChromium(browser, server.baseUrl, await code('--route', `${HOSTILE}/sse`, '--client', 'eventsource')), expectedOutput());
    } finally {
      await browser.close();
    }
  });
});
