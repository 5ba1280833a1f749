import { expect, test } from "vitest";
import { WorkerPool } from "../src/index.js";
import { modelWorkerBackend } from "./support/model-worker.js";
import { SameModelTestPolicy } from "./support/same-model-policy.js";
import { tempRegistryPath } from "./support/temp-files.js";
import { testPool } from "./support/test-pool.js";

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
