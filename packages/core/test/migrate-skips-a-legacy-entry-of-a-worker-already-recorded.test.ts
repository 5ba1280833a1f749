import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DeviceRegistry, WorkerPool } from "@modelpool/core";
import { modelWorkerBackend, SameModelTestPolicy, tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("migrateLegacy skips a legacy entry of a worker already recorded (same pid and process start): one worker, one record", async () => {
  const path = await tempRegistryPath();
  const legacy = join(await tempDir(), "orchestrator-device-registry.json");
  const registry = new DeviceRegistry({ path, legacySources: [legacy] });
  const pool = new WorkerPool({ backend: modelWorkerBackend(), registry, plugins: [new SameModelTestPolicy()] });
  try {
    const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m1" } });
    await lease.release();
    const { pid, startedAt } = lease.worker;
    const entry = {
      kind: "worker",
      workerId: "docs",
      pid,
      status: "ready",
      startedAt,
      updatedAt: startedAt,
      model: "m1",
    };
    await writeFile(legacy, JSON.stringify({ version: 1, updatedAt: startedAt, entries: [entry] }));

    const migrated = await registry.migrateLegacy();

    expect(migrated.copied).toEqual([]);
    expect(migrated.skipped).toEqual([
      { record: expect.objectContaining({ pid }), reason: `the same worker as record ${lease.worker.id}` },
    ]);
    expect((await new DeviceRegistry({ path, legacySources: false }).list()).map((r) => r.id)).toEqual([
      lease.worker.id,
    ]);
  } finally {
    await pool.stopAll();
  }
});
