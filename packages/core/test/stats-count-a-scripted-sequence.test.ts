import { SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("stats count decisions, hit rate, denials by policy and code, spawns, stops and spawn latency", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [new SameModelTestPolicy()] });
  const a = { workerId: "docs", fingerprint: { resolvedModel: "model-a" } };
  const b = { workerId: "docs", fingerprint: { resolvedModel: "model-b" } };

  await pool.getOrSpawn(a); // spawned
  await pool.getOrSpawn(a); // reused
  await pool.getOrSpawn(a); // reused
  await pool.getOrSpawn(b); // spawned; the model-a worker denied once
  await pool.getOrSpawn({ ...a, forceNew: true }); // forced
  await pool.explain(a); // a dry run: not counted
  await pool.stop("docs"); // 3 workers, manually

  const stats = pool.stats();
  expect(stats.decisions).toEqual({ reused: 2, spawned: 2, forced: 1 });
  expect(stats.reuseHitRate).toBe(0.5);
  expect(stats.denials).toEqual([{ by: "SameModelTestPolicy", code: "MODEL_DIFFERS", count: 1 }]);
  expect(stats.spawns).toEqual({ succeeded: 3, failed: 0 });
  expect(stats.stops).toEqual({ superseded: 0, idle: 0, capacity: 0, manual: 3 });
  expect(stats.spawnLatencyMs.count).toBe(3);
  expect(stats.spawnLatencyMs.p50).toBeGreaterThan(0);
  expect(stats.spawnLatencyMs.max).toBeGreaterThanOrEqual(stats.spawnLatencyMs.p95);
});
