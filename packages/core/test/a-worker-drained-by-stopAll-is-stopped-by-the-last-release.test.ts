import { DeviceRegistry } from "@modelpool/core";
import { isRunning, SameModelTestPolicy, tempRegistryPath, testPool, waitUntil } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { startRequester } from "./fixtures/requester.js";

const request = { workerId: "docs", fingerprint: { resolvedModel: "m" } };

test("stopAll() while another process holds the worker: once that process releases (and lives on), the worker is stopped and its record removed", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const owner = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const spawned = await owner.getOrSpawn(request);
  await spawned.release();
  const holder = await startRequester(path);
  expect(await holder.ask("docs", "m")).toMatchObject({ outcome: "reused", pid: spawned.worker.pid });

  await owner.stopAll();
  expect(isRunning(spawned.worker.pid)).toBe(true);

  await holder.release();
  await waitUntil(() => !isRunning(spawned.worker.pid), 20_000);
  await waitUntil(async () => (await new DeviceRegistry({ path }).list()).length === 0, 20_000);
  await holder.exit();
});

test("two pools of one process: a stop by one leaves the worker the other holds running (draining), and the other's release stops it", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const first = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const second = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const spawned = await first.getOrSpawn(request);
  await spawned.release();
  const held = await second.getOrSpawn(request);
  expect(held.decision.outcome).toBe("reused");
  expect(held.worker.pid).toBe(spawned.worker.pid);

  await first.stop("docs");
  expect(isRunning(spawned.worker.pid)).toBe(true);

  await held.release();
  await waitUntil(() => !isRunning(spawned.worker.pid), 20_000);
  await waitUntil(async () => (await new DeviceRegistry({ path }).list()).length === 0, 20_000);
});
