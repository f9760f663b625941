/**
 * The questions "Add Streaming Endpoint" asks, behind a small prompts interface: the extension answers them
 * with QuickPicks and an InputBox, tests with canned answers. Only what the caller did not already give is
 * asked (the command's options object, settings): target (when there is more than one), protocol, route
 * (validated as it is typed, clashes included; the protocol's path proposed), method (sse only: the chat
 * protocols are POST), token source, plain or resumable stream (sse only), and what happens to an answer whose
 * client left (asked where it matters: a plain stream from a model, not the demo; a resumable one always finishes).
 *
 *   const request = await askAddEndpointRequest(files, prompts, { given, defaults, activeFile });
 *   if (request) { const plan = await planAddEndpoint(files, request); ... }
 */
import { hasGeneratedHeader } from '../codegen/python/generatedHeader';
import { SDK_PROVIDERS, type SdkProvider } from '../codegen/python/templates/tokenSources.py';
import { PythonWorkspace, type EndpointTarget } from '../python/workspace';
import { DEFAULT_ROUTE } from '../defaults';
import { preferredTargets, type AddEndpointRequest, type HttpMethod } from './endpoint';
import { DEFAULT_PROTOCOL, PROTOCOLS, STREAM_PROTOCOLS, supportsResumable, type StreamProtocol } from './protocol';
import { buildRouteIndex } from './endpoint/routeIndex';
import { validateRoutePath } from './routePath';
import type { TokenSourceChoice } from './tokenSource';

export interface Choice<T> {
  readonly label: string;
  readonly description?: string;
  readonly value: T;
}

export type Question = 'target' | 'protocol' | 'route' | 'method' | 'source' | 'resumable' | 'onDisconnect';

export interface AddEndpointPrompts {
  /** One of `choices` (the first is the suggested one); undefined when the user cancels. */
  pick<T>(question: Question, title: string, choices: readonly Choice<T>[]): Promise<T | undefined>;
  /** Text, with `validate` run on every change (a message blocks the answer); undefined when cancelled. */
  input(question: Question, title: string, initial: string, validate: (value: string) => string | undefined): Promise<string | undefined>;
}

export interface AskOptions {
  /** Answers already known (the command's options argument); these are not asked. */
  readonly given?: AddEndpointRequest;
  /** Settings: the protocol, route and method offered first, and where the streaming module goes. */
  readonly defaults?: {
    readonly protocol?: StreamProtocol;
    readonly route?: string;
    readonly method?: HttpMethod;
    readonly moduleLocation?: string;
    /** Seconds an answer may run (the `catalyst.streaming.maxAnswerDuration` setting). */
    readonly maxAnswerDuration?: number;
  };
  /** The workspace-relative path of the active editor's file: its apps are offered first. */
  readonly activeFile?: string;
}

/** The request to plan, or undefined when the user cancelled a question. Throws nothing for "no app": the planner says so. */
export async function askAddEndpointRequest(
  files: ReadonlyMap<string, string>,
  prompts: AddEndpointPrompts,
  options: AskOptions = {},
): Promise<AddEndpointRequest | undefined> {
  const given = options.given ?? {};
  const workspace = new PythonWorkspace(files);
  try {
    let target = given.target;
    if (!target) {
      const targets = orderTargets(preferredTargets(await workspace.targets()), options.activeFile);
      if (targets.length > 1) {
        const picked = await prompts.pick(
          'target',
          'Add the streaming endpoint to which app or router?',
          targets.map((t) => ({ label: t.id, description: `${t.file}:${t.line + 1} · ${t.description}`, value: t })),
        );
        if (!picked) {
          return undefined;
        }
        target = { file: picked.file, id: picked.id };
      } else if (targets.length === 1) {
        target = { file: targets[0]!.file, id: targets[0]!.id };
      }
    }

    let protocol = given.protocol;
    if (protocol === undefined) {
      const preferred = options.defaults?.protocol ?? DEFAULT_PROTOCOL;
      const choices = [preferred, ...STREAM_PROTOCOLS.filter((p) => p !== preferred)].map((p) => ({
        label: p,
        description: PROTOCOLS[p].description,
        value: p,
      }));
      protocol = await prompts.pick('protocol', 'Which protocol does the endpoint speak?', choices);
      if (!protocol) {
        return undefined;
      }
    }

    let route = given.route;
    if (route === undefined) {
      const { validate, prefix } = await routeValidator(workspace, target);
      // The sse route setting applies to sse; a chat protocol proposes its clients' path.
      const initial = protocol === 'sse' ? (options.defaults?.route ?? DEFAULT_ROUTE) : PROTOCOLS[protocol].defaultRoute;
      // On a router, the path typed is under its prefix: say so, or a user types the prefix twice.
      const title = prefix
        ? `Route path of the streaming endpoint, under the router's prefix ${prefix} (served at ${prefix}/...)`
        : 'Route path of the streaming endpoint';
      route = await prompts.input('route', title, initial, validate);
      if (route === undefined) {
        return undefined;
      }
    }

    let method = PROTOCOLS[protocol].method ?? given.method;
    if (method === undefined) {
      const preferred = options.defaults?.method ?? 'GET';
      const methods: Array<Choice<HttpMethod>> = [
        { label: 'GET', description: 'the prompt in the query string (?prompt=...); EventSource can call it', value: 'GET' },
        { label: 'POST', description: 'a JSON body {"prompt": "..."} validated by a pydantic model', value: 'POST' },
      ];
      method = await prompts.pick('method', 'HTTP method', preferred === 'POST' ? methods.reverse() : methods);
      if (!method) {
        return undefined;
      }
    }

    let source = given.source;
    if (!source) {
      source = await prompts.pick('source', 'Where do the tokens come from?', await sourceChoices(workspace, target?.file));
      if (!source) {
        return undefined;
      }
    }

    let resumable = supportsResumable(protocol) ? given.resumable : false;
    if (resumable === undefined) {
      resumable = await prompts.pick('resumable', 'Plain or resumable stream?', [
        { label: 'Plain stream', description: 'a dropped connection ends the answer', value: false },
        {
          label: 'Resumable stream',
          description: `${RESUMABLE_HOW[protocol]}, on any worker (Redis when REDIS_URL is set, else in process); a stop endpoint ends it`,
          value: true,
        },
      ]);
      if (resumable === undefined) {
        return undefined;
      }
    }

    let onDisconnect = resumable ? undefined : given.onDisconnect;
    // The demo's answer costs nothing and is worth nothing to save: only a model's answer is asked about.
    if (!resumable && onDisconnect === undefined && source.kind !== 'demo') {
      onDisconnect = await prompts.pick('onDisconnect', 'When the client leaves mid-answer?', [
        { label: 'Cancel the answer', description: 'the model request stops at once, and with it the billing', value: 'cancel' as const },
        {
          label: 'Finish the answer',
          description: "it runs to its end (within the answer time limit) so that the route's on_finish hook can save all of it",
          value: 'finish' as const,
        },
      ]);
      if (onDisconnect === undefined) {
        return undefined;
      }
    }

    const moduleLocation = given.moduleLocation ?? options.defaults?.moduleLocation;
    const maxAnswerDuration = given.maxAnswerDuration ?? options.defaults?.maxAnswerDuration;
    return {
      ...(target ? { target } : {}),
      protocol,
      route,
      method,
      source,
      resumable,
      ...(onDisconnect ? { onDisconnect } : {}),
      ...(moduleLocation ? { moduleLocation } : {}),
      ...(maxAnswerDuration !== undefined ? { maxAnswerDuration } : {}),
    };
  } finally {
    workspace.dispose();
  }
}

