import { join } from "node:path";
import { DeviceRegistry, leaseUsage } from "@modelpool/core";
import { SameModelTestPolicy, testPool, waitUntil } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { mountSmallTmpfs } from "./fixtures/small-tmpfs.js";

test("a release whose write failed (registry out of room) is written once there is room again, without another call: the worker is no longer held", {
  timeout: 60_000,
}, async ({ skip }) => {
  const fs = mountSmallTmpfs();
  if (!fs) return skip("mounting a tmpfs is not permitted here");
  const path = join(fs.dir, "registry");
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()], sweepIntervalMs: 200 });
  const leasesRecorded = async () => {
    const [record] = await new DeviceRegistry({ path }).list();
    return record ? leaseUsage(record).leases : -1;
  };
  const lease = await pool.getOrSpawn({ workerId: "w", fingerprint: { resolvedModel: "m" } });
  // The spawner's hold on its fresh worker ends on the next turn of the event loop, with a write of its own.
  await new Promise((done) => setImmediate(done));
  await pool.settled();
  expect(await leasesRecorded()).toBe(1);

  fs.fill();
  await lease.release();
  await pool.settled();
  expect(await leasesRecorded()).toBe(1); // could not be written

  fs.free();
  await waitUntil(async () => (await leasesRecorded()) === 0);
});
