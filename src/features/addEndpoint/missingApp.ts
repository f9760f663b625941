/**
 * Add Streaming Endpoint's first step: is there an app to add the route to? When the folder has none, the
 * user is asked, in editor words, where it is: create a minimal app (main.py with `app = FastAPI()`), or pick
 * the Python file that holds it. The choices are the core's (core/plan/missingApp.ts).
 */
import * as vscode from 'vscode';
import { hasEndpointTarget, MINIMAL_APP, missingAppPicks } from '../../core/plan/missingApp';
import type { Logger } from '../shared/logger';

export type FoundApp = { readonly kind: 'present' } | { readonly kind: 'created'; readonly file: string } | { readonly kind: 'file'; readonly file: string };

export async function askForApp(folder: vscode.WorkspaceFolder, files: ReadonlyMap<string, string>, logger: Logger): Promise<FoundApp | 'cancelled'> {
  if (await hasEndpointTarget(files)) {
    return { kind: 'present' };
  }
  const picked = await vscode.window.showQuickPick(
    missingAppPicks(files).map((pick) => ({
      label: pick.value.kind === 'create' ? `$(new-file) ${pick.label}` : `$(file-code) ${pick.label}`,
      ...(pick.description !== undefined && { description: pick.description }),
      value: pick.value,
    })),
    {
      title: vscode.l10n.t('No FastAPI app found in {0}: create one, or pick the file that holds yours', folder.name),
      placeHolder: vscode.l10n.t('The streaming endpoint is added to this app'),
      ignoreFocusOut: true,
    },
  );
  if (picked === undefined) {
    return 'cancelled';
  }
  if (picked.value.kind === 'file') {
    return { kind: 'file', file: picked.value.file };
  }
  const uri = vscode.Uri.joinPath(folder.uri, ...picked.value.file.split('/'));
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(MINIMAL_APP));
  await documentCaughtUp(uri);
  logger.info(`Add Streaming Endpoint: created ${picked.value.file} with a minimal FastAPI app`);
  return { kind: 'created', file: picked.value.file };
}

/**
 * A document still open for a file of that name (one deleted or moved earlier) holds its old text until VS Code
 * reloads it from disk; the files are read with open documents winning, so wait (briefly) for that reload.
 */
async function documentCaughtUp(uri: vscode.Uri): Promise<void> {
  const stale = () => vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString() && !d.isDirty && d.getText() !== MINIMAL_APP);
  const deadline = Date.now() + 3_000;
  while (stale() !== undefined && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
