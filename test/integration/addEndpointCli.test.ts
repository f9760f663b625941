/**
 * The add-endpoint CLI's contract: bad input leaves the workspace byte for byte as it was (every case compares a
 * digest of the whole tree), --dry-run prints a patch that reproduces the real change, --json has the
 * documented shape; and the SDK token sources, type-checked in strict mode against the real SDKs and streamed
 * from uvicorn with the real SDKs of the current stack, pointed at the local provider of test/support/providers.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { applyPatch, parsePatch } from 'diff';
import { startProviderServer } from '../support/providers/server';
import { pythonStack } from '../support/python';
import { makeTempDir, withTempDir } from '../support/tempdir';
import { startUvicorn } from '../support/uvicorn';
import { copyFixture, pyrightProjects, runCli, runCliWithPython, streamTokens, treeDigest } from './addEndpointSupport';

describe('add-endpoint CLI', function () {
  this.timeout(60_000);

  describe('bad input: a clear message and not one byte changed', () => {
    let dir: string;

    beforeEach(async () => {
      dir = await copyFixture('single-file', path.join(await makeTempDir('add-endpoint-bad'), 'ws'));
    });

    afterEach(async () => {
      await chmod(path.join(dir, 'main.py'), 0o644).catch(() => undefined);
      await rm(path.dirname(dir), { recursive: true, force: true });
    });

    async function refusedWithoutChange(args: readonly string[], exitCode: number, message: RegExp): Promise<void> {
      const before = await treeDigest(dir);
      const run = await runCli(['add-endpoint', '--workspace', dir, ...args]);
      assert.equal(run.code, exitCode, `exit code; stderr: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, '');
      assert.deepEqual(await treeDigest(dir), before);
    }

    it('an invalid route path', () => refusedWithoutChange(['--route', 'stream now'], 2, /Invalid route path: a route path starts with "\/"/));

    it('a route with a dot segment (plain or percent-encoded), which clients remove before sending', async () => {
      for (const route of ['/a/../b', '/a/./b', '/a/%2e%2e/b']) {
        await refusedWithoutChange(['--route', route], 2, /Invalid route path: ".*" has a dot segment \(".*"\): clients remove it before sending/);
      }
    });

    it('a refused route is echoed with its control and bidi characters escaped', async () => {
      await refusedWithoutChange(['--route', '/a\u202eb\u001b[2J'], 2, /Invalid route path: "a\\u202eb\\x1b\[2J" is not a valid path segment/);
      await refusedWithoutChange(['--route', 'x\u2066\r'], 2, /got "x\\u2066\\r"/);
    });

    it('a route that is already taken', () =>
      refusedWithoutChange(['--route', '/todos'], 1, /The route \/todos is already taken by GET \/todos in main\.py:17 \(list_todos\)/));

    it('no FastAPI app', async () => {
      await writeFile(path.join(dir, 'main.py'), 'print("not an app")\n');
      await refusedWithoutChange([], 1, /No FastAPI app found/);
    });

    it('a target file with syntax errors', async () => {
      await writeFile(path.join(dir, 'main.py'), `${await readFile(path.join(dir, 'main.py'), 'utf8')}\n\ndef broken(:\n    pass\n`);
      await refusedWithoutChange([], 1, /main\.py has a syntax error at line 30, column \d+; fix it first/);
    });

    it('a NUL byte in the target file: a message that says so and where, not a syntax error', async () => {
      const original = await readFile(path.join(dir, 'main.py'), 'utf8');
      const lines = original.split('\n');
      lines[3] = `ab\u0000${lines[3]}`;
      await writeFile(path.join(dir, 'main.py'), lines.join('\n'));
      await refusedWithoutChange([], 1, /main\.py contains a NUL byte \(\\x00\) at line 4, column 3: Python refuses to run a file that holds one/);
    });

    it('a file named streaming where the generated package goes, and a folder where a generated file goes', async () => {
      await writeFile(path.join(dir, 'streaming'), 'notes\n');
      await refusedWithoutChange(
        [],
        1,
        /streaming is a file, where the generated folder streaming\/ goes \(for streaming\/__init__\.py\)\. Nothing was written\./,
      );
      await rm(path.join(dir, 'streaming'));
      await mkdir(path.join(dir, 'streaming', 'events.py'), { recursive: true });
      await refusedWithoutChange([], 1, /streaming\/events\.py is a folder, where the generated file streaming\/events\.py goes\. Nothing was written\./);
    });

    it('a folder named streaming.py: the package is added beside it, and a note says Python never imports that folder', async () => {
      await mkdir(path.join(dir, 'streaming.py'));
      const run = await runCli(['add-endpoint', '--workspace', dir, '--no-verify']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /note: streaming\.py is a folder, not a Python module: `import streaming` imports the generated package beside it/);
      assert.ok((await readFile(path.join(dir, 'streaming', '__init__.py'), 'utf8')).length > 0);
    });

    it('a read-only target file: checked before anything is written, so the new module is not created either', async () => {
      await chmod(path.join(dir, 'main.py'), 0o444);
      await refusedWithoutChange([], 1, /Nothing was written: main\.py is read-only\./);
    });

    it('an unknown --source', async () => {
      await refusedWithoutChange(
        ['--source', 'gpt-4'],
        2,
        /unknown --source "gpt-4": expected demo, anthropic, openai, groq, or the name of an async generator function/,
      );
      await refusedWithoutChange(['--source', 'my_tokens'], 1, /Unknown token source "my_tokens"/);
    });

    it('a wrong --method, --app or option', async () => {
      await refusedWithoutChange(['--method', 'PUT'], 2, /--method must be GET or POST, got "PUT"/);
      await refusedWithoutChange(['--app', 'main.py:api'], 1, /main\.py has no FastAPI app or APIRouter named api; it has app/);
      await refusedWithoutChange(['--app', 'nope.py'], 1, /nope\.py is not a Python file of this workspace/);
      await refusedWithoutChange(['--frobnicate'], 2, /Unknown option '--frobnicate'/);
    });

    it('--dry-run prints a unified diff that reproduces the real change, and writes nothing', async () => {
      const before = await treeDigest(dir);
      const original = await readFile(path.join(dir, 'main.py'), 'utf8');
      const dry = await runCli(['add-endpoint', '--workspace', dir, '--dry-run']);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stderr, /Dry run: nothing was written\. GET \/stream on app in main\.py/);
      assert.deepEqual(await treeDigest(dir), before);

      const patches = parsePatch(dry.stdout);
      const packageFiles = ['__init__.py', 'events.py', 'finish.py', 'lifecycle.py', 'parts.py', 'response.py', 'tokens.py'].map((file) => `streaming/${file}`);
      assert.deepEqual(
        patches.map((p) => [p.oldFileName, p.newFileName]),
        [...packageFiles.map((file) => ['/dev/null', `b/${file}`]), ['a/main.py', 'b/main.py']],
      );
      const real = await runCli(['add-endpoint', '--workspace', dir]);
      assert.equal(real.code, 0, real.stderr);
      assert.equal(applyPatch(original, patches.at(-1)!), await readFile(path.join(dir, 'main.py'), 'utf8'));
      for (const [index, file] of packageFiles.entries()) {
        assert.equal(applyPatch('', patches[index]!), await readFile(path.join(dir, file), 'utf8'), file);
      }
    });

    it('--json prints one object of the documented shape, for every outcome', async () => {
      const python = (await pythonStack('current').interpreter()).command;
      const applied = await runCliWithPython(python, ['add-endpoint', '--workspace', dir, '--json', '--method', 'post', '--route', '/chat']);
      assert.equal(applied.code, 0, applied.stderr);
      assert.deepEqual(JSON.parse(applied.stdout), {
        status: 'applied',
        message: 'Added POST /chat on app in main.py (function chat, tokens from demo).',
        protocol: 'sse',
        endpoint: {
          file: 'main.py',
          owner: 'app',
          ownerKind: 'app',
          method: 'POST',
          route: '/chat',
          url: '/chat',
          source: 'demo',
          protocol: 'sse',
          resumable: false,
          onDisconnect: 'cancel',
          serve: { appDir: '', app: 'main:app', factory: false },
          functionName: 'chat',
        },
        changes: [
          // A POST route reads its body within limits: request_body.py.
          ...['__init__.py', 'events.py', 'finish.py', 'lifecycle.py', 'parts.py', 'request_body.py', 'response.py', 'tokens.py'].map((file) => ({
            path: `streaming/${file}`,
            kind: 'create',
            description: `create the streaming package file streaming/${file}`,
          })),
          { path: 'main.py', kind: 'modify', description: 'add POST /chat (chat) to app, with demo_tokens' },
        ],
        notes: [],
        verification: { verified: true, python },
      });
      const again = JSON.parse((await runCli(['add-endpoint', '--workspace', dir, '--json', '--method', 'POST', '--route', '/chat'])).stdout) as Record<
        string,
        unknown
      >;
      assert.equal(again.status, 'already-present');
      const resumable = JSON.parse((await runCli(['add-endpoint', '--workspace', dir, '--json', '--resumable', '--route', '/resume'])).stdout) as {
        message: string;
        endpoint: { resumable: boolean; onDisconnect: string };
        changes: Array<{ path: string; kind: string }>;
      };
      assert.equal(resumable.endpoint.resumable, true);
      assert.equal(resumable.endpoint.onDisconnect, 'finish', 'a resumable stream always finishes');
      assert.match(resumable.message, /^Added resumable GET \/resume /);
      assert.deepEqual(
        resumable.changes.map((c) => [c.path, c.kind]),
        [
          ...[
            '__init__.py',
            '_errors.py',
            '_keys.py',
            '_limits.py',
            '_local.py',
            '_producer.py',
            '_redis_client.py',
            '_redis_entries.py',
            '_redis_rounds.py',
            '_redis_wake.py',
            '_runner.py',
            'redis_store.py',
            'response.py',
            'stopping.py',
            'store.py',
          ].map((file) => [`streaming/resumable/${file}`, 'create']),
          ['main.py', 'modify'],
        ],
      );
      const finishing = JSON.parse(
        (await runCli(['add-endpoint', '--workspace', dir, '--json', '--dry-run', '--on-disconnect', 'finish', '--route', '/keep'])).stdout,
      ) as {
        endpoint: { onDisconnect: string };
        diff: string;
      };
      assert.equal(finishing.endpoint.onDisconnect, 'finish');
      assert.match(finishing.diff, /^\+ {8}on_disconnect="finish",$/m);
      const refused = await runCli(['add-endpoint', '--workspace', dir, '--json', '--route', '/todos']);
      assert.equal(refused.code, 1);
      assert.deepEqual(Object.keys(JSON.parse(refused.stdout) as object), ['status', 'reason', 'message']);
      assert.equal((JSON.parse(refused.stdout) as { reason: string }).reason, 'route-taken');
    });

    it('documents the JSON shape in --help', async () => {
      const run = await runCli(['add-endpoint', '--help']);
      assert.equal(run.code, 0);
      assert.match(run.stdout, /JSON output:[\s\S]*"status": "applied" \| "planned" \| "already-present" \| "refused"/);
      assert.match(run.stdout, /--resumable {7}a resumable stream/);
      assert.match(run.stdout, /"resumable": true\|false/);
      assert.match(run.stdout, /--protocol NAME {3}what the route speaks \(default sse\)/);
      assert.match(run.stdout, /"protocol": "sse" \| "ai-sdk" \| "openai"/);
    });

    it('refuses an unknown --protocol, and --method GET with a chat protocol, as usage errors writing nothing', async () => {
      const before = await treeDigest(dir);
      const unknown = await runCli(['add-endpoint', '--workspace', dir, '--protocol', 'vercel']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /unknown --protocol "vercel": expected sse, ai-sdk, openai/);
      const get = await runCli(['add-endpoint', '--workspace', dir, '--protocol', 'ai-sdk', '--method', 'GET']);
      assert.equal(get.code, 2);
      assert.match(get.stderr, /--protocol ai-sdk makes a POST route; leave out --method GET/);
      assert.deepEqual(await treeDigest(dir), before);
      // --resumable goes with every protocol now: a chat route gets its stop endpoint beside it.
      const resumable = await runCli(['add-endpoint', '--workspace', dir, '--protocol', 'openai', '--resumable', '--dry-run']);
      assert.equal(resumable.code, 0, resumable.stderr);
      assert.match(resumable.stdout, /@app\.post\("\/v1\/chat\/completions\/\{stream_id\}\/stop"\)/);
      const policy = await runCli(['add-endpoint', '--workspace', dir, '--on-disconnect', 'later']);
      assert.equal(policy.code, 2);
      assert.match(policy.stderr, /unknown --on-disconnect "later": expected cancel or finish/);
      const cancelResumable = await runCli(['add-endpoint', '--workspace', dir, '--resumable', '--on-disconnect', 'cancel']);
      assert.equal(cancelResumable.code, 2);
      assert.match(cancelResumable.stderr, /a resumable stream .* always finishes/);
      assert.deepEqual(await treeDigest(dir), before);
    });
  });

  describe(`SDK token sources ${pythonStack('current').tag}`, () => {
    it('type-check in strict mode against the real SDKs and stream from uvicorn with them', async function () {
      // pyright strict over the SDKs' stubs and four uvicorn runs: a bound for a loaded 2-core machine, not a budget.
      this.timeout(180_000);
      await withTempDir('add-endpoint-sdk', async (root) => {
        const dir = path.join(root, 'ws');
        await mkdir(dir);
        // A small, fully typed app: pyright strict then judges only the code add-endpoint writes.
        await writeFile(path.join(dir, 'main.py'), 'from fastapi import FastAPI\n\napp = FastAPI()\n');
        // The anthropic chat route passes the SDK's `omit` sentinel as `system`: strict mode checks it types.
        for (const [source, route, method, protocol] of [
          ['anthropic', '/claude', 'GET', 'sse'],
          ['openai', '/gpt', 'POST', 'sse'],
          ['groq', '/llama', 'GET', 'sse'],
          ['demo', '/demo', 'POST', 'sse'],
          ['anthropic', '/claude/chat', 'POST', 'ai-sdk'],
        ] as const) {
          // --no-verify: importing the three SDKs in a subprocess would cost this test's budget; the import check
          // with a real SDK is in addEndpointStarts.test.ts (the configured Azure client).
          const run = await runCli([
            'add-endpoint',
            '--workspace',
            dir,
            '--source',
            source,
            '--route',
            route,
            '--method',
            method,
            '--protocol',
            protocol,
            '--no-verify',
          ]);
          assert.equal(run.code, 0, run.stderr);
        }
        const python = await pythonStack('current').interpreter();
        const { messages } = await pyrightProjects(root, [{ root: 'ws' }], python.executable, { typeCheckingMode: 'strict' });
        const ours = messages.filter((m) => m.startsWith(path.join('ws', 'main.py')) || m.startsWith(path.join('ws', 'streaming.py')));
        assert.deepEqual(ours, []);

        const tokens = ['Streams', ' arrive', ' one', ' delta', ' at', ' a', ' time', '.'];
        const provider = await startProviderServer();
        provider.behave({ tokens, eventDelayMs: 10 });
        const server = await startUvicorn({ cwd: dir, app: 'main:app', env: provider.sdkEnvironment(), python: python.command });
        try {
          for (const [route, method, api] of [
            ['/claude', 'GET', 'anthropic'],
            ['/gpt', 'POST', 'openai-chat'],
            ['/llama', 'GET', 'groq-chat'],
          ] as const) {
            provider.clear();
            const url = `${server.baseUrl}${route}${method === 'GET' ? '?prompt=hi' : ''}`;
            const streamed = await streamTokens(url, method === 'POST' ? { method, body: { prompt: 'hi' } } : {});
            assert.deepEqual(streamed.tokens, tokens, route);
            assert.deepEqual(
              provider.requests.map((r) => [r.api, r.stream, (r.body.messages as Array<{ content: unknown }>)[0]?.content]),
              [[api, true, 'hi']],
              `${route}: one streamed request with the prompt`,
            );
          }
          const demo = await streamTokens(`${server.baseUrl}/demo`, { method: 'POST', body: { prompt: 'posted' } });
          assert.ok(demo.done.text.startsWith('You asked: posted '));
        } finally {
          await server.stop();
          await provider.stop();
        }
      });
    });
  });
});
