/**
 * "Catalyst: Copy Client Snippet": a ready-to-paste consumer of a streaming route, copied to the clipboard
 * (the message after it offers "Open in New Editor"); "Catalyst: Open Client Snippet in New Editor" opens it in
 * an untitled editor of the snippet's language instead, to read, run or save.
 * From the CodeLens beside "Preview stream" (the route is given), or from the Command Palette on a Python
 * file (a QuickPick of its streaming routes). Then a QuickPick of the clients that can consume the route.
 * The rendering is the core's (core/snippets), the same as `catalyst-streaming snippet`.
 *
 * `executeCommand('catalyst.copyClientSnippet', { route: { path, method, protocol }, client?, baseUrl? })`
 * resolves to the Snippet copied, or undefined when the user cancelled; `catalyst.openClientSnippet` takes the
 * same argument and resolves to the Snippet opened.
 */
import * as vscode from 'vscode';
import { CLIENT_DESCRIPTIONS, clientsFor, type Snippet, type SnippetRoute } from '../../core/snippets/clientSnippets';
import { moduleSnippetRoutes } from '../../core/snippets/routeLookup';
import { registerCommand } from '../shared/command';
import type { Feature } from '../shared/feature';
import type { SyntaxTrees } from '../shared/syntaxTrees';
import { snippetForRoute } from '../../core/app/snippet';
import { isCopySnippetOptions } from './options';

export const COPY_SNIPPET_COMMAND = 'catalyst.copyClientSnippet';
export const OPEN_SNIPPET_COMMAND = 'catalyst.openClientSnippet';

type SnippetTarget = 'clipboard' | 'editor';

async function pickRoute(trees: SyntaxTrees): Promise<SnippetRoute | undefined> {
  const document = vscode.window.activeTextEditor?.document;
  if (document?.languageId !== 'python') {
    throw new Error(vscode.l10n.t('Open the Python file with the route, or use the "Copy client snippet" CodeLens above it.'));
  }
  const routes = await moduleSnippetRoutes(document.getText(), { tree: await trees.treeFor(document) });
  if (routes.length === 0) {
    throw new Error(vscode.l10n.t('{0} has no streaming routes.', vscode.workspace.asRelativePath(document.uri)));
  }
  if (routes.length === 1) {
    return routes[0];
  }
  const picked = await vscode.window.showQuickPick(
    routes.map((route) => ({ label: `${route.method} ${route.path}`, description: route.protocol, detail: vscode.l10n.t('line {0}', route.line + 1), route })),
    { title: vscode.l10n.t('Copy Client Snippet: which route?') },
  );
  return picked?.route;
}

/** An untitled editor holding the snippet, in its language (Python, TypeScript, shell script), beside the code. */
async function openInEditor(snippet: Snippet): Promise<void> {
  const document = await vscode.workspace.openTextDocument({ language: snippet.language, content: snippet.code });
  await vscode.window.showTextDocument(document, { preview: false, viewColumn: vscode.ViewColumn.Beside });
}

async function deliverSnippet(trees: SyntaxTrees, options: unknown, target: SnippetTarget): Promise<Snippet | undefined> {
  const given = isCopySnippetOptions(options) ? options : undefined;
  const route = given?.route ?? (await pickRoute(trees));
  if (route === undefined) {
    return undefined;
  }
  let client = given?.client;
  if (client === undefined) {
    const picked = await vscode.window.showQuickPick(
      clientsFor(route).map((client) => ({ label: client, description: CLIENT_DESCRIPTIONS[client], client })),
      {
        title:
          target === 'clipboard'
            ? vscode.l10n.t('Copy a client of {0} {1} ({2} protocol)', route.method, route.path, route.protocol)
            : vscode.l10n.t('Open a client of {0} {1} ({2} protocol)', route.method, route.path, route.protocol),
      },
    );
    client = picked?.client;
  }
  if (client === undefined) {
    return undefined;
  }
  const rendered = snippetForRoute(route, client, given?.baseUrl);
  if (!rendered.ok) {
    throw new Error(rendered.message);
  }
  const snippet = rendered.snippet;
  if (target === 'editor') {
    await openInEditor(snippet);
    return snippet;
  }
  await vscode.env.clipboard.writeText(snippet.code);
  const install = snippet.install ? vscode.l10n.t(' Install first: {0}', snippet.install) : '';
  const open = vscode.l10n.t('Open in New Editor');
  void vscode.window
    .showInformationMessage(vscode.l10n.t('Copied the {0} client of {1} {2} to the clipboard.{3}', client, route.method, route.path, install), open)
    .then((chosen) => (chosen === open ? openInEditor(snippet) : undefined));
  return snippet;
}

export const snippetsFeature: Feature = {
  name: 'Client Snippets',
  register: (_context, { logger, trees }) => [
    registerCommand(
      {
        id: COPY_SNIPPET_COMMAND,
        title: vscode.l10n.t('Copy Client Snippet'),
        run: (options?: unknown) => deliverSnippet(trees, options, 'clipboard'),
        onError: () => undefined,
      },
      logger,
    ),
    registerCommand(
      {
        id: OPEN_SNIPPET_COMMAND,
        title: vscode.l10n.t('Open Client Snippet in New Editor'),
        run: (options?: unknown) => deliverSnippet(trees, options, 'editor'),
        onError: () => undefined,
      },
      logger,
    ),
  ],
};
