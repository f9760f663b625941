/**
 * What a Stream Preview panel posted to its webview, recorded on the test's side from the panel's
 * onDidPostMessage (the panel keeps no buffer for tests). Messages posted before `record()` are not seen: open
 * the panel without `send`, record, then send.
 */
import type * as vscode from 'vscode';
import type { PreviewPanel } from '../../../src/features/preview/previewPanel';
import type { HostMessage } from '../../../src/protocol/preview';
import { waitFor } from './wait';

export type Message<T extends HostMessage['type']> = Extract<HostMessage, { type: T }>;

export interface PostedMessages extends vscode.Disposable {
  readonly all: readonly HostMessage[];
  of<T extends HostMessage['type']>(type: T): Message<T>[];
  /** The `ended` message of `run`, once posted. */
  ended(run: number, what: string, timeoutMs?: number): Promise<Message<'ended'>>;
  /** The number of the latest run started since recording began. */
  lastRun(): number;
}

export function record(preview: PreviewPanel): PostedMessages {
  const all: HostMessage[] = [];
  const subscription = preview.onDidPostMessage((message) => all.push(message));
  const of = <T extends HostMessage['type']>(type: T): Message<T>[] => all.filter((m): m is Message<T> => m.type === type);
  return {
    all,
    of,
    ended: (run, what, timeoutMs) => waitFor(() => of('ended').find((m) => m.run === run), { what, ...(timeoutMs !== undefined && { timeoutMs }) }),
    lastRun: () => {
      const started = of('started').at(-1);
      if (started === undefined) {
        throw new Error('no run started since recording began');
      }
      return started.run;
    },
    dispose: () => subscription.dispose(),
  };
}
