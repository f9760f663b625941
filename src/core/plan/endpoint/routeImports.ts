/**
 * The imports the new route needs, merged into the target module's own in their style: a file that says
 * `import pydantic` gets `pydantic.BaseModel`, not a second import. Refused when a name is taken.
 */
import { ASYNC_ITERATOR, type TokenSourceCode } from '../../codegen/python/templates/tokenSources.py';
import { moduleImportedAs, planImports, type ImportRequest } from '../../python/importEdit';
import type { TextEdit } from '../../workspace/textEdit';
import type { HandlerNames } from './handlerNames';
import type { EndpointPlanning, ResolvedTarget, StreamingCode } from './planning';
import { Refusal } from './refusal';

export interface RouteImports {
  readonly edits: readonly TextEdit[];
  /** How the body model names pydantic's BaseModel. */
  readonly baseModel: string;
}

export function routeImports(
  { workspace, method, protocol, resumable }: EndpointPlanning,
  target: ResolvedTarget,
  module: StreamingCode,
  source: TokenSourceCode,
  { helpers, bodyModel }: HandlerNames,
): RouteImports {
  const { analysis } = target;
  // Read only for a body model (below), which then names BaseModel as the file already can.
  const pydanticModule = analysis.bindings.get('BaseModel') !== 'pydantic.BaseModel' ? moduleImportedAs(analysis, 'pydantic') : undefined;
  const baseModel = pydanticModule ? `${pydanticModule}.BaseModel` : 'BaseModel';
  const imports: ImportRequest[] = [
    ...module.imports,
    ...(resumable ? [ASYNC_ITERATOR] : []),
    ...source.imports,
    ...(protocol === 'sse' ? [] : source.chat.imports),
    ...helpers.flatMap((helper) => helper.imports),
    ...(bodyModel && !pydanticModule ? [{ module: 'pydantic', names: ['BaseModel'] }] : []),
    ...(protocol === 'openai' || resumable ? [{ module: 'fastapi', names: ['Response'] }] : []),
    // A POST route (every chat route) reads its body itself, within limits (request_body.py).
    ...(method === 'POST' ? [{ module: 'fastapi', names: ['Request'] }] : []),
  ];
  // The streaming module is the project's own even before it exists (isort's first-party section).
  const firstParty = workspace.firstPartyModules();
  for (const { module: name } of module.imports) {
    if (!name.startsWith('.')) {
      firstParty.add(name.split('.')[0]!);
    }
  }
  const importPlan = planImports(analysis, imports, { firstPartyModules: firstParty });
  if (importPlan.conflicts.length > 0) {
    const one = importPlan.conflicts.length === 1;
    const list = importPlan.conflicts.map((c) => `${c.name} (now ${c.boundTo})`).join(', ');
    throw new Refusal(
      'name-conflict',
      `${target.file} already uses ${one ? 'the name' : 'the names'} ${list}, which the endpoint imports. Rename ${one ? 'it' : 'them'} first.`,
    );
  }
  return { edits: importPlan.edits, baseModel };
}
