import { DeviceRegistry, WorkerPool } from "@modelpool/core";
import {
  modelWorkerBackend,
  SameModelTestPolicy,
  startStandInProcess,
  tempRegistryPath,
  testPool,
} from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("a registry worker whose URL is not loopback is not reused while allowRemoteUrls is off (the default)", async () => {
  const path = await tempRegistryPath();
  const now = Date.now();
  const self = startStandInProcess(); // a live, verifiable process stands in for the worker
  await new DeviceRegistry({ path }).upsert({
    kind: "worker",
    id: "remote",
    workerId: "docs",
    pid: self.pid,
    ...(self.start ? { pidStart: self.start } : {}),
    fingerprint: { resolvedModel: "m", modelPolicy: "dynamic" },
    status: "ready",
    url: "http://203.0.113.7:4096",
    startedAt: now,
    updatedAt: now,
  });
  const pool = new WorkerPool({ backend: modelWorkerBackend(), registry: path, plugins: [new SameModelTestPolicy()] });

  const decision = await pool.explain({ workerId: "docs", fingerprint: { resolvedModel: "m" } });

  expect(decision.outcome).toBe("spawned");
  expect(decision.considered[0]?.verdict.reason).toMatch(/not on this machine/);
});

test("a worker whose live model differs from its registry entry is not reused", async () => {
  const path = await tempRegistryPath();
  const spawner = testPool({ registry: path });
  const lease = await spawner.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "real-model" } });
  // Another orchestrator's registry entry claims it runs "recorded-model".
  const registry = new DeviceRegistry({ path });
  await registry.upsert({ ...lease.worker, fingerprint: { resolvedModel: "recorded-model", modelPolicy: "dynamic" } });
  const pool = new WorkerPool({ backend: modelWorkerBackend(), registry: path, plugins: [new SameModelTestPolicy()] });

  const decision = await pool.explain({ workerId: "docs", fingerprint: { resolvedModel: "recorded-model" } });

  expect(decision.outcome).toBe("spawned");
  expect(decision.considered[0]?.verdict.reason).toMatch(/live model is real-model/);
});
