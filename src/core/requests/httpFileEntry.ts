/**
 * Writes a preview request as an entry of a `.http` file (the format httpFile.ts reads), and appends it to a
 * file's text. Pure.
 *
 * Secrets never reach the file: the value of Authorization (and Proxy-Authorization, Cookie, and any header
 * whose name says key, token, secret or password, and any header the caller marks secret) is written as a
 * `{{variable}}` (`Authorization: Bearer {{token}}` keeps the scheme), and the variables are returned so the
 * caller can say which ones to define (REST Client: an environment in settings; httpYac: `.env`; JetBrains:
 * `http-client.private.env.json`). The body is written as JSON re-indented when it parses (so none of its lines
 * can start with `###` and end the entry); any other body holding such a line is refused.
 */
import type { StreamRequest } from '../../protocol/stream';

/** Headers whose values are credentials whatever the user says. */
const ALWAYS_SECRET = new Set(['authorization', 'proxy-authorization', 'cookie']);
const SECRET_WORDS = /key|token|secret|password|auth/i;
/** Characters that would end a line of the file, or hide in it. */
const LINE_BREAKING = /[\r\n\u2028\u2029\u0085\u000b\u000c]/;

export function isSecretHeaderName(name: string): boolean {
  return ALWAYS_SECRET.has(name.toLowerCase()) || SECRET_WORDS.test(name);
}

export interface EntryOptions {
  /** The `### name` line's text. */
  readonly name?: string;
  /** Header names (any case) the user marked secret, beyond isSecretHeaderName's. */
  readonly secretHeaders?: readonly string[];
}

export type HttpEntry =
  | {
      readonly ok: true;
      readonly text: string;
      /** The `{{variables}}` written in place of secret values, each with the header it stands for. */
      readonly variables: ReadonlyArray<{ readonly name: string; readonly header: string }>;
      /** Things a reader of the file should know (a `{{` in the body that the clients will read as a variable). */
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly message: string };

/** `X-Api-Key` -> `x_api_key`; Authorization with a Bearer token -> `token`. */
function variableFor(header: string): string {
  const lower = header.toLowerCase();
  return lower === 'authorization' ? 'token' : lower.replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'secret';
}

/** `Bearer abc` keeps its scheme: `Bearer {{token}}`; a bare value becomes `{{token}}`. */
function secretValue(value: string, variable: string): string {
  const scheme = /^(Bearer|Basic|Token|Digest)\s+\S/i.exec(value);
  return scheme ? `${scheme[1]} {{${variable}}}` : `{{${variable}}}`;
}

function bodyText(body: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body.split(/\r\n|\r|\n/).some((line) => line.startsWith('###')) ? undefined : body.replace(/\r\n?/g, '\n');
  }
}

export function httpFileEntry(request: StreamRequest, options: EntryOptions = {}): HttpEntry {
  const marked = new Set((options.secretHeaders ?? []).map((name) => name.toLowerCase()));
  const singleLine = [request.method, request.url, options.name ?? '', ...request.headers.flat()];
  if (singleLine.some((value) => LINE_BREAKING.test(value))) {
    return { ok: false, message: 'a method, URL, name or header holds a line break, which a .http file cannot hold' };
  }
  if (!/^[A-Z]+$/.test(request.method)) {
    return { ok: false, message: `${JSON.stringify(request.method)} is not an HTTP method` };
  }
  const variables: Array<{ name: string; header: string }> = [];
  const headers = request.headers.map(([name, value]) => {
    if (!(isSecretHeaderName(name) || marked.has(name.toLowerCase())) || value === '') {
      return `${name}: ${value}`;
    }
    let variable = variableFor(name);
    while (variables.some((v) => v.name === variable)) {
      variable += '_';
    }
    variables.push({ name: variable, header: name });
    return `${name}: ${secretValue(value, variable)}`;
  });
  const has = (header: string) => request.headers.some(([name]) => name.toLowerCase() === header);
  // What the preview sends on its own, written out so every client of the file sends it too.
  if (!has('accept')) {
    headers.unshift('Accept: text/event-stream');
  }
  const body = request.body === undefined || request.body.trim() === '' ? undefined : bodyText(request.body);
  if (request.body !== undefined && request.body.trim() !== '' && body === undefined) {
    return { ok: false, message: 'the body has a line starting with ###, which would end the request in a .http file' };
  }
  if (body !== undefined && !has('content-type')) {
    headers.push('Content-Type: application/json');
  }
  const warnings = body?.includes('{{') ? ['the body holds "{{", which .http clients read as the start of a variable'] : [];
  const name = (options.name ?? `${request.method} ${request.url}`).trim();
  const text = [`### ${name}`, `${request.method} ${request.url}`, ...headers, ...(body !== undefined ? ['', body] : [])].join('\n') + '\n';
  return { ok: true, text, variables, warnings };
}

/** `existing` (a file's text, possibly empty) with `entry` appended after one blank line. */
export function appendHttpEntry(existing: string, entry: string): string {
  const trimmed = existing.replace(/\s+$/, '');
  const newline = existing.includes('\r\n') ? '\r\n' : '\n';
  const added = entry.replace(/\n/g, newline);
  return trimmed === '' ? added : `${trimmed}${newline}${newline}${added}`;
}
