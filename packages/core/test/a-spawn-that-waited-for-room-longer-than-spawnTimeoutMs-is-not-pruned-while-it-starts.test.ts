import { setTimeout as sleep } from "node:timers/promises";
import { DeviceRegistry } from "@modelpool/core";
import { modelWorkerBackend, SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("a worker whose request waited for room longer than spawnTimeoutMs is recorded starting with a claim that holds: a prune while it starts keeps its record", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const pool = testPool({
    registry: path,
    backend: modelWorkerBackend({ env: { WORKER_START_DELAY_MS: "2000" } }),
    plugins: [new SameModelTestPolicy()],
    maxWorkers: 1,
    spawnTimeoutMs: 4_000,
    capacityTimeoutMs: 20_000,
  });
  const held = await pool.getOrSpawn({ workerId: "a", fingerprint: { resolvedModel: "m" } });
  const waiting = pool.getOrSpawn({ workerId: "b", fingerprint: { resolvedModel: "m" } });
  await sleep(5_000); // longer than spawnTimeoutMs, waiting for room
  await held.release(); // room: a is stopped, b starts (2 s until ready)

  const registry = new DeviceRegistry({ path });
  for (;;) {
    const records = await registry.list();
    if (records.some((record) => record.workerId === "b" && record.status === "starting")) break;
    await sleep(10);
  }
  const pruned = await registry.prune();
  const lease = await waiting;

  expect(pruned.filter(({ record }) => record.workerId === "b")).toEqual([]);
  expect(lease.decision.outcome).toBe("spawned");
});
