/**
 * The example-body use case for `catalyst-streaming preview URL --app FILE:VAR` without --data: the route the
 * app serves at the URL's path (its route table, every prefix applied), and the body it accepts
 * (requests/exampleBody.ts), the same one the editor's "Preview stream" CodeLens starts with.
 */
import { PythonWorkspace, type TargetRef } from '../python/workspace';
import { exampleRequestBody } from '../requests/exampleBody';
import { readPythonFiles, type ProjectFiles } from '../workspace/projectFiles';

export type ExampleBodyOutcome = { readonly ok: true; readonly body: string | undefined } | { readonly ok: false; readonly message: string };

export async function exampleBodyForAppRoute(project: ProjectFiles, app: TargetRef, path: string, method: string): Promise<ExampleBodyOutcome> {
  const workspace = new PythonWorkspace(await readPythonFiles(project));
  try {
    if (workspace.module(app.file) === undefined) {
      return { ok: false, message: `${app.file} is not a Python file of the workspace` };
    }
    const served = (await workspace.routeTable(app)).find((r) => r.path === path && r.methods.includes(method));
    if (served === undefined) {
      return { ok: false, message: `${app.file}:${app.id} serves no ${method} ${path}` };
    }
    const analysis = (await workspace.module(served.file))!;
    return { ok: true, body: exampleRequestBody(analysis, served.route) };
  } finally {
    workspace.dispose();
  }
}
