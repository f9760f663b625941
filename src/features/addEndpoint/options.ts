/**
 * The command's optional argument: answers to its prompts given up front, so tests and other commands can run
 * it without UI, e.g. `executeCommand('catalyst.addStreamingEndpoint', { file: 'main.py', variable: 'app',
 * route: '/stream', method: 'GET', source: 'demo', protocol: 'sse', resumable: false })`. Unanswered questions
 * are still asked, except the protocol when the route or method is given (callers from before protocols
 * existed): then it is the `catalyst.streaming.defaultProtocol` setting.
 */
import { ON_DISCONNECT_POLICIES, type OnDisconnect } from '../../core/codegen/python/templates/route.py';
import { parseProtocol, type StreamProtocol } from '../../core/plan/protocol';

export interface AddEndpointOptions {
  /** Workspace folder name or absolute path (multi-root workspaces). */
  readonly folder?: string;
  /** Folder-relative path of the module holding the app or router. */
  readonly file?: string;
  /** The app variable, factory function or router variable in `file`. */
  readonly variable?: string;
  readonly route?: string;
  readonly method?: 'GET' | 'POST';
  /** `demo`, `anthropic`, `openai`, `groq`, or the name of an async generator function. */
  readonly source?: string;
  /** A resumable stream (ids, replay from Last-Event-ID); asked when absent. */
  readonly resumable?: boolean;
  /** `sse`, `ai-sdk` or `openai`. */
  readonly protocol?: StreamProtocol;
  /** `cancel` or `finish`: what the route does with an answer whose client left; asked where it matters. */
  readonly onDisconnect?: OnDisconnect;
}

const STRING_KEYS = ['folder', 'file', 'variable', 'route', 'source'] as const;

/** Validates an untyped command argument; anything that is not an options object means "ask everything". */
export function parseAddEndpointOptions(value: unknown): AddEndpointOptions {
  if (value === null || typeof value !== 'object' || value instanceof Array || 'scheme' in value) {
    // No argument, or a URI passed by a menu: nothing answered up front.
    return {};
  }
  const record = value as Record<string, unknown>;
  const options: Record<string, string> = {};
  for (const key of STRING_KEYS) {
    if (typeof record[key] === 'string') {
      options[key] = record[key];
    }
  }
  const method = record.method === 'GET' || record.method === 'POST' ? record.method : undefined;
  const resumable = typeof record.resumable === 'boolean' ? { resumable: record.resumable } : {};
  const protocol = typeof record.protocol === 'string' ? parseProtocol(record.protocol) : undefined;
  const onDisconnect = ON_DISCONNECT_POLICIES.find((policy) => policy === record.onDisconnect);
  return { ...options, ...(method ? { method } : {}), ...(protocol ? { protocol } : {}), ...resumable, ...(onDisconnect ? { onDisconnect } : {}) };
}
