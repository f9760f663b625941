/**
 * The code the route streams from: the demo generator, an SDK (the app's own configured client when it has
 * one), or an async generator function of the workspace, found by name and imported into the target.
 */
import {
  demoTokenSource,
  functionTokenSource,
  sdkTokenSource,
  type ExistingClient,
  type SdkProvider,
  type TokenSourceCode,
} from '../../codegen/python/templates/tokenSources.py';
import type { FunctionInfo } from '../../python/analysis';
import type { ImportRequest } from '../../python/importEdit';
import type { PythonWorkspace } from '../../python/workspace';
import { findConfiguredClient } from './existingClient';
import type { EndpointPlanning, ResolvedTarget } from './planning';
import { Refusal } from './refusal';
import { importFromTarget } from './targetImport';

/** The token source's code, and what was decided on the way (a configured client reused). */
export interface PlannedTokenSource {
  readonly code: TokenSourceCode;
  readonly notes: readonly string[];
}

export async function planTokenSource({ workspace, source }: EndpointPlanning, target: ResolvedTarget): Promise<PlannedTokenSource> {
  if (source.kind === 'demo') {
    return { code: demoTokenSource(), notes: [] };
  }
  if (source.kind === 'sdk') {
    const configured = await configuredClient(workspace, target, source.provider);
    return { code: sdkTokenSource(source.provider, configured?.client), notes: configured ? [configured.note] : [] };
  }
  const found = await findTokenFunction(workspace, target, source.name);
  const required = found.fn.parameters.filter((p) => !p.variadic && p.defaultValue === undefined && p.name !== 'self');
  if (required.length > 1) {
    throw new Refusal(
      'unknown-source',
      `${source.name} (${found.file}) takes ${required.length} arguments; the endpoint can pass it the prompt only. Wrap it in a function of one parameter.`,
    );
  }
  const takesPrompt = required.length === 1 || found.fn.parameters.some((p) => !p.variadic);
  const imports: ImportRequest[] = [];
  if (found.file !== target.file) {
    const module = importFromTarget(workspace, target, found.file);
    if (module === undefined) {
      throw new Refusal('unsupported-layout', `${target.file} cannot import ${source.name} from ${found.file}.`);
    }
    imports.push({ module, names: [source.name] });
  }
  return { code: functionTokenSource(source.name, takesPrompt, imports), notes: [] };
}

/** The app's own configured client of that SDK, as the target module reaches it (noted for the user). */
async function configuredClient(
  workspace: PythonWorkspace,
  target: ResolvedTarget,
  provider: SdkProvider,
): Promise<{ readonly client: ExistingClient; readonly note: string } | undefined> {
  const client = await findConfiguredClient(workspace, target.file, provider);
  if (client === undefined) {
    return undefined;
  }
  const imports: ImportRequest[] = [];
  if (client.file !== target.file) {
    const module = importFromTarget(workspace, target, client.file);
    if (module === undefined) {
      return undefined;
    }
    imports.push({ module, names: [client.name] });
  }
  const note = `The endpoint uses your configured client ${client.name} (${client.className.split('.').pop()} in ${client.file}) rather than a new one.${client.className === 'openai.AsyncAzureOpenAI' ? ' With Azure, model= names your deployment: check it.' : ''}`;
  return { client: { expression: client.name, imports }, note };
}

/** An async generator function by name: in the target module first, else the only one in the workspace. */
async function findTokenFunction(workspace: PythonWorkspace, target: ResolvedTarget, name: string): Promise<{ file: string; fn: FunctionInfo }> {
  const isTokenGenerator = (fn: FunctionInfo) => fn.isAsync && (fn.isGenerator || /Async(Iterator|Generator|Iterable)/.test(fn.returnAnnotation ?? ''));
  const local = target.analysis.functions.find((fn) => fn.name === name);
  const candidates: Array<{ file: string; fn: FunctionInfo }> = [];
  if (local) {
    candidates.push({ file: target.file, fn: local });
  } else {
    for (const [file, text] of workspace.files) {
      if (file.endsWith('.py') && file !== target.file && text.includes(`def ${name}`)) {
        const fn = (await workspace.module(file)!).functions.find((f) => f.name === name);
        if (fn) {
          candidates.push({ file, fn });
        }
      }
    }
  }
  if (candidates.length === 0) {
    throw new Refusal(
      'unknown-source',
      `Unknown token source "${name}": it is not demo, anthropic, openai or groq, and no function of that name is defined in ${target.file} or elsewhere in the workspace.`,
    );
  }
  if (candidates.length > 1) {
    throw new Refusal(
      'unknown-source',
      `Several functions are named ${name} (${candidates.map((c) => c.file).join(', ')}); define or import the one you mean in ${target.file}.`,
    );
  }
  const found = candidates[0]!;
  if (!isTokenGenerator(found.fn)) {
    throw new Refusal(
      'unknown-source',
      `${name} in ${found.file} is not an async generator function (async def ... yield); the endpoint streams what such a function yields.`,
    );
  }
  return found;
}
