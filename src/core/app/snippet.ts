/**
 * The client-snippet use case, for `catalyst-streaming snippet` and "Catalyst: Copy Client Snippet": a route
 * (looked up in the app's route table, or given by the editor's CodeLens) rendered as a ready-to-paste client
 * of the chosen kind, served at the dev server's URL unless told otherwise.
 */
import { DEV_SERVER_URL } from '../defaults';
import type { TargetRef } from '../python/workspace';
import { PythonWorkspace } from '../python/workspace';
import { renderSnippet, type ClientKind, type Snippet, type SnippetRoute } from '../snippets/clientSnippets';
import { findSnippetRoute } from '../snippets/routeLookup';
import { clientForLanguage, type SnippetLanguage } from '../snippets/snippetLanguages';
import { readPythonFiles, type ProjectFiles } from '../workspace/projectFiles';

export type SnippetOutcome = { readonly ok: true; readonly route: SnippetRoute; readonly snippet: Snippet } | { readonly ok: false; readonly message: string };

/**
 * The client of the route `path` that `app` (project-relative file, variable) serves: the given client, or the
 * language's client for that route (see snippets/snippetLanguages.ts).
 */
export async function snippetForAppRoute(
  project: ProjectFiles,
  app: TargetRef,
  path: string,
  client: ClientKind | { readonly language: SnippetLanguage },
  options: { readonly method?: string; readonly baseUrl?: string } = {},
): Promise<SnippetOutcome> {
  const workspace = new PythonWorkspace(await readPythonFiles(project));
  try {
    // Every language has a client that reads any route (fetch, httpx, curl): the route is found for that one.
    const lookup = typeof client === 'string' ? client : client.language === 'python' ? 'httpx' : client.language === 'curl' ? 'curl' : 'fetch';
    const found = await findSnippetRoute(workspace, app, path, lookup, options.method);
    if (!found.ok) {
      return found;
    }
    return snippetForRoute(found.route, typeof client === 'string' ? client : clientForLanguage(found.route, client.language), options.baseUrl);
  } finally {
    workspace.dispose();
  }
}

/** The client of a route already known (the editor's CodeLens read it from the module). */
export function snippetForRoute(route: SnippetRoute, client: ClientKind, baseUrl: string = DEV_SERVER_URL): SnippetOutcome {
  const rendered = renderSnippet(route, client, baseUrl);
  return rendered.ok ? { ok: true, route, snippet: rendered.snippet } : rendered;
}
