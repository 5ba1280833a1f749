import { DeviceRegistry, processIdentityOf, WorkerPool } from "@modelpool/core";
import { modelWorkerBackend, SameModelTestPolicy, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const request = { workerId: "docs", fingerprint: { resolvedModel: "m1" } };

// Such a record is alive (init and this process always are) and would be allowed by any policy, yet it
// names no worker: a lease on it is a lease on nothing, and the stops it would lead to are never made.
test.each([
  ["pid 1", 1],
  ["the calling process", process.pid],
])("a live record naming %s on this host is passed over, and a worker is spawned", async (_, pid) => {
  const registry = new DeviceRegistry({ path: await tempRegistryPath() });
  const now = Date.now();
  await registry.put({
    kind: "worker",
    id: "impostor",
    workerId: "docs",
    pid,
    pidStart: processIdentityOf(pid).start,
    status: "ready",
    fingerprint: { resolvedModel: "m1", modelPolicy: "dynamic" },
    startedAt: now,
    updatedAt: now,
  });
  const pool = new WorkerPool({ backend: modelWorkerBackend(), registry, plugins: [new SameModelTestPolicy()] });
  try {
    const lease = await pool.getOrSpawn(request);
    expect(lease.decision.outcome).toBe("spawned");
    expect(lease.worker.id).not.toBe("impostor");
    expect(lease.worker.pid).not.toBe(pid);
    await lease.release();
  } finally {
    await pool.stopAll();
  }
});
