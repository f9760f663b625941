/** Stopping a child started with `detached: true` (its own process group), children included. */
import type { ChildProcess } from 'node:child_process';

/**
 * SIGINT to the whole group first, so uvicorn (and coverage.py around it) shut down cleanly and write what
 * they must; SIGKILL if anything is still there after `graceMs`. Resolves once the child has exited.
 */
export async function stopProcessGroup(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    return;
  }
  const pid = child.pid;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // Already gone.
    }
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signal('SIGINT');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
