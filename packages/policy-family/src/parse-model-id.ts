import * as z from "zod";

/** A model id taken apart. `family` and `version` decide compatibility; `snapshot` never does. */
export const ParsedModelIdSchema = z.object({
  /** What precedes the first `/`, lower-cased. */
  provider: z.string().optional(),
  /** The name without its version and snapshot, lower-cased, words joined by `-` (`claude-sonnet`, `llama-8b-instruct`). */
  family: z.string().min(1),
  /** Always three parts, ready for semver (`4-5` and `4.5` are both `4.5.0`; no version at all is `0.0.0`). */
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  /** A date stamp (`20241022`, `2411`, `2024-08-06`). */
  snapshot: z.string().optional(),
  /** The id exactly as given. */
  raw: z.string(),
});
export type ParsedModelId = z.infer<typeof ParsedModelIdSchema>;

const MAX_ID_LENGTH = 512;
/** Words are separated by these; `.` is not one, it separates version parts. */
const SEPARATORS = /[-_:@\s/]+/;
/** A token that starts the version: optional glued letters, 1–3 parts of 1–3 digits, optional glued letters. */
const VERSION_TOKEN = /^([a-z]*)(\d{1,3}(?:\.\d{1,3}){0,2})([a-z]*)$/;
/** Parameter counts and context sizes (`8b`, `1.5b`, `8x7b`, `32k`) name a model's size: family, not version. */
const SIZE_TOKEN = /^(?:\d+x)?\d+(?:\.\d+)?[bmk]$/;
/** Four or more digits: a date stamp (`2411`, `0528`, `20241022`), never a version part. */
const DATE_TOKEN = /^\d{4,8}$/;
const SHORT_NUMBER = /^\d{1,3}$/;

/**
 * Parses the model ids people really use — `anthropic/claude-sonnet-4-5`, `claude-3-5-sonnet-20241022`,
 * `gpt-4o-mini`, `gemini-2.5-pro`, `llama3.1:8b`, `mistral-large-2411`, `glm-4.6v` — into provider,
 * family, version and snapshot. Returns undefined for what is not a model id; never throws.
 */
export function parseModelId(id: string): ParsedModelId | undefined {
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_ID_LENGTH) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ids with control characters are not model ids
  if (/[\u0000-\u001f\u007f]/.test(id)) return undefined;
  const lower = id.trim().toLowerCase();
  const slash = lower.indexOf("/");
  const provider = slash > 0 ? lower.slice(0, slash) : undefined;
  const tokens = (slash >= 0 ? lower.slice(slash + 1) : lower).split(SEPARATORS).filter((token) => token !== "");

  const family: string[] = [];
  const version: string[] = [];
  const snapshot: string[] = [];
  let versionOpen = false; // more bare numbers may still extend the version (`claude-3-5`)
  for (const token of tokens) {
    if (snapshot.length > 0 && SHORT_NUMBER.test(token)) {
      snapshot.push(token); // `2024-08-06`
      continue;
    }
    if (DATE_TOKEN.test(token)) {
      snapshot.push(token);
      versionOpen = false;
      continue;
    }
    if (versionOpen && SHORT_NUMBER.test(token) && version.length < 3) {
      version.push(token);
      continue;
    }
    versionOpen = false;
    const match = version.length === 0 && !SIZE_TOKEN.test(token) ? VERSION_TOKEN.exec(token) : null;
    if (!match) {
      family.push(token);
      continue;
    }
    const [, before = "", digits = "", after = ""] = match;
    if (before) family.push(before); // `llama3.1`, `qwen2.5`, `o3`, `v3.1`
    version.push(...digits.split("."));
    // A letter glued after the version marks another family: gpt-4o is not gpt-4, glm-4.6v is not glm-4.6.
    if (after) family.push(after);
    versionOpen = !after && !digits.includes(".");
  }
  if (family.length === 0 || !family.some((word) => /[a-z]/.test(word))) return undefined;
  const [major = "0", minor = "0", patch = "0"] = version.map((part) => String(Number(part)));
  return {
    ...(provider !== undefined ? { provider } : {}),
    family: family.join("-"),
    version: `${major}.${minor}.${patch}`,
    ...(snapshot.length > 0 ? { snapshot: snapshot.join("-") } : {}),
    raw: id,
  };
}
