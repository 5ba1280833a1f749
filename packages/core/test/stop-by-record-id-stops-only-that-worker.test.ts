import { DeviceRegistry } from "@modelpool/core";
import { isRunning, SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("pool.stop({ workerId, id }) stops only that worker, not the others of its workerId", async () => {
  const path = await tempRegistryPath();
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const a = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m1" } });
  const b = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m2" } });
  await a.release();
  await b.release();

  expect(await pool.stop({ workerId: "docs", id: a.worker.id })).toBe("stopped");

  expect(isRunning(a.worker.pid)).toBe(false);
  expect(isRunning(b.worker.pid)).toBe(true);
  expect(pool.workers.map((w) => w.id)).toEqual([b.worker.id]);
  expect((await new DeviceRegistry({ path }).list()).map((r) => r.id)).toEqual([b.worker.id]);
  expect(await pool.stop({ workerId: "docs", id: a.worker.id })).toBe("not-found");
});

test("pool.stop({ workerId, id }) never stops a worker a lease holds", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [new SameModelTestPolicy()] });
  const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m1" } });

  expect(await pool.stop({ workerId: "docs", id: lease.worker.id })).toBe("draining");

  expect(isRunning(lease.worker.pid)).toBe(true);
  await lease.release();
});

test("pool.stop with a reference that is not one is a typed error naming the field", async () => {
  const pool = testPool({ registry: false });
  await expect(pool.stop({ workerId: "docs" } as never)).rejects.toMatchObject({
    code: "INVALID_REQUEST",
    field: "id",
  });
});
