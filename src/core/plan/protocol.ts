/**
 * The wire protocol a new endpoint speaks, defined once for the CLI, the editor command, the setting and the
 * planner: our own SSE events, the Vercel AI SDK's UI message stream, or OpenAI-compatible Chat Completions.
 */
import type { StreamProtocol } from '../../protocol/stream';

// Defined in src/protocol/stream.ts, the bottom layer the webview shares; the planner's callers name it here too.
export type { StreamProtocol };

export const STREAM_PROTOCOLS: readonly StreamProtocol[] = ['sse', 'ai-sdk', 'openai'];

export const DEFAULT_PROTOCOL: StreamProtocol = 'sse';

export interface ProtocolInfo {
  /** The route path suggested for a new endpoint. */
  readonly defaultRoute: string;
  /** The method the protocol's clients use; undefined when the user chooses (GET or POST). */
  readonly method?: 'POST';
  /** One line for help texts, QuickPick details and the setting's enumDescriptions. */
  readonly description: string;
}

export const PROTOCOLS: Readonly<Record<StreamProtocol, ProtocolInfo>> = {
  sse: {
    defaultRoute: '/stream',
    description: 'Server-Sent Events token, reasoning, tool_call, done and error events (EventSource, fetch)',
  },
  'ai-sdk': {
    defaultRoute: '/api/chat',
    method: 'POST',
    description: "Vercel AI SDK UI message stream v1: a POST chat route that useChat's default transport reads as is",
  },
  openai: {
    defaultRoute: '/v1/chat/completions',
    method: 'POST',
    description: 'OpenAI-compatible Chat Completions (stream true or false) for the OpenAI clients and compatible tools',
  },
};

/**
 * Every protocol can be resumable: sse by `Last-Event-ID`, ai-sdk through useChat's own resume
 * (`GET {api}/{chatId}/stream`), openai by `Last-Event-ID` on the request sent again. The planner, the questions
 * and the CLI's flags all ask this.
 */
export function supportsResumable(protocol: StreamProtocol): boolean {
  return STREAM_PROTOCOLS.includes(protocol);
}

export function parseProtocol(text: string): StreamProtocol | undefined {
  return (STREAM_PROTOCOLS as readonly string[]).includes(text) ? (text as StreamProtocol) : undefined;
}
