import { SameModelTestPolicy, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("inside one process, a worker whose model was changed is not handed back from memory", async () => {
  const pool = testPool({ registry: false, plugins: [new SameModelTestPolicy()] });
  const before = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } });

  const after = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-b" } });

  expect(after.decision.outcome).toBe("spawned");
  expect(after.worker.pid).not.toBe(before.worker.pid);
  expect(after.decision.considered).toMatchObject([{ source: "memory", verdict: { reuse: false } }]);
});
