/**
 * Every value the product places into code it generates (a route path, a URL, a name, a model) goes through
 * one of these, one per target: a Python string literal (and its body, for docstrings), a JavaScript or
 * TypeScript string literal, text inside a `#` or `//` comment, a URL path, a POSIX shell word. Pure.
 *
 * What each guards against, beyond its own quotes and backslashes:
 * - line terminators (`\n`, `\r`, and JavaScript's U+2028/U+2029), which end a comment and let the rest of
 *   the value run as code;
 * - every other control and format character (NUL, DEL, C1, zero-width characters, the bidi overrides of
 *   "Trojan Source", U+202E and friends) and lone surrogates: shown as escapes, so a reviewer sees them;
 * - in JavaScript, `<` (a snippet pasted into an HTML `<script>` must not close it with `</script>` or
 *   open `<!--`); in comments also `*` before `/`, so a block comment cannot be closed either.
 * Printable non-ASCII (`café`, `чат`) stays as it is.
 */

/** Control, format, line and paragraph separators, lone surrogates: never placed raw into code. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu');

function hex(codePoint: number, width: number): string {
  return codePoint.toString(16).padStart(width, '0');
}

/** True when `value` holds a character that must never reach code raw (a control, format or line-ending one). */
export function hasUnsafeCharacters(value: string): boolean {
  return UNSAFE.test(value);
}

const PYTHON_NAMED: Readonly<Record<string, string>> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function pythonEscape(ch: string): string {
  const named = PYTHON_NAMED[ch];
  if (named !== undefined) {
    return named;
  }
  const cp = ch.codePointAt(0)!;
  return cp < 0x100 ? `\\x${hex(cp, 2)}` : cp < 0x10000 ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`;
}

/**
 * A value the user gave, echoed in a message (a refused route path): every control, format (bidi overrides,
 * zero-width) and line-ending character shown as its escape (`\x1b`, `\u202e`, `\n`), so the message cannot
 * move the cursor, reorder what is shown, or fake a line of its own. Other text stays as it is.
 */
export function visibleText(value: string): string {
  return value.replace(UNSAFE_ALL, pythonEscape);
}

/**
 * The inside of a double-quoted (or `"""`-quoted) Python string: `\` and `"` escaped, unsafe characters as
 * `\n`, `\x00`, `\u202e`. Docstring text that carries a value uses this too.
 */
export function pythonStringBody(value: string): string {
  return value.replace(/[\\"\n\r\t]/g, pythonEscape).replace(UNSAFE_ALL, pythonEscape);
}

/** A Python string literal, double-quoted (black's and ruff format's preference), for any text. */
export function pythonString(value: string): string {
  return `"${pythonStringBody(value)}"`;
}

function jsEscape(ch: string): string {
  const cp = ch.codePointAt(0)!;
  return cp < 0x10000 ? `\\u${hex(cp, 4)}` : `\\u{${cp.toString(16)}}`;
}

/** A JavaScript/TypeScript string literal, double-quoted: JSON's escapes plus `<` and every unsafe character. */
export function jsString(value: string): string {
  // JSON.stringify escapes `"`, `\` and C0 controls, and writes lone surrogates as \udxxx.
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(UNSAFE_ALL, jsEscape);
}

/**
 * Text inside a `#` (Python) or `//` (JavaScript) line comment, or a block comment: one line whatever the
 * value holds. `\` doubles so that an escape shown here cannot be mistaken for the character itself.
 */
export function commentText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(UNSAFE_ALL, jsEscape).replace(/</g, '\\u003c').replace(/\*\//g, '*\\/');
}

/**
 * A route path as it goes into a URL: every character that would change the URL's meaning (`?`, `#`, `%`),
 * or that the URL parser would drop or rewrite (tabs and newlines are removed, spaces and quotes encoded), is
 * percent-encoded as UTF-8, which is what the server decodes before it matches the route. Letters, digits,
 * `/` and the characters a path may hold as they are (RFC 3986 pchar) stay; so do `{` and `}`, so a
 * `{param}` placeholder still reads as one.
 */
export function urlPath(path: string): string {
  return path.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/{}]+/gu, (run) => encodeURIComponent(run.replace(/\p{Cs}/gu, '\ufffd')));
}

/** One Python identifier: a letter or `_`, then letters, digits, marks, `_` (PEP 3131, closely enough). */
const IDENTIFIER = String.raw`[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*`;
const IMPORT_NAME = new RegExp(String.raw`^\.*${IDENTIFIER}(\.${IDENTIFIER})*$`, 'u');

/**
 * A module name as it goes into `from X import ...` (`streaming`, `.streaming`, `app.streaming`): identifiers
 * joined by dots, leading dots for a relative import. Nothing can escape a name, so any other value (a file
 * called `os import system;system('id');from x.py`) is refused, never written.
 */
export function isPythonImportName(name: string): boolean {
  return IMPORT_NAME.test(name);
}

/**
 * A POSIX shell word (for a `curl` line a user pastes into a terminal): as it is when it holds only
 * characters no shell treats specially, else single-quoted. Undefined when it holds a control or line-ending
 * character: a pasted newline runs what follows as a command, and no quoting makes that safe in every shell.
 */
export function shellWord(value: string): string | undefined {
  if (UNSAFE.test(value)) {
    return undefined;
  }
  return /^[A-Za-z0-9_\-.,:/@%+=]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
