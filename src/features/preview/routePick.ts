/**
 * "Open Stream Preview" from the palette: which stream? The workspace's stream routes (the route tables of its
 * apps, prefixes applied) in a QuickPick, a URL typed by hand as the last item. The items are the core's
 * (core/preview/routePicks.ts); the URLs point at our running dev server when one runs.
 */
import * as vscode from 'vscode';
import { DEFAULT_ROUTE, DEV_SERVER_URL } from '../../core/defaults';
import { routePicks, validatePreviewUrl, type StreamRouteEntry } from '../../core/preview/routePicks';
import { findApps } from '../devServer/apps';
import { runningDevServers } from '../devServer/running';
import type { Logger } from '../shared/logger';
import type { OpenPreviewOptions } from './options';

export const ROUTE_PICK_TITLE = 'Open Stream Preview: which stream?';

/** The options to open the preview with, or undefined when the user cancelled. */
export async function pickPreviewRoute(logger: Logger): Promise<OpenPreviewOptions | undefined> {
  const baseUrl = runningDevServers()[0]?.url ?? DEV_SERVER_URL;
  const routes: StreamRouteEntry[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    try {
      for (const app of await findApps(folder)) {
        routes.push(...app.ssePaths.map((r) => ({ method: r.method, path: r.path, file: r.file ?? app.file, line: r.line ?? app.line })));
      }
    } catch (error) {
      logger.warn(`Open Stream Preview: the routes of ${folder.name} could not be read (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  const picked = await vscode.window.showQuickPick(
    routePicks(routes, baseUrl).map((pick) => ({
      label: pick.value.kind === 'manual' ? `$(edit) ${pick.label}` : pick.label,
      ...(pick.description !== undefined && { description: pick.description }),
      ...(pick.detail !== undefined && { detail: pick.detail }),
      value: pick.value,
    })),
    {
      title: vscode.l10n.t(ROUTE_PICK_TITLE),
      placeHolder: vscode.l10n.t('A stream route of this workspace, or a URL'),
      matchOnDescription: true,
      ignoreFocusOut: true,
    },
  );
  if (picked === undefined) {
    return undefined;
  }
  if (picked.value.kind === 'route') {
    return { url: picked.value.url, method: picked.value.method, ...(picked.value.method === 'POST' ? { body: '{}' } : {}), fromRoute: true };
  }
  const url = await vscode.window.showInputBox({
    title: vscode.l10n.t('URL of the stream to preview'),
    value: `${baseUrl}${DEFAULT_ROUTE}`,
    ignoreFocusOut: true,
    validateInput: (text) => (validatePreviewUrl(text) === undefined ? undefined : vscode.l10n.t(validatePreviewUrl(text)!)),
  });
  return url === undefined ? undefined : { url: url.trim(), method: 'GET', fromRoute: true };
}
