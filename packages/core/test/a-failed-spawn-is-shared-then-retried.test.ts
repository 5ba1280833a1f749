import { SpawnError, WorkerPool } from "@modelpool/core";
import { modelWorkerBackend, SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const request = { workerId: "docs", fingerprint: { resolvedModel: "broken-model" } };

test("a failed spawn is shared with the next request during the back-off, then the spawn is tried again", async () => {
  const path = await tempRegistryPath();
  let spawns = 0;
  const crashingBackend = modelWorkerBackend({ env: { WORKER_MODE: "crash" } });
  const counting = {
    ...crashingBackend,
    spawn: (...args: Parameters<typeof crashingBackend.spawn>) => {
      spawns++;
      return crashingBackend.spawn(...args);
    },
  };
  const crashing = new WorkerPool({ backend: counting, registry: path, failedSpawnBackoffMs: 1_500 });

  const failure = await crashing.getOrSpawn(request).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(SpawnError);
  expect(failure).toMatchObject({ code: "SPAWN_FAILED", failure: "exited", exitCode: 3 });
  expect((failure as SpawnError).output).toContain("cannot load model broken-model");

  // Another pool (as another process would) shares the failure instead of starting the model again.
  const waiter = new WorkerPool({ backend: counting, registry: path, failedSpawnBackoffMs: 1_500 });
  const shared = await waiter.getOrSpawn(request).catch((error: unknown) => error);
  expect(shared).toBeInstanceOf(SpawnError);
  expect((shared as SpawnError).message).toMatch(/failed \(.*exited.*\); not retried before/);
  expect(spawns).toBe(1);

  // No claim is left behind: once the back-off is over, a healthy backend spawns.
  await new Promise((resolve) => setTimeout(resolve, 1_600));
  const healthy = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const lease = await healthy.getOrSpawn(request);
  expect(lease.decision.outcome).toBe("spawned");
});
