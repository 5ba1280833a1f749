import { DeviceRegistry } from "@modelpool/core";
import { isRunning, SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("pool.forget(record) removes a worker the application stopped itself, once its process is gone", async () => {
  const path = await tempRegistryPath();
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m1" } });
  await lease.release();

  process.kill(lease.worker.pid, "SIGTERM"); // the application's own shutdown
  expect(await pool.forget(lease.worker)).toBe(true);

  expect(isRunning(lease.worker.pid)).toBe(false);
  expect(pool.workers).toEqual([]);
  expect(await new DeviceRegistry({ path }).list()).toEqual([]);
});

test("pool.forget(record) keeps a worker whose process is still running, record and all", async () => {
  const path = await tempRegistryPath();
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m1" } });
  await lease.release();

  expect(await pool.forget(lease.worker, { timeoutMs: 100 })).toBe(false);

  expect(isRunning(lease.worker.pid)).toBe(true);
  expect(pool.workers.map((w) => w.id)).toEqual([lease.worker.id]);
  expect((await new DeviceRegistry({ path }).list()).map((r) => r.id)).toEqual([lease.worker.id]);
});

test("pool.forget with a timeout that is not a number of milliseconds is a typed error, nothing forgotten", async () => {
  const pool = testPool({ registry: false });
  await expect(pool.forget({ workerId: "docs", id: "x" }, { timeoutMs: Number.NaN })).rejects.toMatchObject({
    code: "INVALID_REQUEST",
    field: "timeoutMs",
  });
});
