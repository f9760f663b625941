/**
 * The "Add Streaming Endpoint" planner: from a workspace's Python files and the user's choices to the exact
 * text edits, or a refusal that says why. Pure: it reads only the texts it is given and writes nothing; the
 * CLI applies the result to disk, the extension turns it into one WorkspaceEdit.
 *
 *   planAddEndpoint(files, { target: { file: 'app/main.py', id: 'app' }, route: '/stream', method: 'GET',
 *                            source: { kind: 'demo' } })
 *     -> { status: 'planned', changes: FileChange[], endpoint, notes, reveal }
 *      | { status: 'already-present', endpoint, message }     (running it twice)
 *      | { status: 'refused', reason, message }               (nothing may be written)
 *
 * `files` maps workspace-relative POSIX paths to text: every Python file of the workspace (`__init__.py`
 * files tell packages from scripts; other modules are read for routers, route clashes and token functions).
 */
import { pythonString, pythonStringBody } from '../codegen/escape';
import { inspectGeneratedFile } from '../codegen/python/generatedHeader';
import { PACKAGE_EXPORTS, type PackageName } from '../codegen/python/package/packageExports';
import {
  RESUMABLE_RESPONSE_CLASS,
  RESUMABLE_RESPONSE_FUNCTION,
  answerStatement,
  DEFAULT_ON_DISCONNECT,
  renderBodyModel,
  renderFinishHook,
  type AnswerLifecycle,
  type OnDisconnect,
  renderChatRoute,
  renderRouteFunction,
  promptExpression,
  resumableHandlerBody,
  returnEvents,
  CHAT_REQUEST_MODEL,
} from '../codegen/python/templates/route.py';
import {
  ASYNC_ITERATOR,
  demoTokenSource,
  functionTokenSource,
  sdkTokenSource,
  type ExistingClient,
  type Helper,
  type SdkProvider,
  type TokenSourceCode,
} from '../codegen/python/templates/tokenSources.py';
import { analyzePythonModule, type FastApiApp, type FunctionInfo, type ModuleAnalysis, type Span } from '../python/analysis';
import { moduleImportedAs, planImports, type ImportRequest } from '../python/importEdit';
import { findNamespacePackages } from '../python/namespacePackages';
import { leadingCommentsStart } from '../python/layout';
import { servingApp } from '../python/routeOrder';
import { isTestFile, PythonWorkspace, type EndpointTarget } from '../python/workspace';
import {
  importModuleFor,
  importsOwnPackageAbsolutely,
  normaliseFile,
  packageFolder,
  resumableModuleFile,
  streamingModuleFile,
  uvicornTargetFor,
  type UvicornTarget,
} from './modulePaths';
import { insertBlocks, lineStartOf, reindent } from './pythonLayout';
import { bodyModelNameFor, handlerNameFor, pathParameters, uniqueName, validateRoutePath } from './routePath';
import { findConfiguredClient } from './existingClient';
import { ALTERNATIVE_MODULE_NAMES, moduleShadowing } from './moduleShadowing';
import { routeConventions } from './routeConventions';
import { buildRouteIndex } from './routeIndex';
import { capturedMessage, checkServed, placeBefore, unresolvedUrlNote } from './routePlacement';
import { decideStreamingPackage, packageImports } from './streamingPackage';
import { migrateLegacyImports, namesImportedFromPackage } from './streamingMigration';
import { applyTextEdits, coalesceTextEdits, originalOffset, positionAt, type TextEdit } from '../workspace/textEdit';
import { DEFAULT_PROTOCOL, PROTOCOLS, supportsResumable, type StreamProtocol } from './protocol';
import { formatTokenSource, type TokenSourceChoice } from './tokenSource';
import { wholeTextEdit, type FileChange } from '../workspace/fileChange';
import type { PythonTarget } from './projectPythonTarget';

/** What a route with an on_finish hook imports from the package besides its encoder. */
const LIFECYCLE_NAMES = ['FinishResult', 'with_on_finish'] as const;

/** A model name as a Python string, or undefined. */
function quotedModel(model: string | undefined): string | undefined {
  return model === undefined ? undefined : pythonString(model);
}

export type { TokenSourceChoice } from './tokenSource';
export type { StreamProtocol } from './protocol';
export type { OnDisconnect } from '../codegen/python/templates/route.py';
export { uvicornArguments, type UvicornTarget } from './modulePaths';

export type HttpMethod = 'GET' | 'POST';

