import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

export type SafeRead =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: string; readonly missing?: boolean };

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const GROUP_OR_OTHER_WRITE = 0o022;
/** This process's uid, asked once: every file read checks it. */
const OWN_UID = process.getuid?.();

/**
 * Reads a small file of ours without trusting it: never follows a symlink, never blocks on a FIFO or a
 * device (opened non-blocking, then refused unless a regular file), refuses files above `maxBytes` before
 * reading them, and files another user owns or may write. Changes nothing.
 */
export function readOwnSmallFile(path: string, maxBytes: number, uid = OWN_UID): SafeRead {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ok: false, reason: "it vanished while being read", missing: true };
    if (code === "ELOOP") return { ok: false, reason: "it is a symbolic link (never followed)" };
    return { ok: false, reason: `cannot be opened (${code})` };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { ok: false, reason: "it is not a regular file" };
    if (stats.size > maxBytes)
      return { ok: false, reason: `it is ${stats.size} bytes, more than the ${maxBytes} a record may have` };
    if (uid !== undefined && stats.uid !== uid)
      return { ok: false, reason: `it belongs to another user (uid ${stats.uid})` };
    if ((stats.mode & GROUP_OR_OTHER_WRITE) !== 0) return { ok: false, reason: "other users may write it" };
    const buffer = Buffer.allocUnsafe(Math.max(1, stats.size + 1));
    let length = 0;
    for (;;) {
      const wanted = buffer.length - length;
      const read = readSync(fd, buffer, length, wanted, length);
      length += read;
      if (length > maxBytes) return { ok: false, reason: `it grew past the ${maxBytes} bytes a record may have` };
      // A regular file reads short only at its end: no second call to learn that it ended.
      if (read < wanted || length === buffer.length) break;
    }
    return { ok: true, text: buffer.toString("utf8", 0, length) };
  } catch (error) {
    return { ok: false, reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  } finally {
    closeSync(fd);
  }
}
