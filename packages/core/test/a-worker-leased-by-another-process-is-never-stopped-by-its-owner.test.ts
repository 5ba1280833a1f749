import { DeviceRegistry } from "@modelpool/core";
import { isRunning, SameModelTestPolicy, tempRegistryPath, testPool, waitUntil } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { startRequester } from "./fixtures/requester.js";

test("stopAll() leaves a worker another live process holds draining, and it is stopped once that process lets go", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const owner = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const spawned = await owner.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  await spawned.release();

  const holder = await startRequester(path);
  const held = await holder.ask("docs", "m");
  expect(held).toMatchObject({ outcome: "reused", pid: spawned.worker.pid });

  await owner.stopAll();
  expect(isRunning(spawned.worker.pid)).toBe(true);
  const [record] = await new DeviceRegistry({ path }).list();
  expect(record).toMatchObject({ id: spawned.worker.id, draining: true });

  // The holder's session ends; any pool sweeping afterwards stops the drained worker.
  await holder.exit();
  const sweeper = testPool({ registry: path });
  await sweeper.sweep();
  await waitUntil(() => !isRunning(spawned.worker.pid));
  expect(await new DeviceRegistry({ path }).list()).toEqual([]);
});
