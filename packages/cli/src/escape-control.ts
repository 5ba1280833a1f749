/**
 * Makes text from the registry safe to print on a terminal. A registry entry is written by any local
 * process; a workerId or model carrying ESC sequences could otherwise rewrite the screen, hide rows or
 * fake output, and bidirectional overrides could make one name read as another. C0 and C1 control
 * characters, DEL and the bidi controls become visible escapes (`\x1b`, `\u202e`); a backslash is
 * doubled, so an escape in the output is never confused with a name that really contains `\x1b`.
 */
export function escapeControl(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\\]/g, (char) => {
    if (char === "\\") return "\\\\";
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
