/**
 * The dev servers this extension started and that still run, by port: what a second Start, a Restart, the
 * preview's "server older than the code" notice and Add Streaming Endpoint's follow-up ask about. A server is
 * forgotten when its task's process ends (however it ended: stopped, crashed, terminal closed).
 */
import * as vscode from 'vscode';
import { waitForPort } from '../../core/net/ports';
import type { SelectedInterpreter } from '../shared/interpreter';
import type { UvicornApp } from './apps';

export interface RunningDevServer {
  readonly execution: vscode.TaskExecution;
  readonly folder: vscode.WorkspaceFolder;
  readonly app: UvicornApp;
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly python: SelectedInterpreter;
  /** Started with `--reload`: it follows saved edits by itself. */
  readonly reload: boolean;
}

const servers = new Map<number, RunningDevServer>();

export function trackDevServer(server: RunningDevServer): vscode.Disposable {
  servers.set(server.port, server);
  const listener = vscode.tasks.onDidEndTaskProcess((event) => {
    if (event.execution === server.execution) {
      forget();
    }
  });
  function forget(): void {
    listener.dispose();
    if (servers.get(server.port) === server) {
      servers.delete(server.port);
    }
  }
  return { dispose: forget };
}

/** Our server on `port`, if one runs there. */
export function devServerOn(port: number): RunningDevServer | undefined {
  const server = servers.get(port);
  return server && vscode.tasks.taskExecutions.includes(server.execution) ? server : undefined;
}

export function runningDevServers(): RunningDevServer[] {
  return [...servers.values()].filter((server) => vscode.tasks.taskExecutions.includes(server.execution));
}

/** Ends the server's task and waits until its process has ended and the port is free (at most `timeoutMs`). */
export async function stopDevServer(server: RunningDevServer, timeoutMs = 15_000): Promise<void> {
  const ended = new Promise<void>((resolve) => {
    const listener = vscode.tasks.onDidEndTaskProcess((event) => {
      if (event.execution === server.execution) {
        listener.dispose();
        resolve();
      }
    });
    setTimeout(() => {
      listener.dispose();
      resolve();
    }, timeoutMs).unref?.();
  });
  server.execution.terminate();
  await ended;
  servers.delete(server.port);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (await portAnswers(server.host, server.port))) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function portAnswers(host: string, port: number): Promise<boolean> {
  return waitForPort(port, { host, timeoutMs: 0 }).then(
    () => true,
    () => false,
  );
}
