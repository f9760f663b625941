/**
 * What every step of the plan reads: the workspace, the request, and the request's choices with their
 * defaults applied (the protocol's route and method, the demo source). Plain data made once per plan.
 */
import { DEFAULT_ON_DISCONNECT, type OnDisconnect } from '../../codegen/python/templates/route.py';
import type { FastApiApp, ModuleAnalysis } from '../../python/analysis';
import type { ImportRequest } from '../../python/importEdit';
import type { PythonWorkspace } from '../../python/workspace';
import type { FileChange } from '../../workspace/fileChange';
import { DEFAULT_PROTOCOL, PROTOCOLS, supportsResumable, type StreamProtocol } from '../protocol';
import type { TokenSourceChoice } from '../tokenSource';
import type { AddEndpointRequest, HttpMethod } from './types';

export interface EndpointPlanning {
  readonly workspace: PythonWorkspace;
  readonly request: AddEndpointRequest;
  readonly route: string;
  readonly method: HttpMethod;
  readonly source: TokenSourceChoice;
  readonly protocol: StreamProtocol;
  /** Resumable streams are of a protocol that supports them (the CLI refuses --resumable with another). */
  readonly resumable: boolean;
  /** A resumable stream is produced once, whoever is connected: it always finishes. */
  readonly onDisconnect: OnDisconnect;
}

export function endpointPlanning(workspace: PythonWorkspace, request: AddEndpointRequest): EndpointPlanning {
  const protocol = request.protocol ?? DEFAULT_PROTOCOL;
  const resumable = request.resumable === true && supportsResumable(protocol);
  return {
    workspace,
    request,
    route: request.route ?? PROTOCOLS[protocol].defaultRoute,
    method: PROTOCOLS[protocol].method ?? request.method ?? 'GET',
    source: request.source ?? { kind: 'demo' },
    protocol,
    resumable,
    onDisconnect: resumable ? 'finish' : (request.onDisconnect ?? DEFAULT_ON_DISCONNECT),
  };
}

/** The app/router a new route goes on, with what the planner needs to know about it. */
export interface ResolvedTarget {
  readonly file: string;
  readonly analysis: ModuleAnalysis;
  readonly id: string;
  readonly kind: 'app' | 'factory' | 'router';
  /** The name the decorator uses. */
  readonly variable: string;
  readonly app?: FastApiApp;
}

/** What the route imports from the generated code, and the changes and notes that code brings. */
export interface StreamingCode {
  readonly imports: readonly ImportRequest[];
  readonly changes: readonly FileChange[];
  readonly notes: readonly string[];
  /** Whether the route hands its answers to an on_finish hook: the package has `with_on_finish`, a kept module of an earlier version not. */
  readonly lifecycle: boolean;
}
