/**
 * The client-snippet use case, for `catalyst-streaming snippet` and "Catalyst: Copy Client Snippet": a route
 * (looked up in the app's route table, or given by the editor's CodeLens) rendered as a ready-to-paste client
 * of the chosen kind, served at the dev server's URL unless told otherwise.
 */
import { DEV_SERVER_URL } from '../defaults';
import type { TargetRef } from '../python/workspace';
import { PythonWorkspace } from '../python/workspace';
import { clientsFor, renderSnippet, type ClientKind, type Snippet, type SnippetRoute } from '../snippets/clientSnippets';
import { findSnippetRoute, snippetRoutes } from '../snippets/routeLookup';
import { anyRouteClient, clientForLanguage, type SnippetLanguage } from '../snippets/snippetLanguages';
import { servedRoutesFromApp } from './servedRoutes';
import { readPythonFiles, type ProjectFiles } from '../workspace/projectFiles';

export type SnippetOutcome = { readonly ok: true; readonly route: SnippetRoute; readonly snippet: Snippet } | { readonly ok: false; readonly message: string };

/**
 * The client of the route `path` that `app` (project-relative file, variable) serves: the given client, or the
 * language's client for that route (see snippets/snippetLanguages.ts). The route is looked up in the source's
 * route table, else (with `askApp`) in the imported app's own, where a prefix the source cannot read (an app
 * built in a class, a factory's argument) puts the route at a path only the app knows.
 */
export async function snippetForAppRoute(
  project: ProjectFiles,
  app: TargetRef,
  path: string,
  client: ClientKind | { readonly language: SnippetLanguage },
  options: { readonly method?: string; readonly baseUrl?: string; readonly askApp?: boolean; readonly preferredPython?: string } = {},
): Promise<SnippetOutcome> {
  const workspace = new PythonWorkspace(await readPythonFiles(project));
  try {
    // Asked by language, the route is found for that language's client that reads any route.
    const lookup = typeof client === 'string' ? client : anyRouteClient(client.language);
    const found = await findSnippetRoute(workspace, app, path, lookup, options.method);
    const render = (route: SnippetRoute) =>
      snippetForRoute(route, typeof client === 'string' ? client : clientForLanguage(route, client.language), options.baseUrl);
    if (found.ok) {
      return render(found.route);
    }
    const served = options.askApp ? await servedSnippetRoute(project, workspace, app, path, lookup, options) : undefined;
    return served === undefined ? found : render(served);
  } finally {
    workspace.dispose();
  }
}

/** The streaming route at `path` in the imported app's route table, its protocol read from its function's code. */
async function servedSnippetRoute(
  project: ProjectFiles,
  workspace: PythonWorkspace,
  app: TargetRef,
  path: string,
  client: ClientKind,
  options: { readonly method?: string; readonly preferredPython?: string },
): Promise<SnippetRoute | undefined> {
  const answer = await servedRoutesFromApp(project, app, {
    allRoutes: true,
    targetFirst: true,
    ...(options.preferredPython ? { preferredPython: options.preferredPython } : {}),
  });
  if (answer.status !== 'served') {
    return undefined;
  }
  const method = options.method?.toUpperCase();
  const candidates: SnippetRoute[] = [];
  for (const entry of answer.routes.filter((r) => r.path === path && (method === undefined || r.methods.includes(method)))) {
    const route = (await workspace.module(entry.file))?.routes.find((r) => r.handler?.name === entry.name);
    if (route) {
      candidates.push(...snippetRoutes(route, path).filter((r) => method === undefined || r.method === method));
    }
  }
  return candidates.find((r) => clientsFor(r).includes(client)) ?? candidates[0];
}

/** The client of a route already known (the editor's CodeLens read it from the module). */
export function snippetForRoute(route: SnippetRoute, client: ClientKind, baseUrl: string = DEV_SERVER_URL): SnippetOutcome {
  const rendered = renderSnippet(route, client, baseUrl);
  return rendered.ok ? { ok: true, route, snippet: rendered.snippet } : rendered;
}
