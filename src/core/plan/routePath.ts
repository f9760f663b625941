/**
 * Route paths as the user types them: validation (with a message saying what is wrong, for the CLI and the
 * InputBox's live validation), their path parameters, and the Python names derived from them.
 */
import { visibleText } from '../codegen/escape';

/** Python keywords and soft keywords that cannot (or should not) name a function. */
const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case type'.split(
    ' ',
  ),
);

const SEGMENT = /^[A-Za-z0-9._~-]+$/;
const PARAMETER = /^\{([A-Za-z_][A-Za-z0-9_]*)(:path)?\}$/;

/**
 * `.` and `..`, also percent-encoded (`%2e%2E`): every client and proxy removes dot segments before sending
 * (RFC 3986 5.2.4), so a route declared with one can never be requested.
 */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/** Names the generated handler uses itself; a path parameter of the same name would collide. */
const RESERVED_PARAMETERS = new Set(['prompt', 'body', 'request']);

/** Undefined when `route` is a valid path for a new endpoint, else what is wrong with it. */
export function validateRoutePath(route: string): string | undefined {
  // The route is echoed in the messages below with its control and bidi characters escaped.
  const shown = visibleText(route);
  if (!route.startsWith('/')) {
    return `a route path starts with "/" (got "${shown}")`;
  }
  if (route.length > 200) {
    return 'a route path is at most 200 characters';
  }
  if (route === '/') {
    return undefined;
  }
  const segments = route.slice(1).split('/');
  const seen = new Set<string>();
  for (const [index, segment] of segments.entries()) {
    if (segment === '') {
      if (index === segments.length - 1) {
        continue; // a trailing slash
      }
      return `"${shown}" has an empty segment ("//")`;
    }
    if (DOT_SEGMENT.test(segment)) {
      return `"${shown}" has a dot segment ("${segment}"): clients remove it before sending (/a/../b is sent as /b), so the route could never be reached; write the path without it`;
    }
    const parameter = PARAMETER.exec(segment);
    if (parameter) {
      const name = parameter[1]!;
      if (seen.has(name)) {
        return `path parameter {${name}} appears twice`;
      }
      if (PYTHON_KEYWORDS.has(name) || RESERVED_PARAMETERS.has(name)) {
        return `path parameter {${name}} cannot be used: ${PYTHON_KEYWORDS.has(name) ? 'it is a Python keyword' : 'the endpoint uses that name for its own parameter'}`;
      }
      seen.add(name);
      continue;
    }
    if (!SEGMENT.test(segment)) {
      return `"${visibleText(segment)}" is not a valid path segment: use letters, digits, "-", "_", ".", "~", or a {parameter}`;
    }
  }
  return undefined;
}

/** `{item_id}` parameters in order. */
export function pathParameters(route: string): string[] {
  return route
    .split('/')
    .map((segment) => PARAMETER.exec(segment)?.[1])
    .filter((name): name is string => name !== undefined);
}

/** A snake_case handler name from the literal segments: `/chat/{id}/stream` -> `chat_stream`; `/` -> `stream`. */
export function handlerNameFor(route: string): string {
  const words = route
    .split('/')
    .filter((segment) => segment !== '' && !PARAMETER.test(segment))
    .map((segment) =>
      segment
        .toLowerCase()
        .replace(/[^a-z0-9_]+/g, '_')
        .replace(/^_+|_+$/g, ''),
    )
    .filter((word) => word !== '');
  let name = words.join('_') || 'stream';
  if (/^[0-9]/.test(name)) {
    name = `stream_${name}`;
  }
  return PYTHON_KEYWORDS.has(name) ? `${name}_` : name;
}

/** `chat_stream` -> `ChatStreamRequest` */
export function bodyModelNameFor(handlerName: string): string {
  const pascal = handlerName
    .split('_')
    .filter((word) => word !== '')
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
  return `${pascal}Request`;
}

/** `base`, else `base_2`, `base_3`, ... : the first that `taken` does not have. */
export function uniqueName(base: string, taken: (name: string) => boolean): string {
  if (!taken(base)) {
    return base;
  }
  for (let n = 2; ; n++) {
    const candidate = `${base}_${n}`;
    if (!taken(candidate)) {
      return candidate;
    }
  }
}
