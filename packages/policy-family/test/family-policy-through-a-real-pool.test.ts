import { FamilyPolicy } from "@modelpool/policy-family";
import { tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("through a real pool: the closest compatible running version is reused", async () => {
  const path = await tempRegistryPath();
  const pool = testPool({ registry: path, plugins: [new FamilyPolicy()] });
  const far = await pool.getOrSpawn({
    workerId: "coder",
    fingerprint: { resolvedModel: "anthropic/claude-sonnet-4-6" },
  });
  const near = await pool.getOrSpawn({
    workerId: "coder",
    fingerprint: { resolvedModel: "anthropic/claude-sonnet-4-2" },
    forceNew: true,
  });

  const lease = await pool.getOrSpawn({
    workerId: "coder",
    fingerprint: { resolvedModel: "anthropic/claude-sonnet-4-1" },
  });

  expect(lease.decision.outcome).toBe("reused");
  expect(lease.worker.pid).toBe(near.worker.pid);
  expect(lease.worker.pid).not.toBe(far.worker.pid);
  expect(lease.decision.considered.every((c) => c.verdict.reuse)).toBe(true);
});

test("through a real pool: another major version is not reused, and the decision says why", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [new FamilyPolicy()] });
  await pool.getOrSpawn({ workerId: "coder", fingerprint: { resolvedModel: "claude-3-5-sonnet-20241022" } });

  const lease = await pool.getOrSpawn({ workerId: "coder", fingerprint: { resolvedModel: "claude-sonnet-4-5" } });

  expect(lease.decision.outcome).toBe("spawned");
  expect(lease.decision.reason).toContain("running 3.5.0 does not satisfy ^4.5.0");
});
