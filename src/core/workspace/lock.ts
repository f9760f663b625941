/**
 * Serialising Catalyst runs that write the same workspace or file: an exclusive lock file per key in the
 * system's temp folder (never in the user's project). It holds the owner's pid; a lock whose process is gone
 * (it crashed or was killed) is taken over, so a crash never leaves a workspace locked.
 */
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export class LockBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockBusyError';
  }
}

export interface LockOptions {
  /** How long to wait for another run to finish before giving up (default 30 s). */
  readonly waitMs?: number;
  /** Folder of the lock files (tests); default the system's temp folder. */
  readonly folder?: string;
}

const POLL_MS = 25;

/** Runs `body` holding the locks of every key (absolute paths), taken in sorted order so two runs cannot deadlock. */
export async function withLocks<T>(keys: readonly string[], body: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const held: string[] = [];
  try {
    for (const key of [...new Set(keys)].sort()) {
      const file = lockFile(key, options.folder);
      await acquire(file, key, options.waitMs ?? 30_000);
      held.push(file);
    }
    return await body();
  } finally {
    for (const file of held.reverse()) {
      await rm(file, { force: true });
    }
  }
}

function lockFile(key: string, folder = os.tmpdir()): string {
  return path.join(folder, `catalyst-streaming-${createHash('sha1').update(key).digest('hex').slice(0, 16)}.lock`);
}

async function acquire(file: string, key: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await writeFile(file, `${process.pid}\n${key}\n`, { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
    }
    const owner = await readFile(file, 'utf8').then(
      (text) => Number.parseInt(text, 10),
      () => NaN,
    );
    if (Number.isInteger(owner) && !isAlive(owner)) {
      // Its owner is gone: the lock is stale. (A lock file being written right now reads as NaN: wait.)
      await rm(file, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new LockBusyError(`another Catalyst run${Number.isInteger(owner) ? ` (pid ${owner})` : ''} is writing to ${key}; try again when it has finished`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) {
    return true;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