export interface AddEndpointRequest {
  /** The module and app/router/factory to add the route to; found in the workspace when absent. */
  readonly target?: { readonly file: string; readonly id?: string };
  /** Default: the protocol's (`/stream`, `/api/chat`, `/v1/chat/completions`). */
  readonly route?: string;
  /** sse only (the chat protocols are POST): default GET; POST takes a JSON body `{"prompt": ...}`. */
  readonly method?: HttpMethod;
  /** The wire protocol: default `sse` (our token/done/error events). */
  readonly protocol?: StreamProtocol;
  /** Default the demo generator. */
  readonly source?: TokenSourceChoice;
  /**
   * Where the generated streaming module goes: a `.py` file or a folder (for `streaming.py` in it), relative to
   * the workspace. Default: an existing generated `streaming.py` in the target's package, else a new one at
   * the top of the target's package (next to the target for a top-level script).
   */
  readonly moduleLocation?: string;
  /**
   * A resumable stream: events carry ids `<stream-id>:<seq>`, a reconnect with `Last-Event-ID` resumes it (on
   * any worker, with Redis), through the generated resumable module beside the streaming module.
   */
  readonly resumable?: boolean;
  /** The project's Python target (pythonTarget.ts `projectPythonTarget`), which the generated files follow; default 3.9. */
  readonly pythonTarget?: PythonTarget;
  /**
   * What the route does with an answer whose client left (default `cancel`): `cancel` closes the token source
   * at once (the provider request stops); `finish` reads the answer to its end so its on_finish hook gets all
   * of it. Resumable streams always finish.
   */
  readonly onDisconnect?: OnDisconnect;
  /** Seconds an answer may run before it is cut short (the `catalyst.streaming.maxAnswerDuration` setting); default 300. */
  readonly maxAnswerDuration?: number;
}

export interface PlannedEndpoint {
  readonly file: string;
  /** The app variable, factory or router the route is registered on. */
  readonly owner: string;
  readonly ownerKind: 'app' | 'factory' | 'router';
  readonly method: HttpMethod;
  /** The path in the decorator. */
  readonly route: string;
  /** The path a client requests (router and inclusion prefixes applied). */
  readonly url: string;
  readonly functionName: string;
  readonly source: string;
  readonly protocol: StreamProtocol;
  /** Whether the stream is resumable (`--resumable`). */
  readonly resumable: boolean;
  /** What the route does with an answer whose client left (`finish` for a resumable stream). */
  readonly onDisconnect: OnDisconnect;
  /** How uvicorn serves the app the route belongs to; absent for a router no app includes. */
  readonly serve?: UvicornTarget;
}

export type RefusalReason =
  | 'invalid-route'
  | 'route-taken'
  | 'no-app'
  | 'ambiguous-target'
  | 'unknown-target'
  | 'syntax-error'
  | 'unknown-source'
  | 'module-conflict'
  | 'name-conflict'
  | 'unsupported-layout'
  /** A route or mount that comes first (in another router, or a mount before the router's inclusion) would answer the path. */
  | 'route-unreachable';

/** Why an add-endpoint command did nothing: the planner's reasons, an edit that could not be written, or a failure. */
export type OutcomeRefusalReason = RefusalReason | 'not-writable' | 'failed' | 'app-does-not-start';

/** A refused add-endpoint as the CLI (`--json`) and the editor's command both report it, `reason` included. */
export interface AddEndpointRefusal {
  readonly status: 'refused';
  readonly reason: OutcomeRefusalReason;
  readonly message: string;
}

export type AddEndpointPlan =
  | {
      readonly status: 'planned';
      readonly endpoint: PlannedEndpoint;
      readonly changes: readonly FileChange[];
      /** What was decided and why: the streaming module kept or updated, a router not included anywhere. */
      readonly notes: readonly string[];
      /** Where the new route starts in its file's new text (0-based line), to reveal it. */
      readonly reveal: { readonly path: string; readonly line: number };
    }
  | { readonly status: 'already-present'; readonly endpoint: PlannedEndpoint; readonly message: string; readonly line: number }
  | { readonly status: 'refused'; readonly reason: RefusalReason; readonly message: string };

class Refusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

export async function planAddEndpoint(files: ReadonlyMap<string, string>, request: AddEndpointRequest = {}): Promise<AddEndpointPlan> {
  const workspace = new PythonWorkspace(files, { namespacePackages: await findNamespacePackages(files) });
  try {
    return await new Planner(workspace, request).plan();
  } catch (error) {
    if (error instanceof Refusal) {
      return { status: 'refused', reason: error.reason, message: error.message };
    }
    if (error instanceof MigrationNeeded) {
      return await planWithMigration(files, request, error.migration, error.legacy);
    }
    throw error;
  } finally {
    workspace.dispose();
  }
}

/**
 * The untouched single module of an earlier version is replaced by the package in the same change: the plan
 * is made on the workspace as it will be (old modules gone, imports rewritten), then the rewritten files'
 * changes and the deletions join it, each file changed once against its text today.
 */
