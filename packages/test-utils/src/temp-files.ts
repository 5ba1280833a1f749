import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";

/** A fresh 0700 directory (in `parent`, default the OS temp dir), removed when the test ends. */
export async function tempDir(parent: string = tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(parent, ".modelpool-test-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Path of a registry directory (not yet created) in a fresh directory. */
export async function tempRegistryPath(): Promise<string> {
  return join(await tempDir(), "registry");
}
