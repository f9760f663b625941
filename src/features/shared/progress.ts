/** Progress for work that is usually instant: a notification appears only if it takes longer than a moment. */
import * as vscode from 'vscode';

const MOMENT_MS = 400;

export async function withDelayedProgress<T>(title: string, task: (token: vscode.CancellationToken) => Promise<T>): Promise<T> {
  const cancellation = new vscode.CancellationTokenSource();
  const work = task(cancellation.token);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => resolve('slow'), MOMENT_MS);
  });
  try {
    if (
      (await Promise.race([
        work.then(
          () => 'done' as const,
          () => 'done' as const,
        ),
        slow,
      ])) === 'slow'
    ) {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => {
        token.onCancellationRequested(() => cancellation.cancel());
        return work;
      });
    }
    return await work;
  } finally {
    clearTimeout(timer);
    cancellation.dispose();
  }
}