async function planWithMigration(
  files: ReadonlyMap<string, string>,
  request: AddEndpointRequest,
  migration: { readonly files: ReadonlyMap<string, string> },
  legacy: readonly string[],
): Promise<AddEndpointPlan> {
  const migrated = new Map(files);
  legacy.forEach((file) => migrated.delete(file));
  migration.files.forEach((text, file) => migrated.set(file, text));
  const plan = await planAddEndpoint(migrated, request);
  if (plan.status !== 'planned') {
    return plan;
  }
  const planned = new Map(plan.changes.map((change) => [change.path, change]));
  const changes: FileChange[] = legacy.map((file) => ({
    path: file,
    kind: 'delete',
    before: files.get(file)!,
    after: '',
    edits: [],
    description: `delete ${file} (generated by an earlier version, never edited): the streaming package replaces it`,
  }));
  for (const [file, text] of migration.files) {
    const after = planned.get(file)?.after ?? text;
    planned.delete(file);
    const before = files.get(file)!;
    changes.push({
      path: file,
      kind: 'modify',
      before,
      after,
      edits: [wholeTextEdit(before, after)],
      description: `import from the streaming package in ${file}`,
    });
  }
  changes.push(...planned.values());
  const note = `${legacy.join(' and ')} (generated by an earlier version, never edited) ${legacy.length === 1 ? 'is' : 'are'} replaced by the streaming package; the imports of ${[...migration.files.keys()].join(', ') || 'no other file'} now name its modules.`;
  return { ...plan, changes, notes: [note, ...plan.notes] };
}

/** Thrown by the planner when the streaming module to use is an untouched one of an earlier version. */
class MigrationNeeded extends Error {
  constructor(
    readonly legacy: readonly string[],
    readonly migration: { readonly files: ReadonlyMap<string, string> },
  ) {
    super('the legacy streaming module is migrated first');
  }
}

/** What the route imports from the generated code, and the changes and notes that code brings. */
interface StreamingCode {
  readonly imports: readonly ImportRequest[];
  readonly changes: readonly FileChange[];
  readonly notes: readonly string[];
  /** Whether the route hands its answers to an on_finish hook: the package has `with_on_finish`, a kept module of an earlier version not. */
  readonly lifecycle: boolean;
}

/** The app/router a new route goes on, with what the planner needs to know about it. */
interface ResolvedTarget {
  readonly file: string;
  readonly analysis: ModuleAnalysis;
  readonly id: string;
  readonly kind: 'app' | 'factory' | 'router';
  /** The name the decorator uses. */
  readonly variable: string;
  readonly app?: FastApiApp;
}

class Planner {
  private readonly route: string;
  private readonly method: HttpMethod;
  private readonly source: TokenSourceChoice;
  /** What the token source decided (a configured client reused). */
  private readonly sourceNotes: string[] = [];
  private readonly protocol: StreamProtocol;
  constructor(
    private readonly workspace: PythonWorkspace,
    private readonly request: AddEndpointRequest,
  ) {
    this.protocol = request.protocol ?? DEFAULT_PROTOCOL;
    const protocol = PROTOCOLS[this.protocol];
    this.route = request.route ?? protocol.defaultRoute;
    this.method = protocol.method ?? request.method ?? 'GET';
    this.source = request.source ?? { kind: 'demo' };
  }

  /** A resumable stream is produced once, whoever is connected: it always finishes. */
  private onDisconnect(): OnDisconnect {
    return this.request.resumable === true && supportsResumable(this.protocol) ? 'finish' : (this.request.onDisconnect ?? DEFAULT_ON_DISCONNECT);
  }

  async plan(): Promise<AddEndpointPlan> {
    const invalid = validateRoutePath(this.route);
    if (invalid) {
      throw new Refusal('invalid-route', `Invalid route path: ${invalid}.`);
    }
    const target = await this.resolveTarget();
    const index = await buildRouteIndex(this.workspace, target, target.analysis);
    const url = index.url(this.route);
    const matches = index.matches(this.route);
    const serving = await servingApp(this.workspace, target);
    const serve = serving && (await uvicornTargetFor(this.workspace, serving.app));
    const endpointBase = {
      file: target.file,
      owner: target.id,
      ownerKind: target.kind,
      method: this.method,
      route: this.route,
      url,
      source: formatTokenSource(this.source),
      protocol: this.protocol,
      resumable: this.request.resumable === true && supportsResumable(this.protocol),
      onDisconnect: this.onDisconnect(),
      ...(serve ? { serve } : {}),
    };

    const present = matches.find((served) => served.methods.includes(this.method) && served.route.streamsSse);
    if (present) {
      return {
        status: 'already-present',
        endpoint: { ...endpointBase, file: present.file, functionName: present.route.handler?.name ?? '' },
        message: `A streaming endpoint is already there: ${this.method} ${url} (${present.file}:${present.route.span.startPoint.row + 1}). Nothing to do.`,
        line: present.route.span.startPoint.row,
      };
    }
    if (matches.length > 0) {
      const clash = matches[0]!;
      throw new Refusal(
        'route-taken',
        `The route ${url} is already taken by ${clash.methods.join('/')} ${clash.path} in ${clash.file}:${clash.route.span.startPoint.row + 1}${clash.route.handler ? ` (${clash.route.handler.name})` : ''}. Choose another path.`,
      );
    }
    return this.planNewEndpoint(target, endpointBase);
  }

