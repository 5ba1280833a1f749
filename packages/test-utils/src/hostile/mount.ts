import { execFileSync } from "node:child_process";
import { mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Mounts a tmpfs of `sizeKiB` at `dir` (a 0700 root): root, or CAP_SYS_ADMIN, only. */
export function mountTmpfs(dir: string, sizeKiB: number): void {
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKiB}k,mode=0700`, "modelpool-small-disk", dir], {
    stdio: ["ignore", "ignore", "pipe"],
  });
}

/** Unmounts `dir` and removes it. Lazy: a participant killed a moment ago may still hold a file there. */
export function unmountTmpfs(dir: string): void {
  execFileSync("umount", ["-l", dir], { stdio: "ignore" });
  rmdirSync(dir);
}

let probed: string | undefined | null = null;

/**
 * Why a small disk cannot be made here, or undefined when it can: probed once per process by mounting
 * and unmounting one. Races that need one skip with this as their message.
 */
export function smallDiskUnavailable(): string | undefined {
  if (probed !== null) return probed;
  const dir = mkdtempSync(join(tmpdir(), "modelpool-disk-probe-"));
  try {
    mountTmpfs(dir, 64);
    unmountTmpfs(dir);
    probed = undefined;
  } catch (error) {
    rmdirSync(dir);
    const stderr = String((error as { stderr?: unknown }).stderr ?? error).trim();
    probed = `a small tmpfs cannot be mounted here (${stderr || "mount failed"}): full-disk races need root`;
  }
  return probed;
}
