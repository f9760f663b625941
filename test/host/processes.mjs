// @ts-check
// Process trees that must not outlive the run. code-server forks an extension host, a pty host and, through
// the tests, terminal shells (node-pty puts each in its own session) running uvicorn; Chromium forks its
// renderers. Killing a process group therefore is not enough: every descendant found under /proc is killed too.
import { readdirSync, readFileSync } from 'node:fs';

/** Parent pid of `pid` from /proc/<pid>/stat, or undefined when the process is gone. */
function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is parenthesised and may contain spaces or parentheses: parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

/** All live descendants of `root` (children first discovered, breadth-first), excluding `root` itself. */
export function descendantsOf(root) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentOf(Number(entry));
    if (ppid === undefined) continue;
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(entry));
  }
  const found = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signal(pid, sig) {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false; // already gone
  }
}

function isAlive(pid) {
  return signal(pid, 0);
}

/**
 * Kills `leader` (started with `detached: true`, so it leads its own process group), its group and every
 * descendant, synchronously with SIGKILL. Safe to call more than once and from an 'exit' handler.
 */
export function killTreeNow(leader) {
  if (!leader) return;
  const victims = [leader, ...descendantsOf(leader)];
  signal(-leader, 'SIGKILL');
  for (const pid of victims) signal(pid, 'SIGKILL');
}

/**
 * Asks `leader`'s tree to stop with SIGTERM (so processes can flush, e.g. V8 coverage), then SIGKILLs whatever
 * is still alive after `graceMs`. Descendants are collected before signalling: once a parent dies its
 * children are re-parented and can no longer be found from it.
 */
export async function stopTree(leader, graceMs = 3000) {
  if (!leader) return;
  const victims = [leader, ...descendantsOf(leader)];
  signal(-leader, 'SIGTERM');
  for (const pid of victims) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && victims.some(isAlive)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  signal(-leader, 'SIGKILL');
  for (const pid of victims) signal(pid, 'SIGKILL');
}
