/**
 * Text from a server, made safe to print on a terminal: every control character except tab and newline is shown
 * as a visible escape (`\x1b`, `\x9b`, `\r`), so a stream cannot clear the screen, move the cursor, fake output,
 * set the window title or write the clipboard (OSC 52). ESC, CSI and OSC sequences all start with a C0 or C1
 * control, so escaping those characters disarms every sequence.
 */

/** C0 except tab (0x09) and newline (0x0a), DEL, C1. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function escapeControls(text: string): string {
  return text.replace(CONTROL, (ch) => {
    const code = ch.charCodeAt(0);
    return code === 0x0d ? '\\r' : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}
