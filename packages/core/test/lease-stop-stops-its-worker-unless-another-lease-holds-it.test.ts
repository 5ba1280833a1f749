import { DeviceRegistry } from "@modelpool/core";
import { isRunning, SameModelTestPolicy, tempRegistryPath, testPool, waitUntil } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const request = { workerId: "docs", fingerprint: { resolvedModel: "m1" } };

test("lease.stop() releases the lease and stops its worker when no other lease holds it", async () => {
  const path = await tempRegistryPath();
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const lease = await pool.getOrSpawn(request);

  expect(await lease.stop()).toBe("stopped");

  expect(isRunning(lease.worker.pid)).toBe(false);
  expect(pool.workers).toEqual([]);
  expect(await new DeviceRegistry({ path }).list()).toEqual([]);
  expect(await lease.stop()).toBe("not-found");
});

test("lease.stop() never stops a worker another lease holds: it drains, and the last release stops it", async () => {
  const path = await tempRegistryPath();
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const mine = await pool.getOrSpawn(request);
  const theirs = await pool.getOrSpawn(request);
  expect(theirs.worker.id).toBe(mine.worker.id);

  expect(await mine.stop()).toBe("draining");

  expect(isRunning(mine.worker.pid)).toBe(true);
  const [recorded] = await new DeviceRegistry({ path }).list();
  expect(recorded).toMatchObject({ id: mine.worker.id, draining: true });
  const next = await pool.getOrSpawn(request);
  expect(next.worker.id).not.toBe(mine.worker.id); // a draining worker is never handed out again
  await next.release();

  await theirs.release();
  await waitUntil(() => !isRunning(mine.worker.pid));
});

test("pool.stop(lease) is lease.stop()", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [new SameModelTestPolicy()] });
  const lease = await pool.getOrSpawn(request);

  expect(await pool.stop(lease)).toBe("stopped");

  expect(isRunning(lease.worker.pid)).toBe(false);
});
