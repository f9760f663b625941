/**
 * One way for a test to start a server process and wait for its port (nginx, redis-server, uvicorn): on a free
 * 127.0.0.1 port, its output (stdout and stderr interleaved) kept for the failure message, given up on as soon
 * as it exits, and stopped the way that process wants to be stopped. The extension-host runner starts
 * code-server its own way (test/host/codeServer.mjs: plain Node without tsx, and it waits for /healthz).
 */
import type { ChildProcess } from 'node:child_process';
import { freePort, waitForPort } from '../../src/core/net/ports';
import { stopProcessGroup } from '../../src/core/process/stopProcessGroup';
import { loadExeca } from './execa';

/**
 * How a process is stopped: its own process group (started detached), SIGINT to the whole group then SIGKILL
 * after `graceMs` (uvicorn and coverage.py around it); or one signal to the process, SIGKILL after `graceMs`.
 */
export type StopHow = { readonly group: true; readonly graceMs: number } | { readonly signal: NodeJS.Signals; readonly graceMs: number };

export interface ProcessSpec {
  /** What it is, for messages: "nginx", "redis-server", "uvicorn main:app". */
  readonly name: string;
  readonly command: string;
  /** Its arguments, given the port it must listen on (and anything written for that port first, e.g. a config). */
  readonly args: (port: number) => readonly string[] | Promise<readonly string[]>;
  readonly cwd?: string;
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly startTimeoutMs: number;
  readonly stop: StopHow;
  /** Tries on a fresh port when it does not listen in time or exits first (another process took the port). */
  readonly attempts?: number;
  /** This port rather than a free one (a server restarted where its clients expect it); one attempt. */
  readonly port?: number;
}

export interface RunningProcess {
  readonly port: number;
  /** Everything it printed so far. */
  output(): string;
  /** Stops it (and waits until it has exited); later calls return the same promise. */
  stop(): Promise<void>;
}

export async function startListening(spec: ProcessSpec): Promise<RunningProcess> {
  const execa = await loadExeca();
  const group = 'group' in spec.stop;
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < (spec.attempts ?? 1); attempt++) {
    const port = spec.port ?? (await freePort());
    const child = execa(spec.command, await spec.args(port), {
      ...(spec.cwd !== undefined && { cwd: spec.cwd }),
      ...(spec.env !== undefined && { env: spec.env }),
      all: true,
      reject: false,
      detached: group,
    });
    let output = '';
    child.all?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const exited = new AbortController();
    const done = child.then(() => exited.abort());
    let stopped: Promise<void> | undefined;
    const stop = () => (stopped ??= stopChild(child, done, spec.stop));
    try {
      await waitForPort(port, { timeoutMs: spec.startTimeoutMs, signal: exited.signal });
      return { port, output: () => output, stop };
    } catch (error) {
      await stop();
      lastError = new Error(`${spec.name} did not start on port ${port}: ${(error as Error).message}\n${output}`);
    }
  }
  throw lastError ?? new Error(`${spec.name}: no attempt made`);
}

async function stopChild(child: ChildProcess, done: Promise<void>, how: StopHow): Promise<void> {
  if ('group' in how) {
    await stopProcessGroup(child, how.graceMs);
    return;
  }
  child.kill(how.signal);
  const timer = how.signal === 'SIGKILL' ? undefined : setTimeout(() => child.kill('SIGKILL'), how.graceMs);
  await done;
  clearTimeout(timer);
}
