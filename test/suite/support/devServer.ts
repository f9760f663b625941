/** What the dev server tests ask of a running (or stopped) server task. */
import * as vscode from 'vscode';
import { waitForPort } from '../../../src/core/net/ports';

/** The command line a task runs, whatever kind of execution it is. */
export function commandLineOf(task: vscode.Task): string {
  const execution = task.execution;
  if (execution instanceof vscode.ProcessExecution) {
    return [execution.process, ...execution.args].join(' ');
  }
  if (execution instanceof vscode.ShellExecution) {
    const command = typeof execution.command === 'string' ? execution.command : execution.command?.value;
    return [command ?? execution.commandLine ?? '', ...(execution.args ?? []).map((a) => (typeof a === 'string' ? a : a.value))].join(' ');
  }
  return '';
}

/** Whether nothing accepts connections on the port (tried for 200 ms). */
export async function portIsClosed(port: number): Promise<boolean> {
  return waitForPort(port, { timeoutMs: 200 }).then(
    () => false,
    () => true,
  );
}
