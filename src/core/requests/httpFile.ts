/**
 * Reads `.http` files, the request format REST Client, httpYac and JetBrains' HTTP client share, one line at a
 * time (a small state machine, not patterns over the whole file). Pure.
 *
 *   @host = http://127.0.0.1:8000          a file variable (values may use other variables)
 *   ### Ask the chat route                  starts a request; the text after ### is its name
 *   # @name chat                            REST Client's way to name it (also accepted)
 *   // a comment                            # and // lines before the request line and among headers
 *   POST {{host}}/api/chat HTTP/1.1        the request line: METHOD URL [HTTP/x]; a bare URL is a GET
 *     ?stream=true                          query continuation lines (? or &) right after it
 *   Content-Type: application/json         headers, up to the first blank line
 *
 *   {"messages": []}                        the body: everything up to the next ###, trailing blank lines dropped
 *
 * Variables are `{{name}}`; resolveHttpRequest substitutes file variables and the ones given (an environment,
 * what the user typed) and lists those left unresolved (`{{token}}` a saved request leaves for a secret, or
 * REST Client's `{{$guid}}` system variables, which are not supported).
 */
import type { StreamRequest } from '../../protocol/stream';

export interface HttpFileRequest {
  /** The `### name` or `# @name name`, if any. */
  readonly name: string | undefined;
  readonly method: string;
  /** As written, variables unresolved (query continuation lines joined on). */
  readonly url: string;
  readonly headers: ReadonlyArray<readonly [name: string, value: string]>;
  readonly body: string | undefined;
  /** 0-based line of the request line (where a CodeLens goes). */
  readonly line: number;
}

export interface HttpFile {
  /** `@name = value` file variables, in file order; a later one with the same name wins. */
  readonly variables: ReadonlyMap<string, string>;
  readonly requests: readonly HttpFileRequest[];
}

/** The methods a request line may start with (RFC 9110's, plus PATCH). */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

const SEPARATOR = /^###/;
const VARIABLE_LINE = /^@([A-Za-z_][\w.-]*)\s*=\s?(.*)$/;
const NAME_COMMENT = /^(?:#|\/\/)\s*@name\s+(\S.*)$/;
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s?(.*)$/;
const HTTP_VERSION = /\s+HTTP\/[\d.]+$/;

type State = 'preamble' | 'headers' | 'body';

interface Block {
  name: string | undefined;
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body: string[];
  line: number;
}

function isComment(line: string): boolean {
  return line.startsWith('#') || line.startsWith('//');
}

export function parseHttpFile(text: string): HttpFile {
  const variables = new Map<string, string>();
  const requests: HttpFileRequest[] = [];
  let state: State = 'preamble';
  let name: string | undefined;
  let block: Block | undefined;

  const finish = (): void => {
    if (block !== undefined) {
      while (block.body.length > 0 && block.body[block.body.length - 1]!.trim() === '') {
        block.body.pop();
      }
      requests.push({
        name: block.name,
        method: block.method,
        url: block.url,
        headers: block.headers,
        body: block.body.length > 0 ? block.body.join('\n') : undefined,
        line: block.line,
      });
    }
    block = undefined;
    state = 'preamble';
    name = undefined;
  };

  const lines = text.split(/\r\n|\r|\n/);
  lines.forEach((raw, index) => {
    if (SEPARATOR.test(raw)) {
      finish();
      name = raw.slice(3).trim() || undefined;
      return;
    }
    const line = state === 'body' ? raw : raw.trim();
    switch (state) {
      case 'preamble': {
        if (line === '') {
          return;
        }
        const variable = VARIABLE_LINE.exec(line);
        if (variable) {
          variables.set(variable[1]!, variable[2]!.trim());
          return;
        }
        const named = NAME_COMMENT.exec(line);
        if (named) {
          name = named[1]!.trim();
          return;
        }
        if (isComment(line)) {
          return;
        }
        const space = line.search(/\s/);
        const first = space === -1 ? line : line.slice(0, space);
        const [method, url] = METHODS.has(first) ? [first, line.slice(first.length).trim()] : ['GET', line];
        block = { name, method, url: url.replace(HTTP_VERSION, ''), headers: [], body: [], line: index };
        state = 'headers';
        return;
      }
      case 'headers': {
        const current = block!;
        if (line === '') {
          state = 'body';
          return;
        }
        if ((line.startsWith('?') || line.startsWith('&')) && current.headers.length === 0) {
          current.url += line;
          return;
        }
        if (isComment(line)) {
          return;
        }
        const header = HEADER_LINE.exec(line);
        if (header) {
          current.headers.push([header[1]!, header[2]!.trim()]);
          return;
        }
        // Not a header: the body started without its blank line (the clients read it so too).
        state = 'body';
        current.body.push(raw);
        return;
      }
      case 'body':
        block!.body.push(raw);
        return;
    }
  });
  finish();
  return { variables, requests };
}

/** `{{ name }}` references, outer braces only. */
const REFERENCE = /\{\{\s*([^{}\s]+)\s*\}\}/g;

export interface ResolvedHttpRequest {
  readonly request: StreamRequest;
  /** Variables used but defined nowhere (first use first, each once). */
  readonly unresolved: readonly string[];
}

/**
 * The request with every `{{name}}` replaced: by `given` first (an environment, values the user typed), then
 * the file's variables (themselves resolved, to a bounded depth so a cycle ends). Unknown ones stay as written
 * and are listed.
 */
export function resolveHttpRequest(file: HttpFile, request: HttpFileRequest, given: ReadonlyMap<string, string> = new Map()): ResolvedHttpRequest {
  const unresolved: string[] = [];
  const substitute = (text: string, depth: number): string =>
    text.replace(REFERENCE, (whole, variable: string) => {
      const value = given.get(variable) ?? file.variables.get(variable);
      if (value === undefined || depth > 10) {
        if (!unresolved.includes(variable)) {
          unresolved.push(variable);
        }
        return whole;
      }
      return substitute(value, depth + 1);
    });
  // In reading order, so `unresolved` lists them as the file uses them.
  const url = substitute(request.url, 0);
  const headers = request.headers.map(([name, value]) => [name, substitute(value, 0)] as const);
  const body = request.body === undefined ? undefined : substitute(request.body, 0);
  return { request: { url, method: request.method, headers, ...(body !== undefined ? { body } : {}) }, unresolved };
}

/** The request whose block holds `line` (0-based): the last one starting at or before it. */
export function requestAtLine(file: HttpFile, line: number): HttpFileRequest | undefined {
  return file.requests.filter((request) => request.line <= line).at(-1);
}
