import { tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("with no policy registered every candidate is denied with that reason and a new worker is spawned", async () => {
  const pool = testPool({ registry: await tempRegistryPath() });
  const request = { workerId: "docs", fingerprint: { resolvedModel: "m" } };
  const first = await pool.getOrSpawn(request);

  const second = await pool.getOrSpawn(request);

  expect(second.decision.outcome).toBe("spawned");
  expect(second.worker.pid).not.toBe(first.worker.pid);
  expect(second.decision.considered[0]?.verdict).toEqual({
    reuse: false,
    reason: "no compatibility policy registered",
    code: "NO_POLICY",
  });
});
