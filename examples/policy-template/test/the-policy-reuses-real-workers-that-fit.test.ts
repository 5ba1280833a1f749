import { createTestPool } from "@modelpool/testing";
import { expect, test } from "vitest";
import { MinimumContextPolicy } from "../src/index.js";

test("a real worker is reused for a request that fits its context, and a bigger request spawns another", async () => {
  await using kit = createTestPool({ plugins: [new MinimumContextPolicy()] });
  const ask = (ctx: number) =>
    kit.pool.getOrSpawn({ workerId: "coder", fingerprint: { resolvedModel: "m", attributes: { ctx } } });

  const big = await ask(32768);
  await big.release();
  const fits = await ask(8192);
  await fits.release();
  const bigger = await ask(131072);
  await bigger.release();

  expect(big.decision.outcome).toBe("spawned");
  expect(fits.decision.outcome).toBe("reused");
  expect(fits.worker.pid).toBe(big.worker.pid);
  expect(bigger.decision.outcome).toBe("spawned");
  expect(bigger.decision.considered.map((c) => c.verdict.code)).toEqual(["CONTEXT_TOO_SMALL"]);
});
