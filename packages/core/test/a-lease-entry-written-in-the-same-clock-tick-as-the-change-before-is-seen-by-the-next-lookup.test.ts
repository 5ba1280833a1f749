import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DeviceRegistry, processIdentityOf } from "@modelpool/core";
import { startNodeScript, tempDir } from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { liveRecord } from "./fixtures/registry-files.js";

/**
 * A directory on ramfs: its timestamps come from the coarse clock (one value per 4 ms tick here), as on
 * ext4, xfs, btrfs and tmpfs before Linux 6.13 (most machines in use). Needs the right to mount.
 */
async function coarseTimestampDirectory(): Promise<string | undefined> {
  const dir = join(await tempDir(), "ramfs");
  mkdirSync(dir);
  try {
    execFileSync("mount", ["-t", "ramfs", "-o", "mode=0700", "modelpool-test", dir], { stdio: "ignore" });
  } catch {
    return undefined;
  }
  onTestFinished(() => {
    execFileSync("umount", [dir]);
  });
  return dir;
}

// A lookup keeps what it read of a workerId's directory under the directory's inode, mtime and ctime,
// and trusts it only once that mtime is 50 ms old, so that a second change within the same timestamp tick
// cannot hide behind an unchanged key. The age must be taken when the key is (before the directory is
// read), not after: when reading takes longer than 50 ms (thousands of records), a lease entry written
// just after the listing, in the tick of the change before, is missed until the directory changes again.
test("a lease entry written in the same clock tick as the change before it is seen by the next lookup", {
  timeout: 120_000,
}, async (context) => {
  const root = await coarseTimestampDirectory();
  if (!root) return context.skip("cannot mount a ramfs here (coarse directory timestamps)");
  const path = join(root, "registry");
  const registry = new DeviceRegistry({ path, legacySources: false });
  await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
  // A busy workerId: reading its directory takes longer than 50 ms (5000 records).
  for (let i = 0; i < 5_000; i++) await registry.put(liveRecord({ id: `other-${i}`, workerId: "docs" }));
  const me = { ...processIdentityOf(process.pid), pool: "process" };
  const ref = { workerId: "docs", id: "w1" };

  const stale: unknown[] = [];
  for (let round = 1; round <= 10; round++) {
    await registry.lookup("docs");
    const child = childLines(
      startNodeScript(new URL("./fixtures/second-change-in-the-same-tick.ts", import.meta.url), [
        path,
        "1000",
        String(round),
      ]),
    );
    await child.line("watching");
    await registry.hold(ref, { ...me, leases: round, lastUsedAt: Date.now() });
    const started = performance.now();
    await registry.lookup("docs");
    const readMs = performance.now() - started;
    await child.exited;
    await new Promise((resolve) => setTimeout(resolve, 200));

    const cached = (await registry.lookup("docs")).records.find((record) => record.id === "w1");
    const fresh = (await new DeviceRegistry({ path, legacySources: false }).lookup("docs")).records.find(
      (record) => record.id === "w1",
    );
    const holders = (record: typeof cached) =>
      (record?.holders ?? []).map(({ pid, leases }) => ({ pid, leases })).sort((a, b) => a.pid - b.pid);
    if (JSON.stringify(holders(cached)) !== JSON.stringify(holders(fresh))) {
      stale.push({
        round,
        readMs: Math.round(readMs),
        mtimes: child.lines.at(-1),
        cached: holders(cached),
        fresh: holders(fresh),
      });
    }
  }
  expect(stale).toEqual([]);
});
