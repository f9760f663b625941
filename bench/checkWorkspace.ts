/**
 * `check` on a generated project of 300 Python files and 30,000 lines, cold: a fresh `node dist/cli.js check`
 * process each time (what CI runs), median wall clock and CPU of a few runs. The budget is < 1.5 s; printed,
 * not asserted. The project is a package of routers, services and helpers that call each other across
 * modules, with LLM calls reached through Depends providers, so the call graph is exercised, not only parsed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Benchmark } from './benchmark';

const FILES = 300;
const LINES = 30_000;
const RUNS = 5;

function serviceModule(i: number): string {
  const lines = [
    '"""A service of the generated project."""',
    '',
    'from openai import AsyncOpenAI, OpenAI',
    '',
    `from app.helpers.h${i % 50} import helper_${i % 50}`,
    '',
    '',
    `class Service${i}:`,
    '    def __init__(self) -> None:',
    '        self.client = OpenAI()',
    '        self.aclient = AsyncOpenAI()',
    '',
    '    def answer(self, question: str) -> str:',
    '        completion = self.client.chat.completions.create(',
    '            model="gpt-4o-mini",',
    '            messages=[{"role": "user", "content": helper_' + (i % 50) + '(question)}],',
    '        )',
    '        return completion.choices[0].message.content or ""',
    '',
    '',
    `def get_service_${i}() -> Service${i}:`,
    `    return Service${i}()`,
  ];
  return lines.join('\n');
}

function helperModule(i: number): string {
  return [`def helper_${i}(text: str) -> str:`, `    return text.strip() + "${i}"`].join('\n');
}

function routerModule(i: number): string {
  return [
    'from typing import Annotated',
    '',
    'from fastapi import APIRouter, Depends',
    '',
    `from app.services.s${i} import Service${i}, get_service_${i}`,
    '',
    `router = APIRouter(prefix="/r${i}")`,
    '',
    '',
    '@router.get("/ask")',
    `async def ask(q: str, service: Annotated[Service${i}, Depends(get_service_${i})]) -> str:`,
    '    return service.answer(q)',
  ].join('\n');
}

/** Filler that parses like ordinary code: plain functions with a few statements each. */
function filler(prefix: string, lines: number): string {
  const out: string[] = [];
  for (let n = 0; out.length < lines; n++) {
    out.push(
      '',
      '',
      `def ${prefix}_util_${n}(values: list[int]) -> int:`,
      '    total = 0',
      '    for value in values:',
      '        total += value * 2',
      '    return total',
    );
  }
  return out.slice(0, lines).join('\n');
}

async function generate(root: string): Promise<{ files: number; lines: number }> {
  const perFile = Math.floor(LINES / FILES);
  const modules: Array<[string, string]> = [
    ['app/__init__.py', ''],
    ['app/services/__init__.py', ''],
    ['app/routers/__init__.py', ''],
    ['app/helpers/__init__.py', ''],
  ];
  const routers = 100;
  const includes = Array.from({ length: routers }, (_, i) => `app.include_router(r${i}.router)`);
  const imports = Array.from({ length: routers }, (_, i) => `from app.routers import r${i}`);
  modules.push(['app/main.py', ['from fastapi import FastAPI', '', ...imports, '', 'app = FastAPI()', ...includes].join('\n')]);
  for (let i = 0; i < routers; i++) {
    modules.push([`app/routers/r${i}.py`, routerModule(i)], [`app/services/s${i}.py`, serviceModule(i)]);
  }
  for (let i = 0; modules.length < FILES; i++) {
    modules.push([`app/helpers/h${i}.py`, helperModule(i)]);
  }
  let lines = 0;
  for (const [file, text] of modules) {
    const own = text.split('\n').length;
    const body = `${text}\n${filler(path.basename(file, '.py'), Math.max(0, perFile - own))}\n`;
    lines += body.split('\n').length - 1;
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), body);
  }
  return { files: modules.length, lines };
}

export const checkWorkspaceBenchmark: Benchmark = {
  name: 'check-workspace',
  description: `check on a generated ${FILES}-file, ${LINES.toLocaleString('en')}-line project, cold (budget < 1.5 s)`,
  async run() {
    const root = await mkdtemp(path.join(tmpdir(), 'catalyst-check-bench-'));
    try {
      const { files, lines } = await generate(root);
      const cli = path.join(__dirname, '../dist/cli.js');
      const walls: number[] = [];
      const cpus: number[] = [];
      let findings = 0;
      for (let run = 0; run < RUNS; run++) {
        const started = performance.now();
        // GNU time reports the child's own CPU time (user + system), which the shared machine's load inflates far less than wall clock.
        const timeFile = path.join(root, '.time');
        const command = ['-o', timeFile, '-f', '%U %S', process.execPath, cli, 'check', '--json', '.'];
        let stdout = '';
        try {
          stdout = execFileSync('/usr/bin/time', command, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        } catch (error) {
          // Exit 1: problems found, which this project has on purpose.
          stdout = (error as { stdout?: string }).stdout ?? '';
        }
        walls.push(performance.now() - started);
        const [user = 0, system = 0] = (await readFile(timeFile, 'utf8')).trim().split('\n').pop()!.split(' ').map(Number);
        cpus.push((user + system) * 1000);
        findings = (JSON.parse(stdout) as unknown[]).length;
      }
      walls.sort((a, b) => a - b);
      cpus.sort((a, b) => a - b);
      process.stdout.write(
        `${files} files, ${lines.toLocaleString('en')} lines, ${findings} findings (2 per router: the sync service call, reached from its async route)\n` +
          `wall clock per cold run: median ${walls[Math.floor(RUNS / 2)]!.toFixed(0)} ms (min ${walls[0]!.toFixed(0)}, max ${walls[RUNS - 1]!.toFixed(0)}) over ${RUNS} runs; load average ${loadavg()[0]!.toFixed(1)}\n` +
          `CPU time (user + system) per cold run: median ${cpus[Math.floor(RUNS / 2)]!.toFixed(0)} ms (min ${cpus[0]!.toFixed(0)}, max ${cpus[RUNS - 1]!.toFixed(0)})\n`,
      );
    } finally {
      if (process.env['CATALYST_BENCH_KEEP'] === undefined) {
        await rm(root, { recursive: true, force: true });
      } else {
        process.stdout.write(`kept ${root}\n`);
      }
    }
  },
};
