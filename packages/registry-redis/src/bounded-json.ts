/** Values larger than this are not parsed: a record is a few hundred bytes, a claim less. */
export const MAX_VALUE_BYTES = 256 * 1024;
/** Records nest four levels deep; anything far deeper is not a record and could exhaust the stack. */
export const MAX_VALUE_DEPTH = 32;

export type BoundedParse =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string };

/** `JSON.parse` of a value read from Redis, refused when too large or too deeply nested. Never throws. */
export function parseBoundedJson(text: string): BoundedParse {
  if (Buffer.byteLength(text, "utf8") > MAX_VALUE_BYTES) {
    return { ok: false, reason: `larger than ${MAX_VALUE_BYTES} bytes` };
  }
  const depth = nestingDepth(text);
  if (depth > MAX_VALUE_DEPTH) return { ok: false, reason: `nested deeper than ${MAX_VALUE_DEPTH} levels` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: `not JSON (${(error as Error).message})` };
  }
}

/** Deepest bracket nesting outside strings, counted before parsing so a hostile value never reaches the parser. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c)
        i++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (char === 0x7d || char === 0x5d) depth--;
  }
  return deepest;
}
