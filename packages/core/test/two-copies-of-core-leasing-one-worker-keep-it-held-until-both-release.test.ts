import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as thisCopy from "@modelpool/core";
import {
  isRunning,
  modelWorkerBackend,
  runNodeScript,
  SameModelTestPolicy,
  stopRecordedWorkersAfterTest,
  tempRegistryPath,
  testPool,
} from "@modelpool/test-utils";
import { expect, test } from "vitest";

// The built dist is a second copy of core (tests import the sources), as when an application and a
// plugin each end up with their own installed @modelpool/core: one process, two lease books.
const DIST = new URL("../dist/index.js", import.meta.url);

// Both copies write this process's one lease entry (same pid and start token, hence the same entry name)
// from their own process-wide count. The copy that releases last must not make the worker look unleased
// while the other copy still holds it: another process would evict or stop it under that lease.
test("two copies of core leasing one worker in one process keep it held until both have released", {
  timeout: 60_000,
}, async () => {
  if (!existsSync(fileURLToPath(DIST))) throw new Error("packages/core/dist is missing: run `npm run build` first");
  const otherCopy = (await import(DIST.href)) as typeof thisCopy;
  expect(otherCopy.WorkerPool).not.toBe(thisCopy.WorkerPool);
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  const request = { workerId: "docs", fingerprint: { resolvedModel: "m" } };

  const a = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const held = await a.getOrSpawn(request);
  await a.settled();

  const b = new otherCopy.WorkerPool({
    backend: modelWorkerBackend(),
    registry: path,
    plugins: [new SameModelTestPolicy()],
  });
  const brief = await b.getOrSpawn(request);
  expect(brief.worker.id).toBe(held.worker.id);
  await brief.release();
  await b.settled();

  // `held` is still leased: every other process must see a lease on the worker.
  const [record] = await new thisCopy.DeviceRegistry({ path, legacySources: false }).list();
  expect.soft(thisCopy.leaseUsage(record as thisCopy.WorkerRecord).leases).toBeGreaterThan(0);

  // Another process at its device limit makes room by evicting an idle worker: never this one.
  const { stdout } = await runNodeScript(new URL("./fixtures/request-worker-at-capacity.ts", import.meta.url), [
    path,
    "other",
    "m2",
    "1",
  ]);
  expect.soft(JSON.parse(stdout)).toMatchObject({ error: expect.stringMatching(/capacity/i) });
  expect(isRunning(held.worker.pid)).toBe(true);
  await held.release();
});
