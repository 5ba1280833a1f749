import { createHash } from "node:crypto";

/** Longest name an encoded id gets; file systems allow 255 bytes, and a suffix must still fit. */
const MAX_ENCODED = 160;
const KEPT_PREFIX = 100;
const PLAIN = /^[A-Za-z0-9_-]*$/;

/**
 * A file name for any id (workerIds and record ids come from callers and other processes). Injective and
 * safe: letters, digits, `_` and `-` stay, every other byte of the UTF-8 form becomes `%XX` (so no `.`,
 * `..` or `/` can appear); a name that would be too long keeps a readable prefix and adds `~` and the
 * SHA-256 of the id (`~` never appears otherwise, so the two forms never meet). The file's own content
 * names the real id, and readers check it, so even a hash collision cannot mix two ids up.
 */
export function encodeFileName(id: string): string {
  // Most ids are plain already (uuids, names): they are their own encoding.
  if (id.length <= MAX_ENCODED && PLAIN.test(id)) return id;
  let encoded = "";
  for (const byte of Buffer.from(id, "utf8")) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9_-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  if (encoded.length <= MAX_ENCODED) return encoded;
  return `${encoded.slice(0, KEPT_PREFIX).replace(/%[0-9A-F]?$/, "")}~${sha256(id)}`;
}

/** A bounded, safe directory name for a key of any length (claims are keyed by workerId + fingerprint). */
export function hashedFileName(key: string): string {
  return sha256(key).slice(0, 40);
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * The path of `name` (a file name: no slash) inside `dir`, a path already normalized (every directory of
 * the registry is built by `join` from a resolved root). `path.join` normalizes both again, character by
 * character, and that was a fifth of the memory a decision and its release allocated.
 */
export function inDirectory(dir: string, name: string): string {
  return dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}
