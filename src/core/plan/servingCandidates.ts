/**
 * The apps that may serve a route, in the order they are asked (appProbe.ts imports them and reads their
 * route tables; the first whose table holds the route is the one that serves it):
 *  1. what the project says it runs (serveHints.ts: `[tool.fastapi] entrypoint`, Procfile, Dockerfile, a
 *     `__main__` that calls `uvicorn.run("pkg.main:app")`);
 *  2. the app the source shows including the route (routeOrder.ts servingApp), when there is one;
 *  3. modules that make an instance at module level (`app = create_app(injector)`, `app = Server().app`,
 *     `api = Gateway().api`): a factory that needs arguments, or an app built in a class, is served through
 *     such a module. They are named without an attribute: the probe looks at every app the module holds.
 *
 *   await servingCandidates(files, { file: 'server/routes/chat.py', id: 'router' }, configFiles)
 *     -> [{ target: { appDir: '', app: 'server.main', factory: false }, kind: 'instance', source: 'server/main.py' }]
 */
import { findNamespacePackages } from '../python/namespacePackages';
import { serveHints } from '../python/serveHints';
import { isTestFile, PythonWorkspace, type TargetRef } from '../python/workspace';
import { uvicornTargetFor, type UvicornTarget } from './modulePaths';

export interface ServingCandidate {
  readonly target: UvicornTarget;
  /**
   * named: the target itself, asked to be served (a snippet's --app); declared: the project's own hint; source:
   * the app the source analysis found; instance: a module-level instance's module.
   */
  readonly kind: 'named' | 'declared' | 'source' | 'instance';
  /** Where it was read (a file, or `pyproject.toml [tool.fastapi] entrypoint`). */
  readonly source: string;
}

/** At most this many modules are imported to look for a module-level instance (one subprocess imports them all). */
export const MAX_INSTANCE_MODULES = 30;

/** Module names that usually hold the served instance: asked first. */
const USUAL_MODULES = ['main', 'app', 'asgi', 'server', 'api', 'application', 'web', 'entry', 'run', 'wsgi'];

export async function servingCandidates(
  files: ReadonlyMap<string, string>,
  target: TargetRef,
  configFiles: ReadonlyMap<string, string>,
  options: { readonly targetFirst?: boolean } = {},
): Promise<ServingCandidate[]> {
  const workspace = new PythonWorkspace(files, { namespacePackages: await findNamespacePackages(files) });
  try {
    const candidates: ServingCandidate[] = [];
    if (options.targetFirst) {
      const identity = workspace.identity(target.file);
      candidates.push({ target: { appDir: identity.root, app: `${identity.dottedName}:${target.id}`, factory: false }, kind: 'named', source: target.file });
    }
    candidates.push(...(await serveHints(workspace, configFiles)).map((hint): ServingCandidate => ({ ...hint, kind: 'declared' })));
    const fromSource = await uvicornTargetFor(workspace, target);
    if (fromSource) {
      candidates.push({ target: fromSource, kind: 'source', source: target.file });
    }
    candidates.push(...(await instanceModules(workspace)));
    const seen = new Set<string>();
    return candidates.filter((candidate) => {
      const key = `${candidate.target.appDir}|${candidate.target.app}|${candidate.target.factory}`;
      return !seen.has(key) && seen.add(key);
    });
  } finally {
    workspace.dispose();
  }
}

/** Modules (not tests) with a top-level `NAME = call(...)` or `NAME = a.b`: where an app may be made at import. */
async function instanceModules(workspace: PythonWorkspace): Promise<ServingCandidate[]> {
  const found: Array<{ file: string; rank: number }> = [];
  for (const file of workspace.files.keys()) {
    if (!file.endsWith('.py') || isTestFile(file) || file.endsWith('__main__.py')) {
      continue;
    }
    const analysis = await workspace.module(file);
    if (!analysis || analysis.syntaxErrors.length > 0) {
      continue;
    }
    const expressions = analysis.root.namedChildren.map((statement) => (statement?.type === 'expression_statement' ? statement.firstNamedChild : undefined));
    const makesInstance = expressions.some((expression) => {
      const value = expression?.type === 'assignment' ? expression.childForFieldName('right') : undefined;
      return expression?.childForFieldName('left')?.type === 'identifier' && (value?.type === 'call' || value?.type === 'attribute');
    });
    // A module that starts something when imported (a server outside a __main__ guard) is not imported to look.
    const startsSomething = expressions.some(
      (expression) =>
        expression?.type === 'call' &&
        /(^|\.)(run|serve|start|main|run_forever|run_until_complete)$/.test(expression.childForFieldName('function')?.text ?? ''),
    );
    if (makesInstance && !startsSomething) {
      const base = file.split('/').pop()!.replace(/\.py$/, '');
      const usual = USUAL_MODULES.indexOf(base);
      found.push({ file, rank: usual < 0 ? USUAL_MODULES.length : usual });
    }
  }
  return found
    .sort((a, b) => a.rank - b.rank || a.file.split('/').length - b.file.split('/').length)
    .slice(0, MAX_INSTANCE_MODULES)
    .map(({ file }) => {
      const identity = workspace.identity(file);
      return { target: { appDir: identity.root, app: identity.dottedName, factory: false }, kind: 'instance', source: file };
    });
}
