import { DeviceRegistry } from "@modelpool/core";
import { SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("forceNew spawns and records a fresh worker without running any canReuse tap", async () => {
  const path = await tempRegistryPath();
  const policy = new SameModelTestPolicy();
  const pool = testPool({ registry: path, plugins: [policy] });
  const request = { workerId: "coder", fingerprint: { resolvedModel: "anthropic/claude-sonnet-4-5" } };
  const first = await pool.getOrSpawn(request);
  const callsBefore = policy.calls;

  const forced = await pool.getOrSpawn({ ...request, forceNew: true });

  expect(policy.calls).toBe(callsBefore);
  expect(forced.decision.outcome).toBe("forced");
  expect(forced.decision.considered).toEqual([]);
  expect(forced.worker.pid).not.toBe(first.worker.pid);
  const ids = (await new DeviceRegistry({ path }).list()).map((record) => record.id);
  expect(ids).toContain(forced.worker.id);
  expect(ids).toContain(first.worker.id);
});

test("forceNew never joins a spawn already in flight for the same fingerprint", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [new SameModelTestPolicy()] });
  const request = { workerId: "coder", fingerprint: { resolvedModel: "m" } };

  const [normal, forced] = await Promise.all([
    pool.getOrSpawn(request),
    pool.getOrSpawn({ ...request, forceNew: true }),
  ]);

  expect(forced.decision.shared).toBe(false);
  expect(forced.worker.pid).not.toBe(normal.worker.pid);
});
