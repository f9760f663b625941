/**
 * The two Python stacks every Python-facing test runs on:
 *  - "current": today's PyPI stack (FastAPI 0.165, Starlette 1.x, Pydantic 2, uvicorn[standard], orjson, the
 *    provider SDKs), pinned in requirements/current-stack.txt and installed by scripts/setup.sh into .venv/current;
 *  - "oldest": Debian's python3-fastapi (FastAPI 0.92, Starlette 0.26, Pydantic 1, uvicorn 0.17), the oldest
 *    stack we support, at /usr/bin/python3.
 * CATALYST_TEST_STACKS=current (or oldest) narrows a local run to one of them; `npm test` runs both.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findPython, type PythonInterpreter } from '../../src/core/python/interpreter';

export type StackName = 'current' | 'oldest';

export interface PythonStack {
  readonly name: StackName;
  /** Test-title suffix that says which stack ran, e.g. "[current stack]". */
  readonly tag: string;
  /** The interpreter of this stack, checked to import FastAPI and uvicorn (cached). */
  interpreter(): Promise<PythonInterpreter>;
  /** Whether this stack has the packages (e.g. orjson, the provider SDKs) a test needs; cached per module. */
  has(module: string): Promise<boolean>;
}

/**
 * The checkout this file belongs to: the nearest folder up from here with the stack's lock file. Not a fixed
 * '../..': the extension-host suite runs this code bundled into dist/test/suite.
 */
const REPO_ROOT = (() => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'requirements', 'current-stack.txt'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '../..');
  }
})();
const INTERPRETERS: Record<StackName, { readonly command: string; readonly install: string }> = {
  current: { command: path.join(REPO_ROOT, '.venv/current/bin/python'), install: 'bash scripts/setup.sh' },
  oldest: { command: '/usr/bin/python3', install: 'bash scripts/setup.sh (Debian python3-fastapi python3-uvicorn)' },
};

function makeStack(name: StackName): PythonStack {
  let interpreter: Promise<PythonInterpreter> | undefined;
  const modules = new Map<string, Promise<boolean>>();
  const { command, install } = INTERPRETERS[name];
  return {
    name,
    tag: `[${name} stack]`,
    interpreter() {
      interpreter ??= findPython(['fastapi', 'uvicorn'], [command]).catch((error: unknown) => {
        throw new Error(`The ${name} Python stack is missing (${command}); run ${install}.\n${String(error)}`);
      });
      return interpreter;
    },
    has(module: string) {
      let known = modules.get(module);
      if (!known) {
        known = findPython([module], [command]).then(
          () => true,
          () => false,
        );
        modules.set(module, known);
      }
      return known;
    },
  };
}

const ALL_STACKS: readonly PythonStack[] = [makeStack('current'), makeStack('oldest')];

/** The stacks this run tests: both, unless CATALYST_TEST_STACKS names some. */
export const PYTHON_STACKS: readonly PythonStack[] = (() => {
  const wanted = process.env.CATALYST_TEST_STACKS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!wanted || wanted.length === 0) return ALL_STACKS;
  const unknown = wanted.filter((w) => !ALL_STACKS.some((s) => s.name === w));
  if (unknown.length > 0) throw new Error(`CATALYST_TEST_STACKS: unknown stack ${unknown.join(', ')} (current, oldest)`);
  return ALL_STACKS.filter((s) => wanted.includes(s.name));
})();

export function pythonStack(name: StackName): PythonStack {
  const stack = ALL_STACKS.find((s) => s.name === name);
  if (!stack) throw new Error(`no stack ${name}`);
  return stack;
}

/** The interpreter for tests that need any FastAPI (not a stack-specific behaviour): the current stack's. */
export function testPython(stack: StackName = 'current'): Promise<PythonInterpreter> {
  return pythonStack(stack).interpreter();
}
