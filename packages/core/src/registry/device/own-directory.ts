import { lstatSync, mkdirSync } from "node:fs";
import { NotARegistryError } from "../../errors/NotARegistryError.js";

/**
 * Makes `dir` (0700) if missing and checks that it is a real directory: `mkdir -p` is satisfied by a
 * symlink to a directory anywhere, and a write through it would land outside the registry.
 */
export function ensureOwnDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stats = lstatSync(dir);
  if (!stats.isDirectory()) {
    throw new NotARegistryError(dir, "it is a symbolic link or not a directory, and is never followed");
  }
}
