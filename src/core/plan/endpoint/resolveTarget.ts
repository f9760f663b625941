/**
 * Which app, factory or router the new route goes on: the one the user named, or the workspace's only app;
 * refused when there is none, several, or its module cannot run (a syntax error, a NUL byte).
 */
import { isTestFile, type EndpointTarget } from '../../python/workspace';
import { normaliseFile } from '../modulePaths';
import type { EndpointPlanning, ResolvedTarget } from './planning';
import { Refusal } from './refusal';

/** The target the user named, or the workspace's only app. */
export async function resolveTarget({ workspace, request }: EndpointPlanning): Promise<ResolvedTarget> {
  const requested = request.target;
  let file: string;
  let id: string | undefined = requested?.id;
  if (requested) {
    file = normaliseFile(requested.file);
    if (!workspace.files.has(file)) {
      throw new Refusal('unknown-target', `${requested.file} is not a Python file of this workspace.`);
    }
  } else {
    // Apps in test code (a conftest fixture, a test's stub app) are not the project's: only named with --app.
    const candidates = preferredTargets((await workspace.targets()).filter((t) => !isTestFile(t.file)));
    const apps = candidates.filter((t) => t.kind !== 'router');
    if (apps.length === 0) {
      throw new Refusal(
        'no-app',
        'No FastAPI app found: no module creates one (app = FastAPI(...)) or returns one from a factory (def create_app() -> FastAPI). Point at a file with --app FILE[:VARIABLE].',
      );
    }
    if (apps.length > 1) {
      throw new Refusal(
        'ambiguous-target',
        `Several FastAPI apps found: ${apps.map((t) => `${t.file}:${t.id}`).join(', ')}. Choose one with --app FILE[:VARIABLE].`,
      );
    }
    file = apps[0]!.file;
    id = apps[0]!.id;
  }
  const nul = nulBytePosition(workspace.files.get(file) ?? '');
  if (nul !== undefined) {
    // Python refuses the whole file ("source code cannot contain null bytes"), wherever the byte is; the
    // parser would report it, if at all, as a syntax error at a column that says nothing.
    throw new Refusal(
      'syntax-error',
      `${file} contains a NUL byte (\\x00) at line ${nul.line}, column ${nul.column}: Python refuses to run a file that holds one; remove it first.`,
    );
  }
  const analysis = await workspace.module(file)!;
  if (analysis.syntaxErrors.length > 0) {
    const first = analysis.syntaxErrors[0]!;
    throw new Refusal(
      'syntax-error',
      `${file} has a syntax error at line ${first.startPoint.row + 1}, column ${first.startPoint.column + 1}; fix it first, so the endpoint is not added to a file that cannot run.`,
    );
  }
  const inFile: EndpointTarget[] = preferredTargets([
    ...analysis.apps.map((app): EndpointTarget => ({
      file,
      id: app.id,
      kind: app.kind === 'factory' ? 'factory' : 'app',
      line: app.span.startPoint.row,
      description: '',
      ...(app.createdBy ? { createdBy: app.createdBy } : {}),
    })),
    ...analysis.routers.map((router): EndpointTarget => ({ file, id: router.id, kind: 'router', line: router.span.startPoint.row, description: '' })),
  ]);
  if (id === undefined) {
    const apps = inFile.filter((t) => t.kind !== 'router');
    const choices = apps.length > 0 ? apps : inFile;
    if (choices.length === 0) {
      throw new Refusal('no-app', `No FastAPI app or APIRouter found in ${file}.`);
    }
    if (choices.length > 1) {
      throw new Refusal('ambiguous-target', `${file} has several: ${choices.map((t) => t.id).join(', ')}. Choose one with --app ${file}:VARIABLE.`);
    }
    id = choices[0]!.id;
  }
  const app = analysis.apps.find((a) => a.id === id);
  if (app) {
    const variable = app.variable;
    if (variable === undefined) {
      throw new Refusal(
        'unsupported-layout',
        `${id}() in ${file} returns an app without assigning it to a variable; write "app = FastAPI(...)" and "return app" so a route can be added to it.`,
      );
    }
    return { file, analysis, id, kind: app.kind === 'factory' ? 'factory' : 'app', variable, app };
  }
  if (analysis.routers.some((r) => r.id === id)) {
    return { file, analysis, id, kind: 'router', variable: id };
  }
  const known = [...analysis.apps.map((a) => a.id), ...analysis.routers.map((r) => r.id)];
  throw new Refusal(
    known.length > 0 ? 'unknown-target' : 'no-app',
    known.length > 0 ? `${file} has no FastAPI app or APIRouter named ${id}; it has ${known.join(', ')}.` : `No FastAPI app or APIRouter found in ${file}.`,
  );
}

/** Apps before routers; of an app made by a local factory and the factory, the factory (it makes every app). */
export function preferredTargets(targets: readonly EndpointTarget[]): EndpointTarget[] {
  const factories = new Set(targets.filter((t) => t.kind === 'factory').map((t) => `${t.file}:${t.id}`));
  return targets.filter((t) => !(t.createdBy !== undefined && factories.has(`${t.file}:${t.createdBy}`)));
}

/** Where the first NUL character of `text` is (1-based line and column), if it has one. */
function nulBytePosition(text: string): { readonly line: number; readonly column: number } | undefined {
  const index = text.indexOf('\0');
  if (index < 0) {
    return undefined;
  }
  const before = text.slice(0, index);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: index - lineStart + 1 };
}
