import { DeviceRegistry, SpawnError, WorkerPool } from "@modelpool/core";
import { modelWorkerBackend, SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const request = { workerId: "docs", fingerprint: { resolvedModel: "broken-model" } };

test("a failed spawn records the error, leaves no claim, and the next request can spawn", async () => {
  const path = await tempRegistryPath();
  const crashing = new WorkerPool({ backend: modelWorkerBackend({ env: { WORKER_MODE: "crash" } }), registry: path });

  const failure = await crashing.getOrSpawn(request).catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(SpawnError);
  expect(failure).toMatchObject({ code: "SPAWN_FAILED", failure: "exited", exitCode: 3 });
  expect((failure as SpawnError).output).toContain("cannot load model broken-model");
  const records = await new DeviceRegistry({ path }).list();
  expect(records.map((r) => r.status)).toEqual(["error"]);
  expect(records[0]?.lastError).toMatch(/exited/);

  const healthy = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const lease = await healthy.getOrSpawn(request);
  expect(lease.decision.outcome).toBe("spawned");
});

test("a spawn that is not ready in time is killed and fails with a timeout", async () => {
  const path = await tempRegistryPath();
  const pool = new WorkerPool({
    backend: modelWorkerBackend({ env: { WORKER_MODE: "silent" } }),
    registry: path,
    spawnTimeoutMs: 500,
  });

  const failure = await pool.getOrSpawn(request).catch((error: unknown) => error);

  expect(failure).toMatchObject({ code: "SPAWN_FAILED", failure: "timeout" });
  expect(pool.workers).toEqual([]);
  expect((await new DeviceRegistry({ path }).list()).filter((r) => r.status === "starting")).toEqual([]);
});
