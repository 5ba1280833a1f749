import { closeSync, constants, linkSync, openSync, renameSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { inDirectory } from "./file-names.js";

/** Temp files start with a dot: readers of a directory skip them, and prune clears those left by crashes. */
export const TEMP_PREFIX = ".tmp-";

let tempCount = 0;
/**
 * A name no other temp file has: this process's pid (no other live process has it), the monotonic clock
 * and a count. Created with O_EXCL all the same. No random number: a process's first one initialises its
 * crypto library, on the way of a new session's first decision.
 */
function tempName(dir: string): string {
  tempCount = (tempCount + 1) % 1_000_000_000;
  return inDirectory(dir, `${TEMP_PREFIX}${process.pid}-${process.hrtime.bigint()}-${tempCount}`);
}

/**
 * Writes a whole file under a unique temp name in the target's own directory, then renames it into place
 * (`beforeRename`, a last check, may throw to abandon the write):
 * readers see the old file or the new one, never a part, whenever the writer is killed. No fsync: the
 * registry describes running processes, which a power loss ends anyway; a crash of a process never loses
 * a completed rename.
 */
export function replaceFile(dir: string, name: string, text: string, beforeRename?: () => void): void {
  const temp = tempName(dir);
  writeFileSync(temp, text, { mode: 0o600, flag: "wx" });
  try {
    beforeRename?.();
    renameSync(temp, inDirectory(dir, name));
  } catch (error) {
    unlinkQuietly(temp);
    throw error;
  }
}

/**
 * Creates `name` with this text only if no file of that name exists (temp file + `link`, which fails
 * when the target exists): exactly one of any number of racing creators wins, and the winner's file is
 * whole from the first instant it is visible. Returns false when the name was taken.
 */
export function createFileExclusively(dir: string, name: string, text: string): boolean {
  const temp = tempName(dir);
  writeFileSync(temp, text, { mode: 0o600, flag: "wx" });
  try {
    linkSync(temp, inDirectory(dir, name));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    unlinkQuietly(temp);
  }
}

/** Removes a file if it is there; resolves whether it was. */
export function unlinkQuietly(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Creates `name` with this text in one exclusive create and one write: no temp file, no rename. For
 * files whose name is never used twice (a lease entry's next generation): a reader may see the file
 * empty or short for the instant between the two calls, and must take it for not written yet. Returns
 * false when a file of that name exists already (never overwritten).
 */
export function createNewFile(dir: string, name: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(inDirectory(dir, name), CREATE_NEW, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    const bytes = Buffer.from(text, "utf8");
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
  } catch (error) {
    closeSync(fd);
    unlinkQuietly(inDirectory(dir, name));
    throw error;
  }
  closeSync(fd);
  return true;
}
