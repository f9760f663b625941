/**
 * What an add-endpoint asks for and what its plan answers: the public types of the route planner, shared by
 * the CLI (`--json`), the editor's command and the use case in core/app.
 */
import type { OnDisconnect } from '../../codegen/python/templates/route.py';
import type { FileChange } from '../../workspace/fileChange';
import type { UvicornTarget } from '../modulePaths';
import type { PythonTarget } from '../projectPythonTarget';
import type { StreamProtocol } from '../protocol';
import type { TokenSourceChoice } from '../tokenSource';

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
   * What the imported app answered for this route (verifyEndpoint.ts): its URL and the app serving it replace
   * what the source analysis reads, the module it imported the target by places the streaming package, and
   * the source's view of which route answers first is not consulted.
   */
  readonly served?: { readonly url: string; readonly serve: UvicornTarget; readonly module?: string };
  /**
   * The app will be asked whether the route is reached: a route the source shows answered first by another
   * is reported in the plan (`unreachableBySource`) rather than refused, for when the app cannot answer.
   */
  readonly deferReachability?: boolean;
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
      /** With `deferReachability`: why the source shows another route or mount answering the path first. */
      readonly unreachableBySource?: string;
    }
  | { readonly status: 'already-present'; readonly endpoint: PlannedEndpoint; readonly message: string; readonly line: number }
  | { readonly status: 'refused'; readonly reason: RefusalReason; readonly message: string };
