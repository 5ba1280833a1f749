import { expect, test } from "vitest";
import { SameModelTestPolicy } from "./support/same-model-policy.js";
import { tempRegistryPath } from "./support/temp-files.js";
import { testPool } from "./support/test-pool.js";

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
