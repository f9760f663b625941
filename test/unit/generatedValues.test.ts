/**
 * Values from the user's project that add-endpoint places into the Python it writes (a router prefix reaches
 * the route's docstring and the body model's) go through the Python escaper: the module still parses, with
 * Python's own parser, and each docstring says the URL, character for character.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { planAddEndpoint, type AddEndpointRequest } from '../../src/core/plan/endpoint';
import { findAnalyzedLlmCalls, planLlmFixes } from '../../src/core/plan/llm/planLlmFixes';
import { streamingModuleTarget } from '../../src/core/plan/llm/streamingModuleTarget';
import { analyzePythonModule } from '../../src/core/python/analysis';

/** A prefix that closes a docstring, then (on its own line, inside the triple-quoted literal) calls os._exit. */
const PREFIX = '/h/"""+__import__("os")._exit(3)+"""\n\'\'\'x $(id) ${process.exit(1)} `x` */ </script>\u202e';

/** An app whose router (with `prefix`, as Python source that evaluates to it) has one route. */
const appWith = (prefix: string): string =>
  [
    'from fastapi import APIRouter, FastAPI',
    '',
    // The prefix as Python source: a single-quoted literal (it holds """) and a triple-quoted one (a newline).
    `router = APIRouter(prefix='${prefix.slice(0, prefix.indexOf('\n'))}' """${prefix.slice(prefix.indexOf('\n'))}""")`,
    '',
    '',
    '@router.get("/history")',
    'async def history() -> list[str]:',
    '    return []',
    '',
    '',
    'app = FastAPI()',
    'app.include_router(router)',
    '',
  ].join('\n');
const APP = appWith(PREFIX);
/** For the curl line: `<...>` in a URL marks a prefix Catalyst could not read, so this one has no `</script>`. */
const SHELL_PREFIX = PREFIX.replace('</script>', '; rm -rf ~ | cat &');

describe('values placed in generated Python', function () {
  it('a hostile router prefix stays inside the docstrings of every kind of route add-endpoint writes', async function () {
    const requests: AddEndpointRequest[] = [
      { target: { file: 'main.py', id: 'router' } },
      { target: { file: 'main.py', id: 'router' }, method: 'POST' },
      { target: { file: 'main.py', id: 'router' }, protocol: 'ai-sdk' },
      { target: { file: 'main.py', id: 'router' }, protocol: 'openai' },
    ];
    const modules: Array<{ source: string; url: string }> = [];
    for (const request of requests) {
      const plan = await planAddEndpoint(new Map([['main.py', APP]]), request);
      assert.equal(plan.status, 'planned', plan.status === 'refused' ? plan.message : plan.status);
      if (plan.status !== 'planned') {
        return;
      }
      assert.ok(plan.endpoint.url.startsWith(PREFIX), plan.endpoint.url);
      modules.push({ source: plan.changes.find((c) => c.path === 'main.py')!.after, url: plan.endpoint.url });
    }
    // Each module parses; every docstring of the functions and classes it defines, with its lines joined,
    // holds the URL exactly (or none at all: the old routes).
    const program = `
import ast, json, sys
out = []
for source in json.load(sys.stdin):
    tree = ast.parse(source)
    docs = [ast.get_docstring(n) or "" for n in ast.walk(tree) if isinstance(n, (ast.AsyncFunctionDef, ast.ClassDef))]
    out.append([" ".join(d.split()) for d in docs])
print(json.dumps(out))`;
    const docs = JSON.parse(execFileSync('python3', ['-c', program], { input: JSON.stringify(modules.map((m) => m.source)), encoding: 'utf8' })) as string[][];
    modules.forEach(({ url }, i) => {
      // A docstring is read with its lines joined: the URL's own newline reads as the escape it was written as.
      const shown = ` ${url} `.split(/\s+/).join(' ').trim();
      assert.ok(
        docs[i]!.some((doc) => doc.includes(shown)),
        `${JSON.stringify(url)} in none of ${JSON.stringify(docs[i])}`,
      );
    });
  });

  it('the "Try it" lines add-endpoint prints give uvicorn and curl each word whole, and run nothing from the folder or prefix', async function () {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'catalyst-hostile-'));
    const folder = "my app $(id) `id` it's";
    try {
      await mkdir(path.join(dir, folder));
      await writeFile(path.join(dir, folder, 'main.py'), appWith(SHELL_PREFIX));
      let stdout = '';
      const code = await main(['add-endpoint', '--workspace', dir, '--app', `${folder}/main.py:router`, '--method', 'POST', '--no-verify'], {
        stdout: (t) => (stdout += t),
        stderr: () => undefined,
        cwd: dir,
      });
      assert.equal(code, 0, stdout);
      const tryIt = stdout.split('\n').filter((l) => /^(Try it|   then): /.test(l));
      assert.equal(tryIt.length, 2, stdout);
      // sh runs the lines with a uvicorn and a curl that print their arguments, one per line.
      const run = (line: string) =>
        execFileSync('sh', ['-c', `uvicorn() { printf '%s\\n' "$@"; }\ncurl() { printf '%s\\n' "$@"; }\n${line.replace(/^(Try it|   then): /, '')}`], {
          encoding: 'utf8',
        }).split('\n');
      assert.deepEqual(run(tryIt[0]!), ['--app-dir', folder, 'main:app', '']);
      const args = run(tryIt[1]!);
      const url = new URL(args[args.length - 2]!);
      assert.equal(decodeURIComponent(url.pathname), `${SHELL_PREFIX}/stream`);
      assert.equal(url.search + url.hash, '');
      assert.deepEqual(args.slice(0, 5), ['-N', '-H', 'content-type: application/json', '-d', '{"prompt": "Hi"}']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  /** A module file name that, pasted into `from NAME import ...`, imports os and runs id when the app starts. */
  const INJECTING_MODULE = "os import system as _;_('id');from x.py";

  it('a streaming module whose name is not a Python module name is refused by add-endpoint, not imported', async function () {
    const plan = await planAddEndpoint(new Map([['main.py', 'from fastapi import FastAPI\n\napp = FastAPI()\n']]), { moduleLocation: INJECTING_MODULE });
    assert.equal(plan.status, 'refused');
    assert.match(
      plan.status === 'refused' ? plan.message : '',
      /main\.py cannot import the streaming package at os import system as _;_\('id'\);from x\.py \(no import reaches it from there: are its folder and file names Python identifiers/,
    );
  });

  it('…and by the LLM quick fix, which says why', async function () {
    const source = [
      'from fastapi import FastAPI',
      'from openai import AsyncOpenAI',
      '',
      'app = FastAPI()',
      'client = AsyncOpenAI()',
      '',
      '',
      '@app.get("/ask")',
      'async def ask(prompt: str) -> dict[str, str]:',
      '    reply = await client.chat.completions.create(model="m", messages=[{"role": "user", "content": prompt}])',
      '    return {"text": reply.choices[0].message.content or ""}',
      '',
    ].join('\n');
    const target = streamingModuleTarget('/w/main.py', () => false, { workspaceFolder: '/w', relativePath: INJECTING_MODULE });
    const analysis = await analyzePythonModule(source);
    const call = findAnalyzedLlmCalls(analysis)[0]!;
    analysis.dispose();
    const plan = await planLlmFixes(source, call.node.startIndex, { style: 'rewrite', streamingImport: target.importModule });
    assert.deepEqual(plan.fixes, []);
    assert.deepEqual(plan.refused, [
      { kind: 'stream', reason: `the streaming module's name ${JSON.stringify(INJECTING_MODULE.slice(0, -3))} is not a Python module name` },
    ]);
  });
});