  private async planNewEndpoint(target: ResolvedTarget, endpointBase: Omit<PlannedEndpoint, 'functionName'>): Promise<AddEndpointPlan> {
    const { analysis } = target;
    const source = await this.tokenSource(target);
    // Resumable streams are of our sse protocol (the CLI refuses --resumable with another).
    const resumable = this.request.resumable === true && supportsResumable(this.protocol);
    const module = await this.streamingCode(target, source);
    const { functionName, helpers, bodyModel, finishHook } = this.names(target, source, module.lifecycle);
    const lifecycle: AnswerLifecycle | undefined = finishHook
      ? {
          hook: finishHook,
          onDisconnect: endpointBase.onDisconnect,
          ...(this.request.maxAnswerDuration === undefined ? {} : { maxDuration: this.request.maxAnswerDuration }),
        }
      : undefined;
    const prompt = promptExpression(this.method);

    // Imports, merged into the module's own in their style: a file that says `import pydantic` gets
    // `pydantic.BaseModel`, not a second import.
    const pydanticModule = bodyModel && analysis.bindings.get('BaseModel') !== 'pydantic.BaseModel' ? moduleImportedAs(analysis, 'pydantic') : undefined;
    const baseModel = pydanticModule ? `${pydanticModule}.BaseModel` : 'BaseModel';
    const imports: ImportRequest[] = [
      ...module.imports,
      ...(resumable ? [ASYNC_ITERATOR] : []),
      ...source.imports,
      ...(this.protocol === 'sse' ? [] : source.chat.imports),
      ...helpers.flatMap((helper) => helper.imports),
      ...(bodyModel && !pydanticModule ? [{ module: 'pydantic', names: ['BaseModel'] }] : []),
      ...(this.protocol === 'openai' ? [{ module: 'fastapi', names: ['Response'] }] : []),
    ];
    // The streaming module is the project's own even before it exists (isort's first-party section).
    const firstParty = this.workspace.firstPartyModules();
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

    const conventions = await routeConventions(this.workspace, target);
    const routeText =
      this.protocol === 'sse'
        ? renderRouteFunction({
            owner: target.variable,
            decoratorKeywords: conventions.keywords,
            method: this.method,
            path: this.route,
            url: endpointBase.url,
            functionName,
            pathParameters: pathParameters(this.route),
            ...(bodyModel ? { bodyModel } : {}),
            body: resumable
              ? resumableHandlerBody(source.body(prompt, returnEvents))
              : lifecycle
                ? `${source.answer.statements(prompt)}${answerStatement(source.answer.expression(prompt), lifecycle, quotedModel(source.answer.model))}return streaming_response(stream_tokens(answer))\n`
                : source.body(prompt),
            ...(resumable ? { resumable: true } : {}),
          })
        : renderChatRoute({
            protocol: this.protocol,
            owner: target.variable,
            decoratorKeywords: conventions.keywords,
            path: this.route,
            url: endpointBase.url,
            functionName,
            pathParameters: pathParameters(this.route),
            statements: source.chat.statements,
            source: source.chat.expression,
            defaultModel: source.chat.model,
            ...(lifecycle ? { lifecycle } : {}),
            ...(source.answer.model === undefined ? {} : { model: source.answer.model }),
          });
    const moduleLevel = [
      ...helpers.map((helper) => helper.text),
      ...(finishHook ? [renderFinishHook(finishHook, `${this.method} ${pythonStringBody(endpointBase.url)}`)] : []),
      // The body model right above the route that reads it.
      ...(bodyModel ? [renderBodyModel(bodyModel, this.method, endpointBase.url, baseModel)] : []),
    ];
    const before = await placeBefore(this.workspace, target, this.route, this.method);
    const edits = coalesceTextEdits([...importPlan.edits, ...this.codeEdits(target, routeText, moduleLevel, before)]);
    const after = applyTextEdits(analysis.source, edits);
    const revealLine = await this.verify(target, after, edits, functionName);

    const changes: FileChange[] = [...module.changes];
    const notes: string[] = [...module.notes, ...this.sourceNotes, ...conventions.notes];
    changes.push({
      path: target.file,
      kind: 'modify',
      before: analysis.source,
      after,
      edits,
      description: `add ${this.method} ${endpointBase.url} (${functionName}) to ${target.id}${helpers.length > 0 ? `, with ${helpers.map((h) => h.name).join(', ')}` : ''}`,
    });
    const unresolved = unresolvedUrlNote(endpointBase.url);
    if (unresolved) {
      notes.push(unresolved);
    }
    if (target.kind === 'router' && endpointBase.serve === undefined) {
      notes.push(
        `${target.id} in ${target.file} is not included in any app of this workspace: include it (app.include_router(${target.id})) to serve ${endpointBase.url}.`,
      );
    }
    return { status: 'planned', endpoint: { ...endpointBase, functionName }, changes, notes, reveal: { path: target.file, line: revealLine } };
  }

