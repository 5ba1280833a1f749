import { readLiveProcess, WorkerPool } from "@modelpool/core";
import { MODEL_WORKER_SCRIPT, modelWorkerBackend } from "@modelpool/testing";
import { expect, test } from "vitest";

test("modelWorkerBackend spawns a real process that answers GET /health with the model it was started with", async () => {
  const pool = new WorkerPool({ backend: modelWorkerBackend(), registry: false });
  try {
    const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "acme/a-2" } });
    const live = readLiveProcess(lease.worker.pid);
    expect(live.running && !live.zombie).toBe(true);
    expect(lease.worker.backend).toBe("model-worker");
    const health = (await (await fetch(`${lease.worker.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toEqual({ model: "acme/a-2", modelPolicy: "dynamic", pid: lease.worker.pid });
    await lease.release();
  } finally {
    await pool.stopAll();
  }
  expect(MODEL_WORKER_SCRIPT).toMatch(/worker\/model-worker\.mjs$/);
});

test("WORKER_MODE=crash makes the spawn fail with a typed error, leaving nothing running", async () => {
  const pool = new WorkerPool({ backend: modelWorkerBackend({ env: { WORKER_MODE: "crash" } }), registry: false });
  await expect(pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } })).rejects.toMatchObject({
    code: "SPAWN_FAILED",
  });
  expect(pool.workers).toHaveLength(0);
  await pool.close();
});
