import { SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("a second request for the same workerId and model reuses the running worker", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [new SameModelTestPolicy()] });
  const request = { workerId: "docs", fingerprint: { resolvedModel: "openai/gpt-5-mini" } };

  const first = await pool.getOrSpawn(request);
  const second = await pool.getOrSpawn(request);

  expect(first.decision.outcome).toBe("spawned");
  expect(second.decision.outcome).toBe("reused");
  expect(second.worker.pid).toBe(first.worker.pid);
  expect(second.decision.considered).toHaveLength(1);
  expect(second.decision.considered[0]?.verdict).toMatchObject({ reuse: true, by: "SameModelTestPolicy" });
});
