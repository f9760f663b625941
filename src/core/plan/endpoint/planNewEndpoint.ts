/**
 * A route that is not there yet, planned step by step: its token source, the streaming code it imports, its
 * names, imports and text, where it goes, and the check that the edited module serves it.
 */
import { routeConventions } from './routeConventions';
import { placeBefore, unresolvedUrlNote } from './routePlacement';
import type { FileChange } from '../../workspace/fileChange';
import { applyTextEdits, coalesceTextEdits } from '../../workspace/textEdit';
import { codeEdits } from './codeEdits';
import { handlerNames } from './handlerNames';
import type { EndpointPlanning, ResolvedTarget } from './planning';
import { routeImports } from './routeImports';
import { routeText } from './routeText';
import { streamingCode } from './streamingCode';
import { planTokenSource } from './tokenSourceCode';
import type { AddEndpointPlan, PlannedEndpoint } from './types';
import { verifyEdit } from './verifyEdit';

export async function planNewEndpoint(
  planning: EndpointPlanning,
  target: ResolvedTarget,
  endpointBase: Omit<PlannedEndpoint, 'functionName'>,
): Promise<AddEndpointPlan> {
  const { workspace, method, route } = planning;
  const { analysis } = target;
  const source = await planTokenSource(planning, target);
  const module = await streamingCode(planning, target, source.code);
  const names = handlerNames(planning, target, source.code, module.lifecycle);
  const { functionName, helpers } = names;
  const imports = routeImports(planning, target, module, source.code, names);

  const conventions = await routeConventions(workspace, target);
  const text = routeText(planning, target, {
    url: endpointBase.url,
    decoratorKeywords: conventions.keywords,
    source: source.code,
    names,
    baseModel: imports.baseModel,
  });
  const before = await placeBefore(workspace, target, route, method);
  const edits = coalesceTextEdits([...imports.edits, ...codeEdits(target, text.routes, text.moduleLevel, before)]);
  const after = applyTextEdits(analysis.source, edits);
  const { line: revealLine, unreachable } = await verifyEdit(planning, target, after, edits, functionName);

  const changes: FileChange[] = [...module.changes];
  const notes: string[] = [...module.notes, ...source.notes, ...conventions.notes];
  changes.push({
    path: target.file,
    kind: 'modify',
    before: analysis.source,
    after,
    edits,
    description: `add ${method} ${endpointBase.url} (${functionName}) to ${target.id}${helpers.length > 0 ? `, with ${helpers.map((h) => h.name).join(', ')}` : ''}`,
  });
  const unresolved = unresolvedUrlNote(endpointBase.url);
  if (unresolved && planning.request.served === undefined) {
    notes.push(unresolved);
  }
  if (target.kind === 'router' && endpointBase.serve === undefined) {
    notes.push(
      `${target.id} in ${target.file} is not included in any app of this workspace: include it (app.include_router(${target.id})) to serve ${endpointBase.url}.`,
    );
  }
  return {
    status: 'planned',
    endpoint: { ...endpointBase, functionName },
    changes,
    notes,
    reveal: { path: target.file, line: revealLine },
    ...(unreachable ? { unreachableBySource: unreachable } : {}),
  };
}
