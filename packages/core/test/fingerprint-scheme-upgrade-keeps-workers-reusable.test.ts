import { readFile, writeFile } from "node:fs/promises";
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
  await registry.mutate((draft) => {
    draft.remove((r) => r.id === older.id);
    draft.upsert(older);
  });

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
  await new DeviceRegistry({ path }).upsert({ ...lease.worker, fingerprintScheme: FINGERPRINT_SCHEME + 1 });
  const before = await readFile(path, "utf8");

  const pool = new WorkerPool({ backend: modelWorkerBackend(), registry: path, plugins: [new SameModelTestPolicy()] });
  const decision = await pool.explain(request);

  expect(decision.outcome).toBe("spawned");
  expect(decision.considered[0]?.verdict.reason).toMatch(/scheme 2, newer than this modelpool's 1/);
  expect(await readFile(path, "utf8")).toBe(before);
  await writeFile(path, before);
});
