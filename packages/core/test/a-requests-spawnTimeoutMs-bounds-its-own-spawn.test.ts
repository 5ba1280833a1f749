import { WorkerPool } from "@modelpool/core";
import { isRunning, modelWorkerBackend, tempRegistryPath, waitUntil } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("a request's spawnTimeoutMs bounds its own spawn, whatever the pool's", async () => {
  const pids: number[] = [];
  const inner = modelWorkerBackend({ env: { WORKER_MODE: "silent" }, timeoutMs: 600_000 });
  const pool = new WorkerPool({
    backend: {
      ...inner,
      spawn: (request, context) =>
        inner.spawn(request, {
          ...context,
          onProcess: (child) => {
            pids.push(child.pid);
            context.onProcess?.(child);
          },
        }),
    },
    registry: await tempRegistryPath(),
    spawnTimeoutMs: 600_000,
  });
  try {
    const failure = await pool
      .getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "slow" }, spawnTimeoutMs: 300 })
      .catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: "SPAWN_FAILED", failure: "timeout" });
    expect(String((failure as Error).message)).toContain("300 ms");
    expect(pids).toHaveLength(1);
    await waitUntil(() => !isRunning(pids[0] as number));
  } finally {
    await pool.stopAll();
  }
});

test("spawnTimeoutMs must be a positive whole number of milliseconds", async () => {
  const pool = new WorkerPool({ backend: modelWorkerBackend(), registry: false });
  await expect(
    pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" }, spawnTimeoutMs: -1 }),
  ).rejects.toMatchObject({ code: "INVALID_REQUEST", field: "spawnTimeoutMs" });
  expect(pool.workers).toEqual([]);
});
