import { DeviceRegistry } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("through a real pool and registry: exact match reused, any difference spawns with the reason", async () => {
  const path = await tempRegistryPath();
  const pool = testPool({ registry: path, plugins: [new ExactModelPolicy()] });
  const sticky = { resolvedModel: "openai/gpt-5-mini", modelPolicy: "sticky" as const, attributes: { ctx: 8192 } };

  const first = await pool.getOrSpawn({ workerId: "docs", fingerprint: sticky });
  const again = await pool.getOrSpawn({ workerId: "docs", fingerprint: { ...sticky, attributes: { ctx: 8192 } } });
  const otherCtx = await pool.getOrSpawn({ workerId: "docs", fingerprint: { ...sticky, attributes: { ctx: 4096 } } });

  expect(again.decision.outcome).toBe("reused");
  expect(again.worker.pid).toBe(first.worker.pid);
  expect(otherCtx.decision.outcome).toBe("spawned");
  expect(otherCtx.decision.considered.map((c) => c.verdict.reason)).toContain(
    'attribute "ctx" differs: running 8192, requested 4096',
  );
  expect(await new DeviceRegistry({ path }).list()).toHaveLength(2);
});