  /**
   * Where the code the route imports comes from, how it imports it, and what to write: the streaming package
   * (`app/streaming/`, at today's module location), or an edited module of an earlier version that still
   * defines the names. An untouched one of an earlier version is migrated (MigrationNeeded).
   */
  private async streamingCode(target: ResolvedTarget, source: TokenSourceCode): Promise<StreamingCode> {
    const names = this.streamingNames(source, true);
    const preferred = streamingModuleFile(this.workspace, target.file, this.request.moduleLocation);
    const legacyState = await this.generatedState(preferred);
    if (legacyState === 'untouched' || legacyState === 'edited') {
      const kept = legacyState === 'untouched' ? await this.migrate(preferred) : `it was edited since it was generated`;
      return this.legacyModuleCode(target, preferred, this.streamingNames(source, false), kept);
    }
    const clash = moduleShadowing(this.workspace, preferred, { asPackage: true });
    if (this.request.moduleLocation !== undefined) {
      // The user named the location: never another one instead.
      const taken = clash ?? (await this.foreignAt(preferred));
      if (taken !== undefined) {
        const free = await this.freeModuleFile(preferred);
        throw new Refusal(
          'module-conflict',
          `A streaming package at ${packageFolder(preferred)}/ would clash with ${taken}. Choose a free name${free ? `, e.g. --module ${free}` : ' with --module'}.`,
        );
      }
      return this.packageCode(target, preferred, names);
    }
    const taken = clash ?? (await this.foreignAt(preferred));
    if (taken === undefined) {
      return this.packageCode(target, preferred, names);
    }
    const free = await this.freeModuleFile(preferred);
    if (free === undefined) {
      throw new Refusal(
        'module-conflict',
        `A streaming package at ${packageFolder(preferred)}/ would clash with ${taken}, and so would ${ALTERNATIVE_MODULE_NAMES.map((name) => name.replace(/\.py$/, '/')).join(', ')} there. Choose a free name with --module.`,
      );
    }
    const code = await this.packageCode(target, free, names);
    return {
      ...code,
      notes: [`The streaming package is ${packageFolder(free)}/, not ${packageFolder(preferred)}/: that name would clash with ${taken}.`, ...code.notes],
    };
  }

  /** The state of a generated module at `file` (undefined when there is none, 'foreign' when it is not ours). */
  private async generatedState(file: string): Promise<'untouched' | 'edited' | 'foreign' | undefined> {
    const text = this.workspace.files.get(file);
    return text === undefined ? undefined : (await inspectGeneratedFile(text)).kind;
  }

  /** What a package for the module file `file` would hide or overwrite that is the user's, described; undefined when nothing. */
  private async foreignAt(file: string): Promise<string | undefined> {
    if ((await this.generatedState(file)) === 'foreign') {
      return `${file}, a module of yours (not generated by Catalyst Streaming), which the package would hide`;
    }
    const init = `${packageFolder(file)}/__init__.py`;
    return (await this.generatedState(init)) === 'foreign'
      ? `the package ${packageFolder(file)}/ of yours (${init} was not generated by Catalyst Streaming)`
      : undefined;
  }

  /** The first alternative name next to `preferred` that clashes with nothing and is free (or ours). */
  private async freeModuleFile(preferred: string): Promise<string | undefined> {
    const folder = preferred.includes('/') ? preferred.slice(0, preferred.lastIndexOf('/') + 1) : '';
    for (const file of ALTERNATIVE_MODULE_NAMES.map((name) => folder + name)) {
      if (moduleShadowing(this.workspace, file, { asPackage: true }) === undefined && (await this.foreignAt(file)) === undefined) {
        return file;
      }
    }
    return undefined;
  }

  /** How the target imports the package standing in for the module file `file`. */
  private importNameFor(target: ResolvedTarget, file: string, what: string): string {
    const importName = importModuleFor(this.workspace, target.file, file, importsOwnPackageAbsolutely(this.workspace, target.file, target.analysis));
    if (importName === undefined) {
      throw new Refusal(
        'unsupported-layout',
        `${target.file} cannot import ${what} at ${file} (no import reaches it from there: are its folder and file names Python identifiers, its folder a package, with an __init__.py, under the same import root?). Put it in ${target.file}'s package, or next to it for a top-level script.`,
      );
    }
    return importName;
  }

