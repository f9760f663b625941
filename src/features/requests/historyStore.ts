/** The preview's request history (core/requests/requestHistory.ts) kept in the workspace's state. */
import type * as vscode from 'vscode';
import type { StreamRequest } from '../../protocol/stream';
import { readHistory, recentRequests, remember } from '../../core/requests/requestHistory';

const KEY = 'catalyst.preview.requestHistory';

export class RequestHistoryStore {
  constructor(private readonly state: vscode.Memento) {}

  remember(request: StreamRequest): Thenable<void> {
    return this.state.update(KEY, remember(readHistory(this.state.get(KEY)), request));
  }

  /** The last requests sent, the route of `current` first. */
  recent(current?: StreamRequest): StreamRequest[] {
    return recentRequests(readHistory(this.state.get(KEY)), current);
  }
}
