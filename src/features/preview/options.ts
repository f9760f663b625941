/** The `catalyst.openStreamPreview` options argument, checked and turned into a StreamRequest. */
import type { StreamRequest } from '../../protocol/stream';

/**
 * `executeCommand('catalyst.openStreamPreview', { url, method, body, headers, send })`.
 * - `body`: a JSON string, or any value (sent as its JSON);
 * - `headers`: `{ name: value }` or `[[name, value], ...]`;
 * - `send`: start the request at once (default: true when `url` is given, except with `fromRoute`);
 * - `fromRoute`: opened on a route (its CodeLens, the palette's route list): without `send`, the
 *   `catalyst.preview.sendOnOpen` setting decides whether it starts at once.
 */
export interface OpenPreviewOptions {
  readonly url?: string;
  readonly method?: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;
  readonly send?: boolean;
  readonly fromRoute?: boolean;
}

export function requestFromOptions(options: OpenPreviewOptions, fallbackUrl: string): StreamRequest {
  const headers: [string, string][] = Array.isArray(options.headers)
    ? options.headers.map(([name, value]) => [String(name), String(value)])
    : Object.entries((options.headers ?? {}) as Record<string, string>).map(([name, value]) => [name, String(value)]);
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body, null, 2);
  return {
    url: options.url ?? fallbackUrl,
    method: (options.method ?? (body !== undefined ? 'POST' : 'GET')).toUpperCase(),
    headers,
    ...(body !== undefined ? { body } : {}),
  };
}

export function isOpenPreviewOptions(value: unknown): value is OpenPreviewOptions {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !('scheme' in value);
}