  /** The package's files for `names` (and for what other modules import from it), and the imports of them. */
  private async packageCode(target: ResolvedTarget, moduleFile: string, names: readonly string[]): Promise<StreamingCode> {
    const importName = this.importNameFor(target, moduleFile, 'the streaming package');
    const folder = packageFolder(moduleFile);
    const decision = await decideStreamingPackage({
      folder,
      names,
      importedNames: await namesImportedFromPackage(this.workspace, this.workspace.identity(moduleFile).dottedName),
      read: (file) => this.workspace.files.get(file),
      eol: target.analysis.lineEnding,
      ...(this.request.pythonTarget ? { pythonTarget: this.request.pythonTarget } : {}),
    });
    if (decision.status === 'refused') {
      throw new Refusal('module-conflict', decision.message);
    }
    return { imports: packageImports(importName, names), changes: decision.changes, notes: decision.notes, lifecycle: true };
  }

  /** The untouched module of an earlier version (and resumable.py beside it) are replaced by the package: plan again without them. */
  private async migrate(legacyFile: string): Promise<string> {
    const resumable = resumableModuleFile(legacyFile);
    const legacy = { streaming: legacyFile, ...((await this.generatedState(resumable)) === 'untouched' ? { resumable } : {}) };
    const migration = await migrateLegacyImports(this.workspace, legacy);
    if (migration.status === 'blocked') {
      return `it cannot be replaced by the streaming package: ${migration.reason}`;
    }
    throw new MigrationNeeded([legacy.streaming, ...(legacy.resumable ? [legacy.resumable] : [])], migration);
  }

  /**
   * An edited module of an earlier version is its owner's: used as it is when it defines what the route
   * imports (resumable.py beside it for a resumable route), with a note on how to move to the package.
   */
  private async legacyModuleCode(target: ResolvedTarget, file: string, names: readonly string[], why: string): Promise<StreamingCode> {
    const resumableNames = names.filter((name) => PACKAGE_EXPORTS[name as PackageName]?.startsWith('resumable.'));
    const streamingNames = names.filter((name) => !resumableNames.includes(name));
    const howToMigrate = `To move to the streaming package (one file per job, each updated while you do not edit it), delete or rename ${file} and run Add Streaming Endpoint again, or restore its generated code.`;
    const imports: ImportRequest[] = [];
    for (const [moduleFile, moduleNames] of [
      [file, streamingNames],
      [resumableModuleFile(file), resumableNames],
    ] as const) {
      if (moduleNames.length === 0) {
        continue;
      }
      const text = this.workspace.files.get(moduleFile);
      const analysis = text === undefined ? undefined : await analyzePythonModule(text);
      const missing = moduleNames.filter((name) => !analysis?.topLevelNames.has(name));
      analysis?.dispose();
      if (missing.length > 0) {
        throw new Refusal(
          'module-conflict',
          `${file} was generated by an earlier version and is left as it is (${why}), and ${text === undefined ? `${moduleFile} does not exist` : `${moduleFile} does not define ${missing.join(', ')}`}, which the new endpoint needs. ${howToMigrate}`,
        );
      }
      imports.push({ module: this.importNameFor(target, moduleFile, 'a module'), names: moduleNames });
    }
    return {
      imports,
      changes: [],
      notes: [
        `${file} (generated by an earlier version) is left as it is, because ${why}, and the endpoint imports from it; it has no on_finish hook, which the streaming package brings. ${howToMigrate}`,
      ],
      lifecycle: false,
    };
  }

  /** What the handler imports from the streaming module: the protocol's encoder and request model, the source's adapter. */
  private streamingNames(source: TokenSourceCode, lifecycle: boolean): string[] {
    switch (this.protocol) {
      case 'sse': {
        // A resumable route responds through the package's resumable response instead.
        if (this.request.resumable === true) {
          return ['stream_tokens', RESUMABLE_RESPONSE_CLASS, RESUMABLE_RESPONSE_FUNCTION, ...source.streamingNames];
        }
        const encoders = ['EventStreamResponse', 'stream_tokens', 'streaming_response'];
        return lifecycle ? [...encoders, ...LIFECYCLE_NAMES, ...source.answer.streamingNames] : [...encoders, ...source.streamingNames];
      }
      case 'ai-sdk':
        return [
          'EventStreamResponse',
          CHAT_REQUEST_MODEL['ai-sdk'],
          'ui_message_stream_response',
          ...(lifecycle ? LIFECYCLE_NAMES : []),
          ...source.chat.streamingNames,
        ];
      case 'openai':
        return [CHAT_REQUEST_MODEL.openai, 'openai_chat_completion_response', ...(lifecycle ? LIFECYCLE_NAMES : []), ...source.chat.streamingNames];
    }
  }

