/**
 * The names the new code defines, each free in the target module (and in a factory's body): the handler, a
 * POST body model, the on_finish hook, a resumable route's companions, and the token source's helpers not
 * defined yet.
 */
import type { Helper, TokenSourceCode } from '../../codegen/python/templates/tokenSources.py';
import { bodyModelNameFor, handlerNameFor, uniqueName } from '../routePath';
import type { EndpointPlanning, ResolvedTarget } from './planning';
import { Refusal } from './refusal';

export interface HandlerNames {
  readonly functionName: string;
  readonly helpers: Helper[];
  readonly bodyModel?: string;
  readonly finishHook?: string;
  readonly companions: { readonly resume?: string; readonly stop?: string };
}

/** The handler's name, the helpers to add (those the module does not define yet) and a POST body model's name. */
export function handlerNames(
  { route, method, protocol, resumable }: EndpointPlanning,
  target: ResolvedTarget,
  source: TokenSourceCode,
  lifecycle: boolean,
): HandlerNames {
  const { analysis } = target;
  const taken = new Set([...analysis.topLevelNames, target.variable, ...source.helpers.map((helper) => helper.name)]);
  // Inside a factory the handler is a nested function: it must not shadow one of the factory's either.
  const factoryBody = target.kind === 'factory' ? target.app?.node.childForFieldName('body') : undefined;
  for (const nested of factoryBody?.namedChildren ?? []) {
    const definition = nested?.type === 'decorated_definition' ? nested.childForFieldName('definition') : nested;
    const name = definition?.type === 'function_definition' ? definition.childForFieldName('name')?.text : undefined;
    if (name) {
      taken.add(name);
    }
  }
  const helpers: Helper[] = [];
  for (const helper of source.helpers) {
    if (analysis.functions.some((fn) => fn.name === helper.name)) {
      continue; // Added with an earlier endpoint (or written by the user): reused.
    }
    if (analysis.topLevelNames.has(helper.name)) {
      throw new Refusal(
        'name-conflict',
        `${target.file} already defines ${helper.name}, which is not the function the endpoint needs. Rename it, or choose another token source.`,
      );
    }
    helpers.push(helper);
  }
  // Each name made free, then taken, so that the names after it stay apart from it.
  const claim = (base: string): string => {
    const name = uniqueName(base, (candidate) => taken.has(candidate));
    taken.add(name);
    return name;
  };
  const functionName = claim(handlerNameFor(route));
  const bodyModel = method === 'POST' && protocol === 'sse' ? claim(bodyModelNameFor(functionName)) : undefined;
  // A resumable stream's hook is called by the worker that produces the answer (inside make_events).
  const finishHook = lifecycle ? claim(`on_${functionName}_finish`) : undefined;
  const companions = resumable ? { ...(protocol === 'ai-sdk' ? { resume: claim(`${functionName}_resume`) } : {}), stop: claim(`${functionName}_stop`) } : {};
  return { functionName, helpers, ...(bodyModel ? { bodyModel } : {}), ...(finishHook ? { finishHook } : {}), companions };
}
