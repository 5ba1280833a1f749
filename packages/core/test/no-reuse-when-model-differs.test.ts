import { DeviceRegistry } from "@modelpool/core";
import { SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("a request for another model spawns a new worker and says why the old one was not reused", async () => {
  const path = await tempRegistryPath();
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });

  const nano = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "openai/gpt-5-nano" } });
  const mini = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "openai/gpt-5-mini" } });

  expect(mini.decision.outcome).toBe("spawned");
  expect(mini.worker.pid).not.toBe(nano.worker.pid);
  expect(mini.decision.considered.map((c) => c.verdict.reason)).toEqual(["model differs: running openai/gpt-5-nano"]);
  const recorded = await new DeviceRegistry({ path }).list();
  expect(recorded.map((r) => r.fingerprint?.resolvedModel).sort()).toEqual(["openai/gpt-5-mini", "openai/gpt-5-nano"]);
});
