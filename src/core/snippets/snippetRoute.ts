/** The route a client snippet is for: what every snippet renderer reads. */
import type { StreamProtocol } from '../../protocol/stream';

export interface SnippetRoute {
  /** The path a client requests (every router and inclusion prefix applied). */
  readonly path: string;
  /** Upper-case HTTP method. */
  readonly method: string;
  readonly protocol: StreamProtocol;
  /** A resumable route (`resumable_response`): the ai-sdk snippet resumes the chat and stops it on the server. */
  readonly resumable?: boolean;
}
