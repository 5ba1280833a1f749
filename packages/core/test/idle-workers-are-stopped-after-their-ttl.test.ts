import { DeviceRegistry } from "@modelpool/core";
import {
  isRunning,
  runNodeScript,
  SameModelTestPolicy,
  stopRecordedWorkersAfterTest,
  tempRegistryPath,
  testPool,
  waitUntil,
} from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("idle TTL stops exactly the worker nobody holds a lease on, and removes it from the registry", async () => {
  const path = await tempRegistryPath();
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()], idleTtlMs: 300, sweepIntervalMs: 50 });
  const held = await pool.getOrSpawn({ workerId: "held", fingerprint: { resolvedModel: "m" } });
  const idle = await pool.getOrSpawn({ workerId: "idle", fingerprint: { resolvedModel: "m" } });
  const longer = await pool.getOrSpawn({ workerId: "longer", fingerprint: { resolvedModel: "m" }, idleTtlMs: 60_000 });
  await idle.release();
  await longer.release();

  // Waited for, not slept on: a stop ends once the worker is reaped and its record removed, which a busy
  // machine makes take a while.
  const workerIds = async () => (await new DeviceRegistry({ path }).list()).map((r) => r.workerId).sort();
  await waitUntil(async () => !(await workerIds()).includes("idle"));

  expect(isRunning(held.worker.pid)).toBe(true);
  expect(isRunning(idle.worker.pid)).toBe(false);
  expect(isRunning(longer.worker.pid)).toBe(true); // a request's own idleTtlMs wins over the pool's
  expect((await new DeviceRegistry({ path }).list()).map((r) => r.workerId).sort()).toEqual(["held", "longer"]);
  expect(pool.stats().stops.idle).toBe(1);
});

test("the idle timer never keeps the process alive", { timeout: 30_000 }, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  // The script spawns a worker with an idle TTL, leaves it running, and simply ends: it must exit.
  const { stdout } = await runNodeScript(new URL("./fixtures/idle-pool-exits.ts", import.meta.url), [path]);
  expect(JSON.parse(stdout)).toMatchObject({ pid: expect.any(Number) });
});
