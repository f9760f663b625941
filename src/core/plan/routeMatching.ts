/**
 * Which route answers a request, the way Starlette decides it (FastAPI routes are Starlette routes): the
 * app's routes are tried in order; a route whose path pattern matches and whose methods include the
 * request's is a full match and wins at once; a mount matches every request under its path, whatever the
 * method. Path parameters match by their converter's pattern only (`{item_id}` is `[^/]+`, so
 * `/items/{item_id}` answers `/items/stream` even when the handler annotates `item_id: UUID`: the request
 * then fails validation with a 422); `{id:int}`, `{id:uuid}` and `{p:path}` use Starlette's patterns.
 *
 *   pathPattern('/notes/{note_id}').test('/notes/stream')                          // true
 *   firstServing([{ kind: 'mount', path: '/', methods: [] }, ...], '/stream', 'GET')  // the mount
 */

/** One entry of an app's route list, as far as matching goes. */
export interface MatchableEntry {
  readonly kind: 'route' | 'mount';
  /** The full path pattern (every prefix applied); for a mount, its path. */
  readonly path: string;
  /** Upper-case methods of a route; ignored for mounts. */
  readonly methods: readonly string[];
}

/** Starlette's convertors (starlette/convertors.py): the pattern each path parameter type matches. */
const CONVERTER_PATTERNS: Readonly<Record<string, string>> = {
  str: '[^/]+',
  path: '.*',
  int: '[0-9]+',
  float: '[0-9]+(?:\\.[0-9]+)?',
  uuid: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
};

/** A value for each parameter when a new route's own pattern is turned into a request path. */
const SAMPLE_SEGMENT = 'catalyst-sample';

/** The regular expression Starlette compiles a route path into (`compile_path`), anchored at both ends. */
export function pathPattern(path: string): RegExp {
  let pattern = '^';
  let at = 0;
  for (const parameter of parameters(path)) {
    pattern += escapeRegExp(path.slice(at, parameter.start)) + `(?:${CONVERTER_PATTERNS[parameter.converter] ?? CONVERTER_PATTERNS.str})`;
    at = parameter.end;
  }
  return new RegExp(`${pattern}${escapeRegExp(path.slice(at))}$`);
}

/** A request path that the route `path` itself answers: each `{parameter}` replaced by a sample value. */
export function sampleRequestPath(path: string): string {
  let request = '';
  let at = 0;
  for (const parameter of parameters(path)) {
    request += path.slice(at, parameter.start) + (parameter.converter === 'int' ? '1' : SAMPLE_SEGMENT);
    at = parameter.end;
  }
  return request + path.slice(at);
}

/** Whether `entry` answers `method path` with a full match (it ends the search). */
export function answers(entry: MatchableEntry, requestPath: string, method: string): boolean {
  if (entry.kind === 'mount') {
    // Mount("/x") matches "/x/..." (compiled from "/x/{path:path}"); Mount("/") matches everything.
    const base = entry.path.replace(/\/+$/, '');
    return requestPath.startsWith(`${base}/`);
  }
  const methods = entry.methods.includes('GET') ? [...entry.methods, 'HEAD'] : entry.methods;
  return methods.includes(method) && pathPattern(entry.path).test(requestPath);
}

/** The first entry that answers `method path`: the one Starlette runs. */
export function firstServing<T extends MatchableEntry>(entries: readonly T[], requestPath: string, method: string): T | undefined {
  return entries.find((entry) => answers(entry, requestPath, method));
}

interface PathParameter {
  readonly start: number;
  readonly end: number;
  readonly converter: string;
}

/** `{name}` and `{name:converter}` in a path, as Starlette's PARAM_REGEX finds them. */
function parameters(path: string): PathParameter[] {
  const found: PathParameter[] = [];
  for (let start = path.indexOf('{'); start >= 0; start = path.indexOf('{', start + 1)) {
    const end = path.indexOf('}', start);
    if (end < 0) {
      break;
    }
    const [name = '', converter = 'str'] = path.slice(start + 1, end).split(':');
    if (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) {
      found.push({ start, end: end + 1, converter });
    }
  }
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
