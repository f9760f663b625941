/**
 * Our own edits reach our running dev server: after Add Streaming Endpoint changes files, they are saved (a
 * server only sees files on disk) and the server, which runs with --reload, picks them up. When the new route
 * does not answer within a few seconds (a reloader that missed the change, a server started without
 * --reload), the server is restarted. The user never restarts it by hand for a route we added.
 */
import * as vscode from 'vscode';
import type { Logger } from '../shared/logger';
import { runningDevServers } from './running';
import { restartDevServer } from './startDevServer';

/** How long a reload may take before the server is restarted instead. */
const RELOAD_TIMEOUT_MS = 10_000;

export type FollowedEdit = 'reloaded' | 'restarted' | 'not-answering';

/**
 * Saves `changed` (folder-relative paths) and waits until each of our servers for `folder` answers `routePath`
 * (not 404), restarting one that does not. Resolves to what happened per server URL; empty when none runs.
 */
export async function followOwnEdit(
  folder: vscode.WorkspaceFolder,
  changed: readonly string[],
  routePath: string,
  logger: Logger,
): Promise<Record<string, FollowedEdit>> {
  const servers = runningDevServers().filter((server) => server.folder.uri.toString() === folder.uri.toString());
  if (servers.length === 0) {
    return {};
  }
  for (const file of changed) {
    const uri = vscode.Uri.joinPath(folder.uri, ...file.split('/'));
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (document?.isDirty) {
      await document.save();
    }
  }
  const outcome: Record<string, FollowedEdit> = {};
  for (const server of servers) {
    const url = `${server.url}${routePath}`;
    if (server.reload && (await waitUntilServed(url, Date.now() + RELOAD_TIMEOUT_MS))) {
      logger.info(`The dev server on ${server.url} reloaded: ${routePath} answers`);
      outcome[server.url] = 'reloaded';
      continue;
    }
    logger.info(`The dev server on ${server.url} does not serve ${routePath} yet: restarting it`);
    const restarted = await restartDevServer({ port: server.port }, logger);
    outcome[server.url] = restarted?.status === 'restarted' && (await waitUntilServed(url, Date.now() + RELOAD_TIMEOUT_MS)) ? 'restarted' : 'not-answering';
  }
  return outcome;
}

/**
 * Whether `url` is served: an OPTIONS request answers 405 (or 200 with CORS) on a route path and 404 where
 * no route matches, without running the handler (no stream is started, no body is needed).
 */
async function waitUntilServed(url: string, deadline: number): Promise<boolean> {
  for (;;) {
    const status = await fetch(url, { method: 'OPTIONS', signal: AbortSignal.timeout(2_000) }).then(
      (response) => {
        void response.body?.cancel();
        return response.status;
      },
      () => undefined,
    );
    if (status !== undefined && status !== 404) {
      return true;
    }
    if (Date.now() >= deadline) {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
