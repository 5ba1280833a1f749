import { DeviceRegistry } from "@modelpool/core";
import { isRunning, SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const request = (workerId: string) => ({ workerId, fingerprint: { resolvedModel: `model-${workerId}` } });

test("a run under maxWorkersPerDevice 1 after a run that left 3 idle workers stops them to make room, and starts one worker", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const earlier = testPool({ registry: path, plugins: [new SameModelTestPolicy()], maxWorkersPerDevice: 3 });
  const left = [];
  for (const workerId of ["a", "b", "c"]) {
    const lease = await earlier.getOrSpawn(request(workerId));
    await lease.release();
    left.push(lease.worker.pid);
  }
  await earlier.close(); // its workers stay running, idle

  const later = testPool({ registry: path, plugins: [new SameModelTestPolicy()], maxWorkersPerDevice: 1 });
  const lease = await later.getOrSpawn(request("d"));

  expect(lease.decision.outcome).toBe("spawned");
  expect(left.filter((pid) => isRunning(pid))).toEqual([]);
  const running = (await new DeviceRegistry({ path }).list()).filter((record) => isRunning(record.pid));
  expect(running.map((record) => record.workerId)).toEqual(["d"]);
  expect(later.stats().stops.capacity).toBe(3);
});
