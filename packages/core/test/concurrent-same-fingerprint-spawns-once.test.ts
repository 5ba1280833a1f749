import { SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("concurrent requests for the same workerId and fingerprint share one spawn", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [new SameModelTestPolicy()] });
  const request = { workerId: "docs", fingerprint: { resolvedModel: "m", attributes: { ctx: 8192, gpu: true } } };

  const leases = await Promise.all(Array.from({ length: 5 }, () => pool.getOrSpawn(request)));

  expect(new Set(leases.map((lease) => lease.worker.pid)).size).toBe(1);
  expect(leases.filter((lease) => !lease.decision.shared)).toHaveLength(1);
  expect(pool.workers).toHaveLength(1);
});

test("attribute order does not make two fingerprints different", async () => {
  const pool = testPool({ registry: false, plugins: [new SameModelTestPolicy()] });
  const [a, b] = await Promise.all([
    pool.getOrSpawn({ workerId: "w", fingerprint: { resolvedModel: "m", attributes: { a: 1, b: 2 } } }),
    pool.getOrSpawn({ workerId: "w", fingerprint: { resolvedModel: "m", attributes: { b: 2, a: 1 } } }),
  ]);
  expect(a.worker.pid).toBe(b.worker.pid);
});
