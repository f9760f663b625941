/**
 * Where a module's routes are served, asked of the app itself: the apps that may serve them
 * (servingCandidates.ts) are imported in a subprocess, with the module's current text laid over the
 * workspace, and the first whose own route table holds routes of the module lists them with their full
 * paths (appProbe.ts). The Preview CodeLens and its client snippets use it once the source's reading
 * (servedPaths.ts, the first answer) is shown.
 *
 *   await servedRoutesFromApp(project, { file: 'server/routes/chat.py', id: 'router' }, { text })
 *     -> { status: 'served', app: 'server.main:app', routes: [{ name: 'stream', file, line: 12, path: '/api/v1/chat/stream', methods: ['GET'] }] }
 *      | { status: 'unknown', reason }
 *
 * It runs the project's module-level code, as starting the server would: shells call it only where they may.
 */
import { probeApps, ProbeError, type ServedRouteEntry } from '../python/appProbe';
import { readServeConfigFiles } from '../plan/serveCommand';
import { servingCandidates } from '../plan/servingCandidates';
import { projectPython } from '../plan/verifyEndpoint';
import { createOverlay } from '../workspace/overlay';
import { readPythonFiles, type ProjectFiles } from '../workspace/projectFiles';
import type { TargetRef } from '../python/workspace';

export type ServedRoutesAnswer =
  { readonly status: 'served'; readonly app: string; readonly routes: readonly ServedRouteEntry[] } | { readonly status: 'unknown'; readonly reason: string };

/** Imports are bounded: an app that takes longer to import is left to the source's reading. */
const TIMEOUT_MS = 30_000;

/**
 * `text`: the module's text as the editor holds it (laid over the workspace); `allRoutes`: every route of the
 * serving app, not only the module's; `targetFirst`: the owner is an app to ask first (a snippet's --app).
 */
export async function servedRoutesFromApp(
  project: ProjectFiles,
  owner: TargetRef,
  options: { readonly text?: string; readonly allRoutes?: boolean; readonly targetFirst?: boolean; readonly preferredPython?: string } = {},
): Promise<ServedRoutesAnswer> {
  const python = await projectPython(project.root, options.preferredPython);
  if (python === undefined) {
    return { status: 'unknown', reason: 'no Python that can import fastapi was found' };
  }
  const files = await readPythonFiles(project);
  if (options.text !== undefined) {
    files.set(owner.file, options.text);
  }
  const candidates = await servingCandidates(files, owner, await readServeConfigFiles(project), { targetFirst: options.targetFirst === true });
  if (candidates.length === 0) {
    return { status: 'unknown', reason: 'no app to import' };
  }
  const overlay = await createOverlay(project.root, options.text === undefined ? [] : [{ path: owner.file, after: options.text }]);
  try {
    const routesOf = options.allRoutes ? '*' : owner.file;
    const { probes } = await probeApps(python, overlay.dir, { candidates: candidates.map((c) => c.target), routesOf, firstOnly: true }, TIMEOUT_MS);
    const served = probes.find((probe) => probe.status === 'serves' && probe.routes !== undefined);
    return served?.status === 'serves'
      ? { status: 'served', app: served.target.app, routes: served.routes! }
      : { status: 'unknown', reason: `no app found serves the routes of ${owner.file}` };
  } catch (error) {
    if (error instanceof ProbeError) {
      return { status: 'unknown', reason: error.message };
    }
    throw error;
  } finally {
    await overlay.dispose();
  }
}

/**
 * The served path of a route the source shows (its function's name and 0-based line of its decorators):
 * the listed route of that name, the nearest in line when several share it; undefined when none does.
 */
export function servedPathOf(routes: readonly ServedRouteEntry[], name: string | undefined, line: number, method: string): string | undefined {
  const named = routes.filter((route) => route.name === name && (route.methods.length === 0 || route.methods.includes(method)));
  return named.sort((a, b) => Math.abs(a.line - 1 - line) - Math.abs(b.line - 1 - line))[0]?.path;
}
