import { WorkerPool } from "@modelpool/core";
import { modelWorkerBackend, SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("a worker that accepts connections but never answers is rejected after probeTimeoutMs", async () => {
  const path = await tempRegistryPath();
  const spawner = testPool({ registry: path });
  const request = { workerId: "docs", fingerprint: { resolvedModel: "m" } };
  const hung = await spawner.getOrSpawn(request);
  process.kill(hung.worker.pid, "SIGSTOP"); // the kernel still accepts connections; nobody answers
  try {
    const pool = new WorkerPool({
      backend: modelWorkerBackend(),
      registry: path,
      plugins: [new SameModelTestPolicy()],
      probeTimeoutMs: 300,
    });
    const started = Date.now();
    const decision = await pool.explain(request);

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(decision.outcome).toBe("spawned");
    expect(decision.considered[0]?.verdict).toMatchObject({
      reuse: false,
      reason: "probe failed: no answer within 300 ms",
    });
  } finally {
    process.kill(hung.worker.pid, "SIGCONT");
  }
});
