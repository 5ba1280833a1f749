import { open } from "node:fs/promises";
import { dirname } from "node:path";
import writeFileAtomic from "write-file-atomic";

/**
 * Replaces `path` so that readers see the old bytes or the new ones, never a mix, even if this process is
 * killed midway: write-file-atomic writes and fsyncs a temp file, then renames it over; the directory is
 * fsynced after so the rename itself survives a crash.
 */
export async function writeFileDurably(path: string, data: string): Promise<void> {
  await writeFileAtomic(path, data, { mode: 0o600, fsync: true });
  const dir = await open(dirname(path), "r");
  try {
    await dir.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the rename is still atomic there
  } finally {
    await dir.close();
  }
}
