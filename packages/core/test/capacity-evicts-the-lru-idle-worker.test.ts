import { CapacityError } from "@modelpool/core";
import { isRunning, SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const request = (workerId: string) => ({ workerId, fingerprint: { resolvedModel: "m" } });

test("at maxWorkers the least recently used idle worker is stopped to make room", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [new SameModelTestPolicy()], maxWorkers: 2 });
  const a = await pool.getOrSpawn(request("a"));
  const b = await pool.getOrSpawn(request("b"));
  await a.release();
  await b.release(); // both idle; a has been idle longer

  const c = await pool.getOrSpawn(request("c"));

  expect(isRunning(a.worker.pid)).toBe(false);
  expect(isRunning(b.worker.pid)).toBe(true);
  expect(isRunning(c.worker.pid)).toBe(true);
  expect(pool.workers.map((w) => w.workerId).sort()).toEqual(["b", "c"]);
  expect(pool.stats().stops.capacity).toBe(1);
});

test("at maxWorkers with every worker leased, a request waits, then fails with a clear CapacityError", async () => {
  const pool = testPool({ registry: false, maxWorkers: 1, capacityTimeoutMs: 200 });
  const held = await pool.getOrSpawn(request("a"));

  const error = await pool.getOrSpawn(request("b")).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(CapacityError);
  expect(error).toMatchObject({ code: "CAPACITY_EXHAUSTED", scope: "pool", limit: 1 });
  expect((error as Error).message).toMatch(/every worker is leased/);
  expect(isRunning(held.worker.pid)).toBe(true);
});

test("a waiting request gets room as soon as a lease is released", async () => {
  const pool = testPool({ registry: false, maxWorkers: 1, capacityTimeoutMs: 10_000 });
  const held = await pool.getOrSpawn(request("a"));
  const waiting = pool.getOrSpawn(request("b"));
  setTimeout(() => void held.release(), 100);

  const lease = await waiting;

  expect(lease.decision.outcome).toBe("spawned");
  expect(isRunning(held.worker.pid)).toBe(false);
});

test("maxWorkersPerDevice counts the workers of every process in the registry", async () => {
  const path = await tempRegistryPath();
  const first = testPool({ registry: path });
  const leased = await first.getOrSpawn(request("a"));
  await first.settled(); // its lease is in the registry
  const second = testPool({ registry: path, maxWorkersPerDevice: 1, capacityTimeoutMs: 100 });

  await expect(second.getOrSpawn(request("b"))).rejects.toMatchObject({ code: "CAPACITY_EXHAUSTED", scope: "device" });
  await leased.release();
  const lease = await second.getOrSpawn(request("b"));
  expect(lease.decision.outcome).toBe("spawned");
  expect(isRunning(leased.worker.pid)).toBe(false);
});
