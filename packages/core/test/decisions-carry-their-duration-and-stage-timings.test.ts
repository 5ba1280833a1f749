import { SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const request = { workerId: "docs", fingerprint: { resolvedModel: "m" } };

test("a spawn decision carries its duration and the time its spawn took", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [new SameModelTestPolicy()] });

  const { decision } = await pool.getOrSpawn(request);

  expect(decision.timings.spawnMs).toBeGreaterThan(0);
  expect(decision.durationMs).toBeGreaterThanOrEqual(decision.timings.spawnMs);
  expect(decision.timings.probeMs).toBe(0);
});

test("a reuse decision carries the time of each stage: candidates, policies, probe, and no spawn", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [new SameModelTestPolicy()], healthyForMs: 0 });
  await (await pool.getOrSpawn(request)).release();

  const { decision } = await pool.getOrSpawn(request);
  const explained = await pool.explain(request);

  for (const { timings, durationMs } of [decision, explained]) {
    expect(timings.candidatesMs).toBeGreaterThan(0);
    expect(timings.policiesMs).toBeGreaterThan(0);
    expect(timings.probeMs).toBeGreaterThan(0);
    expect(timings.spawnMs).toBe(0);
    expect(durationMs).toBeGreaterThanOrEqual(timings.candidatesMs + timings.policiesMs + timings.probeMs);
  }
});
