import { type Decision, DeviceRegistry } from "@modelpool/core";
import { SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("explain reports the decision getOrSpawn would make, and spawns and writes nothing", async () => {
  const path = await tempRegistryPath();
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const decisions: Decision[] = [];
  pool.hooks.decided.tap("test", (decision) => {
    decisions.push(decision);
  });

  const before = await pool.explain({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  expect(before).toMatchObject({ outcome: "spawned", dryRun: true, considered: [] });
  expect(pool.workers).toEqual([]);
  expect(await new DeviceRegistry({ path }).list()).toEqual([]);

  const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  const reuse = await pool.explain({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  const change = await pool.explain({ workerId: "docs", fingerprint: { resolvedModel: "n" } });
  const forced = await pool.explain({ workerId: "docs", fingerprint: { resolvedModel: "m" }, forceNew: true });

  expect(reuse).toMatchObject({ outcome: "reused", worker: { id: lease.worker.id } });
  expect(change.outcome).toBe("spawned");
  expect(change.reason).toContain("model differs");
  expect(forced).toMatchObject({ outcome: "forced", considered: [] });
  expect(pool.workers).toHaveLength(1);
  expect(decisions.map((d) => [d.outcome, d.dryRun])).toEqual([
    ["spawned", true],
    ["spawned", false],
    ["reused", true],
    ["spawned", true],
    ["forced", true],
  ]);
});
