/** Records are small; anything bigger is not a record, whatever it holds. */
export const MAX_RECORD_BYTES = 256 * 1024;
/** A worker record nests four levels deep; allow room, refuse what could only be hostile. */
export const MAX_JSON_DEPTH = 32;

export type BoundedParse =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string };

/**
 * `JSON.parse`, refusing text nested deeper than `maxDepth` before parsing it (one linear scan: deep
 * nesting is how a small file makes a recursive validator overflow the stack).
 */
export function parseBoundedJson(text: string, maxDepth = MAX_JSON_DEPTH): BoundedParse {
  if (fewerOpenersThan(text, maxDepth + 1)) return parse(text);
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c)
        i++; // backslash: skip the escaped character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x7b || code === 0x5b) {
      if (++depth > maxDepth) return { ok: false, reason: `nested deeper than ${maxDepth} levels` };
    } else if (code === 0x7d || code === 0x5d) {
      depth--;
    }
  }
  return parse(text);
}

function parse(text: string): BoundedParse {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: `not valid JSON: ${(error as Error).message}` };
  }
}

/**
 * Whether `text` has fewer than `limit` of `{` and `[` in all (strings included): then it cannot nest
 * that deep, and the character-by-character scan is skipped (a record has a handful; `indexOf` is native).
 */
function fewerOpenersThan(text: string, limit: number): boolean {
  let count = 0;
  for (const opener of ["{", "["]) {
    for (let at = text.indexOf(opener); at !== -1; at = text.indexOf(opener, at + 1)) {
      if (++count >= limit) return false;
    }
  }
  return true;
}