  /** The handler's name, the helpers to add (those the module does not define yet) and a POST body model's name. */
  private names(
    target: ResolvedTarget,
    source: TokenSourceCode,
    lifecycle: boolean,
  ): { functionName: string; helpers: Helper[]; bodyModel?: string; finishHook?: string } {
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
    const functionName = uniqueName(handlerNameFor(this.route), (name) => taken.has(name));
    taken.add(functionName);
    const bodyModel = this.method === 'POST' && this.protocol === 'sse' ? uniqueName(bodyModelNameFor(functionName), (name) => taken.has(name)) : undefined;
    if (bodyModel) {
      taken.add(bodyModel);
    }
    // A resumable stream's answer is produced apart from any request: its hook is the resumable module's.
    const resumable = this.request.resumable === true && supportsResumable(this.protocol);
    const finishHook = resumable || !lifecycle ? undefined : uniqueName(`on_${functionName}_finish`, (name) => taken.has(name));
    return { functionName, helpers, ...(bodyModel ? { bodyModel } : {}), ...(finishHook ? { finishHook } : {}) };
  }

  /**
   * The inserted code: at module level, the helpers and the body model followed by the route (at the end,
   * above `if __name__ == "__main__":`); for a factory, the route inside it above its `return` and the
   * rest at module level above the factory. `before`: a statement the route must precede to be matched
   * first (see routePlacement.ts).
   */
  private codeEdits(target: ResolvedTarget, routeText: string, moduleLevelTexts: readonly string[], before?: Span): TextEdit[] {
    const { analysis } = target;
    const eol = analysis.lineEnding;
    const moduleLevel = moduleLevelTexts.map((text) => reindent(text, analysis.indentUnit));
    if (target.kind !== 'factory') {
      return [
        insertBlocks(analysis.source, this.moduleInsertionOffset(target, before), [...moduleLevel, reindent(routeText, analysis.indentUnit)], {
          eol,
          blankLines: 2,
        }),
      ];
    }
    const returnStatement = target.app?.returnStatement;
    if (!returnStatement) {
      throw new Refusal(
        'unsupported-layout',
        `${target.id}() in ${target.file} does not end with "return ${target.variable}"; add the route to the app it returns by hand, or choose another target.`,
      );
    }
    // Above the return, or above the statement of the factory's body the route must precede.
    const anchor = before && before.start >= target.app!.span.start && before.end <= returnStatement.span.start ? before : returnStatement.span;
    const anchorLine = lineStartOf(analysis.source, anchor.start);
    const bodyIndent = analysis.source.slice(anchorLine, anchor.start);
    const edits = [insertBlocks(analysis.source, anchorLine, [reindent(routeText, analysis.indentUnit, bodyIndent)], { eol, blankLines: 1 })];
    if (moduleLevel.length > 0) {
      edits.push(insertBlocks(analysis.source, commentsAboveStatementAt(analysis, target.app!.span.start), moduleLevel, { eol, blankLines: 2 }));
    }
    return edits;
  }

