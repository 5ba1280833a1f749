import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DeviceRegistry, leaseUsage, processIdentityOf } from "@modelpool/core";
import { tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { holderEntryName } from "../src/registry/device/holder-file.js";
import { liveRecord, workerDirectory } from "./fixtures/registry-files.js";

// Readers take the highest generation of each entry. A file filed under a live process's entry with a
// generation above any that process will ever write, and content that does not read (garbage, a FIFO, a
// link), is reported and not counted — and must not take the live process's own entry down with it:
// else that lease is invisible from then on (every later generation it writes is lower) and is cleared
// as "superseded" by the next release or prune, and the worker is stopped under it.
test("a hostile holder file never hides a live process's lease entry", { timeout: 30_000 }, async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path, legacySources: false });
  await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
  const ref = { workerId: "docs", id: "w1" };
  const me = processIdentityOf(process.pid);
  await registry.hold(ref, { ...me, pool: "process", leases: 1, lastUsedAt: Date.now() });

  const name = `${holderEntryName("w1", me)}.${"9".repeat(31)}.holder`;
  await writeFile(join(workerDirectory(path, "docs"), name), "not json", { mode: 0o600 });
  // This process goes on using the worker: its entry is written again.
  await registry.hold(ref, { ...me, pool: "process", leases: 2, lastUsedAt: Date.now() });

  const read = await new DeviceRegistry({ path, legacySources: false }).lookup("docs");
  expect(read.unreadable.map((entry) => entry.location)).toContain(join(workerDirectory(path, "docs"), name));
  expect.soft(leaseUsage(read.records[0] as (typeof read.records)[0]).leases).toBe(2);
  const stopped = await registry.update(ref, (current) =>
    leaseUsage(current).leases > 0 ? undefined : { ...current, status: "stopped" as const },
  );
  expect(stopped?.status).toBe("ready");
});
