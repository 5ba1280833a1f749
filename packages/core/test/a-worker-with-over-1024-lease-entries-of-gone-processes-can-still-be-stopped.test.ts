import { readdirSync } from "node:fs";
import { DeviceRegistry, leaseUsage, processIdentityOf } from "@modelpool/core";
import { tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { liveRecord, workerDirectory } from "./fixtures/registry-files.js";

// Lease entries of processes that died holding a lease (killed, crashed) stay as files until a release
// or a prune clears them; a record keeps at most 1024 holders. A busy worker used by many short-lived
// processes that were killed gathers more entries than that: `update` hands them all to its change, and
// the record it gets back — the same holders, status "stopped" — must still be accepted, so that the
// worker can be stopped (or drained) at all.
test("a worker with more than 1024 lease entries of gone processes can still be stopped", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path, legacySources: false });
  await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
  const ref = { workerId: "docs", id: "w1" };
  const { start } = processIdentityOf(process.pid);
  // 1100 processes, each gone since (pids above 2^22, the highest pid_max Linux allows, are never alive).
  for (let i = 0; i < 1_100; i++) {
    await registry.hold(ref, { pid: 5_000_000 + i, start, pool: "process", leases: 1, lastUsedAt: Date.now() });
  }
  expect(readdirSync(workerDirectory(path, "docs")).filter((name) => name.endsWith(".holder"))).toHaveLength(1_100);

  const stopped = await registry.update(ref, (current) =>
    leaseUsage(current).leases > 0 ? undefined : { ...current, status: "stopped" as const, updatedAt: Date.now() },
  );
  expect(stopped?.status).toBe("stopped");
});