  /** The target the user named, or the workspace's only app. */
  private async resolveTarget(): Promise<ResolvedTarget> {
    const requested = this.request.target;
    let file: string;
    let id: string | undefined = requested?.id;
    if (requested) {
      file = normaliseFile(requested.file);
      if (!this.workspace.files.has(file)) {
        throw new Refusal('unknown-target', `${requested.file} is not a Python file of this workspace.`);
      }
    } else {
      // Apps in test code (a conftest fixture, a test's stub app) are not the project's: only named with --app.
      const candidates = preferredTargets((await this.workspace.targets()).filter((t) => !isTestFile(t.file)));
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
    const analysis = await this.workspace.module(file)!;
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

  private async tokenSource(target: ResolvedTarget): Promise<TokenSourceCode> {
    const source = this.source;
    if (source.kind === 'demo') {
      return demoTokenSource();
    }
    if (source.kind === 'sdk') {
      return sdkTokenSource(source.provider, await this.configuredClient(target, source.provider));
    }
    const found = await this.findTokenFunction(target, source.name);
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
      const module = importModuleFor(this.workspace, target.file, found.file, importsOwnPackageAbsolutely(this.workspace, target.file, target.analysis));
      if (module === undefined) {
        throw new Refusal('unsupported-layout', `${target.file} cannot import ${source.name} from ${found.file}.`);
      }
      imports.push({ module, names: [source.name] });
    }
    return functionTokenSource(source.name, takesPrompt, imports);
  }

  /** The app's own configured client of that SDK, as the target module reaches it (noted for the user). */
  private async configuredClient(target: ResolvedTarget, provider: SdkProvider): Promise<ExistingClient | undefined> {
    const client = await findConfiguredClient(this.workspace, target.file, provider);
    if (client === undefined) {
      return undefined;
    }
    const imports: ImportRequest[] = [];
    if (client.file !== target.file) {
      const module = importModuleFor(this.workspace, target.file, client.file, importsOwnPackageAbsolutely(this.workspace, target.file, target.analysis));
      if (module === undefined) {
        return undefined;
      }
      imports.push({ module, names: [client.name] });
    }
    this.sourceNotes.push(
      `The endpoint uses your configured client ${client.name} (${client.className.split('.').pop()} in ${client.file}) rather than a new one.${client.className === 'openai.AsyncAzureOpenAI' ? ' With Azure, model= names your deployment: check it.' : ''}`,
    );
    return { expression: client.name, imports };
  }

  /** An async generator function by name: in the target module first, else the only one in the workspace. */
  private async findTokenFunction(target: ResolvedTarget, name: string): Promise<{ file: string; fn: FunctionInfo }> {
    const isTokenGenerator = (fn: FunctionInfo) => fn.isAsync && (fn.isGenerator || /Async(Iterator|Generator|Iterable)/.test(fn.returnAnnotation ?? ''));
    const local = target.analysis.functions.find((fn) => fn.name === name);
    const candidates: Array<{ file: string; fn: FunctionInfo }> = [];
    if (local) {
      candidates.push({ file: target.file, fn: local });
    } else {
      for (const [file, text] of this.workspace.files) {
        if (file.endsWith('.py') && file !== target.file && text.includes(`def ${name}`)) {
          const fn = (await this.workspace.module(file)!).functions.find((f) => f.name === name);
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

  /**
   * Module-level code goes at the end, above `if __name__ == "__main__":`, above the router's own inclusion,
   * and above the route or mount that would otherwise answer the new path first (`before`).
   */
  private moduleInsertionOffset(target: ResolvedTarget, before?: Span): number {
    const { analysis } = target;
    const candidates = [analysis.source.length];
    // Only a top-level statement can be preceded from module level (not a route inside a factory the app is made by).
    if (before && analysis.root.namedChildren.some((statement) => statement?.startIndex === before.start)) {
      candidates.push(commentsAboveStatementAt(analysis, before.start));
    }
    if (analysis.mainBlock) {
      candidates.push(analysis.mainBlock.insertionOffset);
    }
    const definitionEnd = (target.app ?? analysis.routers.find((r) => r.id === target.id))?.span.end ?? 0;
    for (const inclusion of analysis.inclusions) {
      // A route added to a router after it is included would not be served: include_router copies routes.
      if (inclusion.router === target.id && inclusion.statement.parent?.type === 'module') {
        candidates.push(commentsAboveStatementAt(analysis, inclusion.span.start));
      }
    }
    return Math.min(...candidates.filter((offset) => offset >= definitionEnd));
  }

  /**
   * The new text must parse, hold the new route as an SSE route, and route its URL to it: a last check
   * before anything is written.
   * Returns the 0-based line the new route starts on, to reveal it.
   */
  private async verify(target: ResolvedTarget, after: string, edits: readonly TextEdit[], functionName: string): Promise<number> {
    const files = new Map(this.workspace.files);
    files.set(target.file, after);
    const check = new PythonWorkspace(files, { namespacePackages: await findNamespacePackages(files) });
    try {
      const analysis = await check.module(target.file)!;
      const added = analysis.routes.find((r) => r.handler?.name === functionName && r.path === this.route);
      if (analysis.syntaxErrors.length > 0 || !added?.streamsSse) {
        throw new Error(`internal error: the planned edit of ${target.file} does not parse back into the new route ${functionName}`);
      }
      // Matched the way Starlette matches, through the app that serves it: the new route must answer its URL.
      const served = await checkServed(check, target, this.route, this.method, functionName);
      if (served.status === 'captured') {
        // Lines as the user's file has them now: the checked text has the new imports above.
        const lineOf = (file: string, span: Span) =>
          file === target.file ? positionAt(target.analysis.source, originalOffset(edits, span.start)).line + 1 : span.startPoint.row + 1;
        throw new Refusal('route-unreachable', capturedMessage(served, target, this.method, lineOf));
      }
      return added.span.startPoint.row;
    } finally {
      check.dispose();
    }
  }
}

/** Apps before routers; of an app made by a local factory and the factory, the factory (it makes every app). */
export function preferredTargets(targets: readonly EndpointTarget[]): EndpointTarget[] {
  const factories = new Set(targets.filter((t) => t.kind === 'factory').map((t) => `${t.file}:${t.id}`));
  return targets.filter((t) => !(t.createdBy !== undefined && factories.has(`${t.file}:${t.createdBy}`)));
}

/** The start of the comment lines directly above the top-level statement at `offset` (they belong to it). */
function commentsAboveStatementAt(analysis: ModuleAnalysis, offset: number): number {
  const statement = analysis.root.namedChildren.find((node) => node?.startIndex === offset);
  return lineStartOf(analysis.source, statement ? leadingCommentsStart(statement) : offset);
}
