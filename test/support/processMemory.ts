/** Another process's memory as Linux reports it (tests and benchmarks measure uvicorn from outside). */
import { readFileSync } from 'node:fs';

/** VmRSS (resident set size) of process `pid` in kB, from /proc/PID/status. */
export function residentKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  if (!line) {
    throw new Error(`no VmRSS in /proc/${pid}/status`);
  }
  return Number(line.slice('VmRSS:'.length).trim().split(/\s+/)[0]);
}
