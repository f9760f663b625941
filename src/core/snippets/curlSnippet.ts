/**
 * The shell client of any streaming route: one `curl -N` command that prints the raw event stream as it
 * arrives (-N turns curl's output buffering off). `--globoff` because a route path may hold `{param}` or
 * `[...]`, which curl otherwise expands as URL globs. Every word goes through shellWord (core/codegen/escape.ts),
 * the URL through urlPath first, the path in the comment line through commentText; a value no quoting makes
 * safe (a control character in the base URL) is refused, never written.
 */
import type { SnippetRoute } from './snippetRoute';
import { commentText, shellWord, urlPath } from '../codegen/escape';
import { EXAMPLE_PROMPT, protocolRequestBody } from '../requests/protocolBodies';

export type CurlSnippet = { readonly ok: true; readonly code: string } | { readonly ok: false; readonly message: string };

export function curlSnippet(route: SnippetRoute, base: string): CurlSnippet {
  const get = route.method === 'GET';
  const url = base + urlPath(route.path) + (get ? `?prompt=${encodeURIComponent(EXAMPLE_PROMPT)}` : '');
  const words: Array<string | undefined> = ['curl', '-N', '--globoff'];
  if (!get) {
    words.push('-X', shellWord(route.method));
  }
  words.push('-H', shellWord('Accept: text/event-stream'));
  if (!get) {
    words.push('-H', shellWord('Content-Type: application/json'), '--data-raw', shellWord(JSON.stringify(protocolRequestBody(route.protocol))));
  }
  words.push(shellWord(url));
  if (words.some((word) => word === undefined)) {
    return { ok: false, message: `the URL ${JSON.stringify(url)} holds a control character, which no shell quoting makes safe to paste` };
  }
  // One option (and its value) per line, as curl commands in documentation are written.
  const lines: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const takesValue = word === '-X' || word === '-H' || word === '--data-raw';
    lines.push(takesValue ? `${word} ${words[++i]!}` : word);
  }
  const [curl, noBuffer, globOff, ...options] = lines;
  return {
    ok: true,
    code: `# ${route.method} ${commentText(route.path)}: the raw event stream (${route.protocol} protocol), printed as it arrives.
${[`${curl} ${noBuffer} ${globOff}`, ...options].join(' \\\n  ')}
`,
  };
}
