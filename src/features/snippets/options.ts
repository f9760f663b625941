/** The `catalyst.copyClientSnippet` options argument (the CodeLens passes one), and its check. */
import { isClientKind, type ClientKind, type SnippetRoute } from '../../core/snippets/clientSnippets';

export interface CopySnippetOptions {
  readonly route: SnippetRoute;
  /** Skips the client QuickPick (tests, or a caller that knows). */
  readonly client?: ClientKind;
  readonly baseUrl?: string;
}

export function isCopySnippetOptions(value: unknown): value is CopySnippetOptions {
  const route = (value as { route?: Partial<SnippetRoute> } | undefined)?.route;
  const client = (value as { client?: unknown } | undefined)?.client;
  return (
    typeof route?.path === 'string' &&
    typeof route.method === 'string' &&
    (route.protocol === 'sse' || route.protocol === 'ai-sdk' || route.protocol === 'openai') &&
    (client === undefined || (typeof client === 'string' && isClientKind(client)))
  );
}
