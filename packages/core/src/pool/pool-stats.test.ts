import { expect, test } from "vitest";
import type { Decision } from "./hooks.js";
import { PoolStats } from "./pool-stats.js";

const denied = (code: string, reason: string) =>
  ({
    candidate: { id: reason },
    source: "memory",
    verdict: { reuse: false, reason, code, by: "InventivePolicy" },
  }) as unknown as Decision["considered"][number];

test("denials are counted by policy and code, never by free-text reason, and stay bounded", () => {
  const stats = new PoolStats();
  const decision = (considered: Decision["considered"]) =>
    ({ outcome: "spawned", dryRun: false, considered }) as unknown as Decision;

  // The same code with a different reason each time (a pid, a model name inside): one key.
  for (let i = 0; i < 50; i++)
    stats.recordDecision(decision([denied("MODEL_DIFFERS", `running model-${i} (pid ${i})`)]));
  // A policy that puts a fresh code on every denial cannot grow the table without bound.
  for (let i = 0; i < 1_000; i++) stats.recordDecision(decision([denied(`CODE_${i}`, "x")]));

  const { denials } = stats.snapshot();
  expect(denials).toContainEqual({ by: "InventivePolicy", code: "MODEL_DIFFERS", count: 50 });
  expect(denials.length).toBeLessThanOrEqual(257);
  expect(denials.reduce((sum, entry) => sum + entry.count, 0)).toBe(1_050);
  expect(denials.find((entry) => entry.by === "(other)")?.count).toBe(1_000 - 255);
});
