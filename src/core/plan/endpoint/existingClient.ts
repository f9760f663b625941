/**
 * The SDK client the app already configures, so a new `--source openai` endpoint uses it (with its Azure
 * endpoint, base URL, key and retries) instead of making another `AsyncOpenAI()` that ignores all of that.
 *
 *   await findConfiguredClient(workspace, 'app/main.py', 'openai')
 *     -> { file: 'app/llm.py', name: 'client', className: 'openai.AsyncAzureOpenAI' } | undefined
 *
 * A module-level `NAME = AsyncAzureOpenAI(...)` (any async client class of the SDK, however imported) in the
 * target module wins; else the only one in the workspace's other modules. Several elsewhere: none is chosen.
 * Reads syntax trees only.
 */
import { SDK_CLIENT_CLASSES, type SdkProvider } from '../../codegen/python/templates/tokenSources.py';
import type { ModuleAnalysis } from '../../python/analysis';
import { children, resolveQualifiedName } from '../../python/syntax';
import type { PythonWorkspace } from '../../python/workspace';

export interface ConfiguredClient {
  readonly file: string;
  /** The module-level variable. */
  readonly name: string;
  /** `openai.AsyncAzureOpenAI` */
  readonly className: string;
}

export async function findConfiguredClient(workspace: PythonWorkspace, targetFile: string, provider: SdkProvider): Promise<ConfiguredClient | undefined> {
  const classes = SDK_CLIENT_CLASSES[provider];
  const local = clientsIn(await workspace.module(targetFile)!, classes);
  if (local.length > 0) {
    return local.length === 1 ? { file: targetFile, ...local[0]! } : undefined;
  }
  const found: ConfiguredClient[] = [];
  for (const [file, text] of workspace.files) {
    // Only modules that mention the SDK are parsed.
    if (file !== targetFile && file.endsWith('.py') && text.includes(provider)) {
      found.push(...clientsIn(await workspace.module(file)!, classes).map((client) => ({ file, ...client })));
    }
  }
  return found.length === 1 ? found[0] : undefined;
}

/** Module-level `name = Client(...)` statements whose class is one of `classes`. */
function clientsIn(analysis: ModuleAnalysis, classes: readonly string[]): Array<{ name: string; className: string }> {
  const clients: Array<{ name: string; className: string }> = [];
  for (const statement of children(analysis.root)) {
    const assignment = statement.type === 'expression_statement' ? statement.firstNamedChild : undefined;
    const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : undefined;
    const right = assignment?.childForFieldName('right');
    if (left?.type !== 'identifier' || right?.type !== 'call') {
      continue;
    }
    const className = resolveQualifiedName(right.childForFieldName('function'), analysis.bindings);
    if (className !== undefined && classes.includes(className)) {
      clients.push({ name: left.text, className });
    }
  }
  return clients;
}
