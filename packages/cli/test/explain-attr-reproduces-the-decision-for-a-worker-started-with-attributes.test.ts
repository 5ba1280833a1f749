import { ExactModelPolicy } from "@modelpool/policy-exact";
import { tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { runCli as run } from "./fixtures/run-cli.js";

test("explain --attr types numbers and booleans, and reproduces the pool's own decision for a worker started with attributes", async () => {
  const registry = await tempRegistryPath();
  const fingerprint = { resolvedModel: "m", attributes: { ctx: 8192, fast: true, tier: "gold" } };
  const spawner = testPool({ registry, plugins: [new ExactModelPolicy()] });
  const started = await spawner.getOrSpawn({ workerId: "docs", fingerprint });
  await started.release();
  await spawner.settled();
  const real = await testPool({ registry, plugins: [new ExactModelPolicy()] }).explain({
    workerId: "docs",
    fingerprint,
  });
  expect(real.outcome).toBe("reused");

  const explained = await run(
    "explain",
    "docs",
    "m",
    "--policy",
    "exact",
    "--attr",
    "ctx=8192",
    "--attr",
    "fast=true",
    "--attr",
    "tier=gold",
    "--registry",
    registry,
    "--json",
  );

  expect(explained.err).toBe("");
  expect(explained.code).toBe(0);
  const decision = JSON.parse(explained.out) as typeof real;
  expect(decision.outcome).toBe(real.outcome);
  expect(decision.reason).toBe(real.reason);
  expect(decision.considered.map((c) => c.verdict)).toEqual(real.considered.map((c) => c.verdict));

  // The same worker asked for with a string "8192" is another fingerprint: quoted JSON keeps a string.
  const asString = await run(
    "explain",
    "docs",
    "m",
    "--policy",
    "exact",
    "--attr",
    'ctx="8192"',
    "--attr",
    "fast=true",
    "--attr",
    "tier=gold",
    "--registry",
    registry,
    "--json",
  );
  expect(JSON.parse(asString.out).considered[0].verdict.reuse).toBe(false);
});

test("an --attr without key=value is a usage error naming it", async () => {
  const registry = await tempRegistryPath();
  const { code, err } = await run("explain", "docs", "m", "--attr", "ctx", "--registry", registry);
  expect(code).toBe(2);
  expect(err).toContain('--attr takes key=value; got "ctx"');
});
