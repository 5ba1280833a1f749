import { mkdtempSync, rmdirSync } from "node:fs";
import { open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { mountTmpfs, unmountTmpfs } from "./mount.js";

/** A disk of its own for a test: a small tmpfs that can be filled until every write fails with ENOSPC. */
export type SmallDisk = {
  /** Where it is mounted (a 0700 directory owned by this user; a registry can live in it). */
  readonly path: string;
  /** Fills it: from now on, writing even one byte fails with ENOSPC (renames and unlinks still work). */
  fill(): Promise<void>;
  /** Frees what `fill` took: writes succeed again. */
  free(): Promise<void>;
};

const isFull = (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOSPC";

/**
 * Mounts a small tmpfs (`sizeKiB`) for the running test, unmounted when it ends. Needs root: check
 * `smallDiskUnavailable()` first and skip with its message.
 */
export function smallDisk(sizeKiB = 1024): SmallDisk {
  const path = mkdtempSync(join(tmpdir(), "modelpool-disk-"));
  try {
    mountTmpfs(path, sizeKiB);
  } catch (error) {
    rmdirSync(path);
    throw error;
  }
  onTestFinished(() => unmountTmpfs(path));
  const filler = join(path, ".filler");
  return {
    path,
    async fill() {
      const file = await open(filler, "a");
      try {
        // Large writes while they fit, then halves down to one byte: tmpfs takes whole pages.
        for (let size = 64 * 1024; size >= 1; ) {
          try {
            await file.write(Buffer.alloc(size, 0x2e));
          } catch (error) {
            if (!isFull(error)) throw error;
            size = Math.floor(size / 2);
          }
        }
      } finally {
        await file.close();
      }
    },
    async free() {
      await rm(filler, { force: true });
    },
  };
}
