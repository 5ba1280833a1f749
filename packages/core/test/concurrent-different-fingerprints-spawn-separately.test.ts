import { SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("a request for another fingerprint never joins an in-flight spawn", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [new SameModelTestPolicy()] });

  const [a, b] = await Promise.all([
    pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } }),
    pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-b" } }),
  ]);

  expect(a.worker.pid).not.toBe(b.worker.pid);
  expect([a.decision.shared, b.decision.shared]).toEqual([false, false]);
  expect([a.worker.fingerprint?.resolvedModel, b.worker.fingerprint?.resolvedModel]).toEqual(["model-a", "model-b"]);
});
