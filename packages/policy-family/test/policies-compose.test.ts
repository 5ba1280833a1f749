import { ExactModelPolicy } from "@modelpool/policy-exact";
import { FamilyPolicy } from "@modelpool/policy-family";
import { tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import ContextWindowPolicy from "../../../examples/context-window-policy.js";

test("with both policies every one must allow: a family-compatible but inexact worker is not reused", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [new FamilyPolicy(), new ExactModelPolicy()] });
  await pool.getOrSpawn({ workerId: "w", fingerprint: { resolvedModel: "gpt-5.1" } });

  const lease = await pool.getOrSpawn({ workerId: "w", fingerprint: { resolvedModel: "gpt-5" } });

  expect(lease.decision.outcome).toBe("spawned");
  expect(lease.decision.considered[0]?.verdict).toMatchObject({ reuse: false, by: "ExactModelPolicy" });
  const exact = await pool.getOrSpawn({ workerId: "w", fingerprint: { resolvedModel: "gpt-5" } });
  expect(exact.decision.outcome).toBe("reused");
  expect(exact.decision.considered.find((c) => c.verdict.reuse)?.verdict.by).toBe("FamilyPolicy+ExactModelPolicy");
});

test("a third-party policy registered after them can deny what they allow, never allow what they deny", async () => {
  const pool = testPool({
    registry: await tempRegistryPath(),
    plugins: [new FamilyPolicy(), new ContextWindowPolicy()],
  });
  await pool.getOrSpawn({ workerId: "w", fingerprint: { resolvedModel: "gpt-5.1", attributes: { ctx: 8_000 } } });

  const bigger = await pool.explain({
    workerId: "w",
    fingerprint: { resolvedModel: "gpt-5", attributes: { ctx: 32_000 } },
  });
  const otherFamily = await pool.explain({
    workerId: "w",
    fingerprint: { resolvedModel: "gpt-4o", attributes: { ctx: 1_000 } },
  });
  const fits = await pool.explain({
    workerId: "w",
    fingerprint: { resolvedModel: "gpt-5", attributes: { ctx: 4_000 } },
  });

  expect(bigger.considered[0]?.verdict).toMatchObject({
    reuse: false,
    by: "ContextWindowPolicy",
    reason: "context window 8000 < requested 32000",
  });
  expect(otherFamily.considered[0]?.verdict).toMatchObject({ reuse: false, by: "FamilyPolicy" });
  expect(fits.outcome).toBe("reused");
});
