/**
 * Add Streaming Endpoint looks for the FastAPI app before it asks anything. When the workspace has none (no
 * app, factory or router outside test code), the editor offers, in its own words, to create a minimal app or
 * to pick the Python file that holds one (an app the analysis cannot see, say one made by a helper from
 * another package). The CLI keeps its own message (`--app FILE[:VARIABLE]`): this is the editor's path only.
 */
import { isTestFile, PythonWorkspace } from '../python/workspace';
import { preferredTargets } from './endpoint';

/** The text of the minimal app the editor creates: what FastAPI's tutorial starts with. */
export const MINIMAL_APP = 'from fastapi import FastAPI\n\napp = FastAPI()\n';

export type MissingAppChoice = { readonly kind: 'create'; readonly file: string } | { readonly kind: 'file'; readonly file: string };

export interface MissingAppPick {
  readonly label: string;
  readonly description?: string;
  readonly value: MissingAppChoice;
}

/** Whether the workspace has somewhere to add a route: an app, a factory or a router outside test code. */
export async function hasEndpointTarget(files: ReadonlyMap<string, string>): Promise<boolean> {
  const workspace = new PythonWorkspace(files);
  try {
    return preferredTargets((await workspace.targets()).filter((t) => !isTestFile(t.file))).length > 0;
  } finally {
    workspace.dispose();
  }
}

/** The file a minimal app is created in: main.py, as FastAPI's tutorial names it, or the first free usual name. */
export function minimalAppFile(files: ReadonlyMap<string, string>): string {
  const names = ['main.py', 'app.py', 'api.py', 'server.py'];
  return names.find((name) => !files.has(name)) ?? 'catalyst_app.py';
}

/** Create a minimal app first, then every Python file outside test code (top-level files first). */
export function missingAppPicks(files: ReadonlyMap<string, string>): MissingAppPick[] {
  const create = minimalAppFile(files);
  const pythonFiles = [...files.keys()]
    .filter((file) => file.endsWith('.py') && !isTestFile(file))
    .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  return [
    { label: `Create ${create} with a FastAPI app`, description: 'app = FastAPI(), then add the endpoint to it', value: { kind: 'create', file: create } },
    ...pythonFiles.map((file): MissingAppPick => ({ label: file, description: 'holds the app', value: { kind: 'file', file } })),
  ];
}
