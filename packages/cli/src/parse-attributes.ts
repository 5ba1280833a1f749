import { UsageError } from "./usage-error.js";

type Attribute = string | number | boolean;

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * `--attr key=value` words as fingerprint attributes, typed as a worker is usually started with them:
 * a JSON number is a number, `true`/`false` are booleans, `"..."` is the string inside the quotes (so a
 * string that looks like a number can still be asked for), anything else the string as written.
 */
export function parseAttributes(words: readonly string[]): Record<string, Attribute> | undefined {
  if (words.length === 0) return undefined;
  const attributes: Record<string, Attribute> = {};
  for (const word of words) {
    const at = word.indexOf("=");
    if (at <= 0) throw new UsageError(`--attr takes key=value; got ${JSON.stringify(word)}`, "explain");
    const key = word.slice(0, at);
    if (Object.hasOwn(attributes, key)) {
      throw new UsageError(`--attr ${key} is given twice`, "explain");
    }
    attributes[key] = typed(word.slice(at + 1));
  }
  return attributes;
}

function typed(text: string): Attribute {
  if (text === "true") return true;
  if (text === "false") return false;
  if (JSON_NUMBER.test(text)) return Number(text);
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    try {
      return JSON.parse(text) as string;
    } catch {
      return text;
    }
  }
  return text;
}
