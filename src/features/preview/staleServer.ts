/**
 * A previewed request answered 404: when the workspace's source serves that method and path, the server is
 * older than the code (started before the route was added or saved). Say so and offer the restart that fixes
 * it: our own dev server is restarted (its file saved first when it has unsaved changes); someone else's
 * server is only named, since we cannot restart it.
 */
import * as vscode from 'vscode';
import { routeTheServerLacks, staleServerMessage, type SourceRoute } from '../../core/devServer/staleServer';
import type { StreamRequest } from '../../protocol/stream';
import { findApps } from '../devServer/apps';
import { devServerOn } from '../devServer/running';
import type { Logger } from '../shared/logger';

export interface StaleServerNotice {
  readonly message: string;
  readonly route: SourceRoute;
  /** The button offered: undefined when the server is not ours (nothing we can restart). */
  readonly action?: string;
}

/** The notice for a 404 the source contradicts, or undefined when the source has no such route either. */
export async function staleServerNotice(
  request: StreamRequest,
  status: number,
): Promise<{ notice: StaleServerNotice; folder: vscode.WorkspaceFolder } | undefined> {
  if (status !== 404) {
    return undefined;
  }
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const routes = (await findApps(folder)).flatMap((app) => app.routes ?? []);
    const route = routeTheServerLacks({ status, method: request.method, url: request.url }, routes);
    if (route === undefined) {
      continue;
    }
    const unsaved = documentOf(folder, route.file)?.isDirty ?? false;
    const port = Number(new URL(request.url).port || 80);
    const ours = devServerOn(port) !== undefined;
    const action = ours
      ? unsaved
        ? vscode.l10n.t('Save and Restart Dev Server')
        : vscode.l10n.t('Restart Dev Server')
      : unsaved
        ? vscode.l10n.t('Save')
        : undefined;
    return { notice: { message: staleServerMessage(request, route, unsaved), route, ...(action !== undefined ? { action } : {}) }, folder };
  }
  return undefined;
}

/** Shows the notice; resolves true once its button was clicked and did its work (the request is then sent again). */
export async function showStaleServerNotice(
  notice: StaleServerNotice,
  folder: vscode.WorkspaceFolder,
  request: StreamRequest,
  logger: Logger,
): Promise<boolean> {
  logger.warn(notice.message);
  const choice = await vscode.window.showWarningMessage(notice.message, ...(notice.action !== undefined ? [notice.action] : []));
  return choice !== undefined && choice === notice.action && (await staleServerAction(notice, folder, request));
}

/** What the notice's button does: save the route's file and restart our server; true when the request can be sent again. */
async function staleServerAction(notice: StaleServerNotice, folder: vscode.WorkspaceFolder, request: StreamRequest): Promise<boolean> {
  const document = documentOf(folder, notice.route.file);
  if (document?.isDirty) {
    await document.save();
  }
  const port = Number(new URL(request.url).port || 80);
  if (devServerOn(port) === undefined) {
    return true; // saved; someone else's server reloads by itself or not at all
  }
  const restarted = await vscode.commands.executeCommand<{ readonly status?: string } | undefined>('catalyst.restartDevServer', { port });
  return restarted?.status === 'restarted' || restarted?.status === 'started';
}

function documentOf(folder: vscode.WorkspaceFolder, file: string): vscode.TextDocument | undefined {
  const uri = vscode.Uri.joinPath(folder.uri, ...file.split('/')).toString();
  return vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri);
}
