import { DeviceRegistry, WorkerPool } from "@modelpool/core";
import { modelWorkerBackend, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const request = { workerId: "docs", fingerprint: { resolvedModel: "broken-model" } };

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
