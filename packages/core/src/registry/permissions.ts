import type { Stats } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { UnsafeRegistryPermissionsError } from "../errors/UnsafeRegistryPermissionsError.js";

const GROUP_OR_OTHER_WRITE = 0o022;
const STICKY = 0o1000;

/** Refuses a registry file that another user could change: writable by group/others, or owned by someone else. */
export function assertSafeRegistryFile(path: string, stats: Pick<Stats, "mode" | "uid">): void {
  if ((stats.mode & GROUP_OR_OTHER_WRITE) !== 0) {
    throw new UnsafeRegistryPermissionsError(path, stats.mode, stats.uid, "it is writable by other users");
  }
  assertOwnedByUs(path, stats);
}

/**
 * Creates the registry's directory 0700 if missing, and refuses an existing one that other users may
 * write to (unless sticky, like /tmp, where they cannot replace our file).
 */
export async function ensureSafeRegistryDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stats = await stat(dir);
  if ((stats.mode & GROUP_OR_OTHER_WRITE) !== 0 && (stats.mode & STICKY) === 0) {
    throw new UnsafeRegistryPermissionsError(dir, stats.mode, stats.uid, "its directory is writable by other users");
  }
  assertOwnedByUs(dir, stats);
}

function assertOwnedByUs(path: string, stats: Pick<Stats, "mode" | "uid">): void {
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid && stats.uid !== 0) {
    throw new UnsafeRegistryPermissionsError(path, stats.mode, stats.uid, "it belongs to another user");
  }
}
