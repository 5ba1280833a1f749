import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DeviceRegistry, FINGERPRINT_SCHEME, WorkerPool } from "@modelpool/core";
import { modelWorkerBackend, SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const request = { workerId: "docs", fingerprint: { resolvedModel: "m" } };

test("workers recorded before the scheme was recorded (or by an older scheme) stay reusable after an upgrade", async () => {
  const path = await tempRegistryPath();
  const spawner = testPool({ registry: path });
  const lease = await spawner.getOrSpawn(request);
  await spawner.settled();
  expect(lease.worker.fingerprintScheme).toBe(FINGERPRINT_SCHEME);
  // As an older modelpool wrote it: no fingerprintScheme at all.
  const { fingerprintScheme: _scheme, ...older } = lease.worker;
  const registry = new DeviceRegistry({ path });
  await registry.put(older);
  expect((await registry.lookup("docs")).records[0]).not.toHaveProperty("fingerprintScheme");

  const upgraded = new WorkerPool({
    backend: modelWorkerBackend(),
    registry: path,
    plugins: [new SameModelTestPolicy()],
  });
  const reused = await upgraded.getOrSpawn(request);

  expect(reused.decision.outcome).toBe("reused");
  expect(reused.worker.pid).toBe(lease.worker.pid);
});

test("a worker recorded under a newer scheme is not judged by rules that do not know it, and its entry is left alone", async () => {
  const path = await tempRegistryPath();
  const spawner = testPool({ registry: path });
  const lease = await spawner.getOrSpawn(request);
  await spawner.settled();
  await new DeviceRegistry({ path }).put({ ...lease.worker, fingerprintScheme: FINGERPRINT_SCHEME + 1 });
  const recordFile = join(path, "workers", "docs", `${lease.worker.id}.json`);
  const before = await readFile(recordFile, "utf8");

  const pool = new WorkerPool({ backend: modelWorkerBackend(), registry: path, plugins: [new SameModelTestPolicy()] });
  const decision = await pool.explain(request);

  expect(decision.outcome).toBe("spawned");
  expect(decision.considered[0]?.verdict.reason).toMatch(/scheme 2, newer than this modelpool's 1/);
  expect(await readFile(recordFile, "utf8")).toBe(before);
});
