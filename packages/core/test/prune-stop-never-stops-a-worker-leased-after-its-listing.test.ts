import { DeviceRegistry, stopAbandonedWorkers } from "@modelpool/core";
import {
  isRunning,
  runNodeScript,
  SameModelTestPolicy,
  stopRecordedWorkersAfterTest,
  tempRegistryPath,
  testPool,
} from "@modelpool/test-utils";
import { expect, test } from "vitest";

// `modelpool prune --stop` lists the registry, then stops each abandoned worker (owner gone, no live
// lease) in turn — a signal and a grace period each. A worker whose owner is gone is still reusable, and a
// process may lease it after the listing, before its turn comes: it must then be left running, as a stop
// through `update` would (write "stopped", then read the lease entries). Here the lease lands between
// the listing and the loop, as it does while the loop is busy stopping the workers listed before it.
test("prune --stop never stops a worker leased after its listing", { timeout: 60_000 }, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  // A process spawns a worker and exits: the worker runs on, its owner gone.
  await runNodeScript(new URL("./fixtures/request-worker.ts", import.meta.url), [path, "docs", "m"]);
  const registry = new DeviceRegistry({ path, legacySources: false });
  const listed = await registry.list();
  expect(listed).toHaveLength(1);

  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  expect(lease.decision.outcome).toBe("reused");
  await pool.settled();

  const stopped = await stopAbandonedWorkers(registry, listed);
  expect.soft(stopped.map(({ reason }) => reason)).toEqual([]);
  expect(isRunning(lease.worker.pid)).toBe(true);
});
