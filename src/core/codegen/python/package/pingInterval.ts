/**
 * The one templated line of the generated Python: `DEFAULT_PING_INTERVAL = 15.0`, the default seconds of
 * silence before a `: ping` keep-alive comment, written with the interval the user chose.
 */

export const DEFAULT_PING_INTERVAL_SECONDS = 15;

/** The line as it stands in the source file. */
const PING_INTERVAL_LINE = 'DEFAULT_PING_INTERVAL = 15.0\n';

/** `source` (named `file` in errors) with its ping-interval line set to `seconds`; refuses a non-positive interval. */
export function withPingInterval(source: string, seconds: number, file: string): string {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new RangeError(`pingInterval must be a positive number of seconds, got ${seconds}`);
  }
  const at = source.indexOf(`\n${PING_INTERVAL_LINE}`);
  if (at < 0 || source.indexOf(`\n${PING_INTERVAL_LINE}`, at + 1) >= 0) {
    throw new Error(`${file} must contain the line ${JSON.stringify(PING_INTERVAL_LINE)} exactly once`);
  }
  return source.replace(`\n${PING_INTERVAL_LINE}`, `\nDEFAULT_PING_INTERVAL = ${pythonFloat(seconds)}\n`);
}

/** A Python float literal: 15 -> "15.0", 2.5 -> "2.5". */
function pythonFloat(value: number): string {
  const text = String(value);
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}
