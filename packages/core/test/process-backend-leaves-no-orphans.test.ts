import { isRunning, SameModelTestPolicy, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("stopAll stops every worker the pool spawned, including one still starting", async () => {
  const pool = testPool({ registry: false, plugins: [new SameModelTestPolicy()] });
  const a = await pool.getOrSpawn({ workerId: "a", fingerprint: { resolvedModel: "m" } });
  const b = await pool.getOrSpawn({ workerId: "b", fingerprint: { resolvedModel: "m" } });
  const starting = pool.getOrSpawn({ workerId: "c", fingerprint: { resolvedModel: "m" } }).catch((e: unknown) => e);

  await pool.stopAll();

  expect(isRunning(a.worker.pid)).toBe(false);
  expect(isRunning(b.worker.pid)).toBe(false);
  expect(await starting).toBeInstanceOf(Error);
  expect(pool.workers).toEqual([]);
});

test("aborting the only request for a spawn kills the half-started worker", async () => {
  const pool = testPool({ registry: false });
  const controller = new AbortController();
  const pending = pool.getOrSpawn({ workerId: "a", fingerprint: { resolvedModel: "m" }, signal: controller.signal });
  setTimeout(() => controller.abort(new Error("caller gave up")), 20);

  await expect(pending).rejects.toThrow("caller gave up");
  expect(pool.workers).toEqual([]);
});

test("stop(workerId) stops only that workerId's workers", async () => {
  const pool = testPool({ registry: false });
  const a = await pool.getOrSpawn({ workerId: "a", fingerprint: { resolvedModel: "m" } });
  const b = await pool.getOrSpawn({ workerId: "b", fingerprint: { resolvedModel: "m" } });

  const stopped = await pool.stop("a");

  expect(stopped.map((r) => r.pid)).toEqual([a.worker.pid]);
  expect(isRunning(a.worker.pid)).toBe(false);
  expect(isRunning(b.worker.pid)).toBe(true);
});