/** How a resumable stream of each protocol comes back, for the question's description. */
const RESUMABLE_HOW: Readonly<Record<StreamProtocol, string>> = {
  sse: 'a reconnect continues where it stopped',
  'ai-sdk': "useChat's resume: true gets the answer back after a reload",
  openai: 'the request sent again with Last-Event-ID continues where it stopped',
};

/** The active file's targets first, then the rest in their order (top-level files first). */
function orderTargets(targets: readonly EndpointTarget[], activeFile: string | undefined): EndpointTarget[] {
  return [...targets.filter((t) => t.file === activeFile), ...targets.filter((t) => t.file !== activeFile)];
}

/**
 * Path syntax, then clashes with the routes the target already serves (an SSE route of ours is the planner's
 * call); and the prefix a route on the target is served under (router and inclusion prefixes), '' for none.
 */
async function routeValidator(
  workspace: PythonWorkspace,
  target: AddEndpointRequest['target'],
): Promise<{ readonly validate: (route: string) => string | undefined; readonly prefix: string }> {
  const analysis = target?.id === undefined ? undefined : await workspace.module(target.file);
  const index =
    analysis && target?.id !== undefined && analysis.syntaxErrors.length === 0
      ? await buildRouteIndex(workspace, { file: target.file, id: target.id }, analysis)
      : undefined;
  const validate = (route: string): string | undefined => {
    const invalid = validateRoutePath(route);
    if (invalid || !index) {
      return invalid;
    }
    const clash = index.matches(route).find((served) => !served.route.streamsSse);
    if (!clash) {
      return undefined;
    }
    const handler = clash.route.handler ? ` (${clash.route.handler.name})` : '';
    return `${index.url(route)} is already served by ${clash.methods.join('/')} in ${clash.file}:${clash.route.span.startPoint.row + 1}${handler}`;
  };
  return { validate, prefix: index?.url('') ?? '' };
}

const SDK_LABELS: Readonly<Record<SdkProvider, string>> = {
  anthropic: 'Anthropic (Claude) through the anthropic SDK',
  openai: 'OpenAI Chat Completions through the openai SDK',
  groq: 'Groq through the groq SDK',
};

/**
 * The demo generator, the SDKs, then the user's own async generator functions (the target's file first): never
 * those of files we generated (their header says so, edited or not: `stream_tokens` is the streaming package's
 * encoder, not a token source), never private names (`_texts`). A private one can still be given by name
 * (`add-endpoint --source function:_name`, or the command's options).
 */
async function sourceChoices(workspace: PythonWorkspace, targetFile: string | undefined): Promise<Array<Choice<TokenSourceChoice>>> {
  const choices: Array<Choice<TokenSourceChoice>> = [
    { label: 'demo', description: 'a canned reply, word by word: streams before any model is wired in', value: { kind: 'demo' } },
    ...SDK_PROVIDERS.map((provider) => ({ label: provider, description: SDK_LABELS[provider], value: { kind: 'sdk', provider } as const })),
  ];
  // Only files that can hold one are parsed.
  const files = [...workspace.files.entries()]
    .filter(([file, text]) => file.endsWith('.py') && text.includes('async def') && text.includes('yield') && !hasGeneratedHeader(text))
    .map(([file]) => file);
  files.sort((a, b) => Number(b === targetFile) - Number(a === targetFile));
  const seen = new Set<string>();
  for (const file of files) {
    for (const fn of (await workspace.module(file)!).functions) {
      if (fn.isAsync && fn.isGenerator && !seen.has(fn.name) && fn.name !== 'demo_tokens' && !fn.name.startsWith('_')) {
        seen.add(fn.name);
        choices.push({
          label: fn.name,
          description: `your async generator in ${file}:${fn.span.startPoint.row + 1}`,
          value: { kind: 'function', name: fn.name },
        });
      }
    }
  }
  return choices;
}
