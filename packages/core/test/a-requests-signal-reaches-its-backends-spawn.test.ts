import { WorkerPool } from "@modelpool/core";
import { isRunning, modelWorkerBackend, tempRegistryPath, waitUntil } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("a request's signal reaches its backend's spawn, and a backend that honours it is stopped promptly", async () => {
  const inner = modelWorkerBackend({ env: { WORKER_MODE: "silent" }, timeoutMs: 600_000 });
  const seen: { signal?: AbortSignal; pid?: number } = {};
  const pool = new WorkerPool({
    backend: {
      ...inner,
      spawn: (request, context) => {
        seen.signal = context.signal;
        return inner.spawn(request, {
          ...context,
          onProcess: (child) => {
            seen.pid = child.pid;
            context.onProcess?.(child);
          },
        });
      },
    },
    registry: await tempRegistryPath(),
    spawnTimeoutMs: 600_000,
  });
  try {
    const controller = new AbortController();
    const asked = pool
      .getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "slow" }, signal: controller.signal })
      .catch((error: unknown) => error);
    await waitUntil(() => seen.pid !== undefined && isRunning(seen.pid));
    expect(seen.signal?.aborted).toBe(false);

    controller.abort(new Error("the user closed the tab"));

    expect(await asked).toMatchObject({ message: "the user closed the tab" });
    expect(seen.signal?.aborted).toBe(true);
    await waitUntil(() => !isRunning(seen.pid as number));
    expect(pool.workers).toEqual([]);
  } finally {
    await pool.stopAll();
  }
});
