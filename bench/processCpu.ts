/**
 * CPU time of this machine's processes, by name, read from /proc: where a run behind nginx spends its CPU
 * (workers, Redis, nginx, the client), which a wall-clock rate on a saturated 2-core machine hides.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface ProcessCpu {
  readonly name: string;
  readonly seconds: number;
}

/** Process `pid`'s command name and CPU seconds (user + system) so far; undefined once it has ended. */
function processCpu(pid: number | string): ProcessCpu | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so it ends at the last ')'.
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { name, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND }; // utime + stime
}

/** CPU seconds used so far by these processes together. */
export function cpuSecondsOf(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (processCpu(pid)?.seconds ?? 0), 0);
}

/** CPU seconds used so far by every live process named `name` (e.g. all of nginx's workers). */
export function cpuSecondsNamed(name: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cpu = processCpu(entry);
    if (cpu?.name === name) total += cpu.seconds;
  }
  return total;
}
