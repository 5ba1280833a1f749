import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DeviceRegistry, WorkerPool } from "@modelpool/core";
import { modelWorkerBackend, SameModelTestPolicy, tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const request = { workerId: "docs", fingerprint: { resolvedModel: "m1" } };

/** The orchestrator's own version-1 file, as it writes it beside modelpool's records. */
async function writeOrchestratorFile(path: string, workers: { pid: number; startedAt: number }[]): Promise<void> {
  const entries = workers.map(({ pid, startedAt }) => ({
    kind: "worker",
    workerId: "docs",
    pid,
    status: "ready",
    startedAt,
    updatedAt: startedAt,
    model: "m1",
  }));
  await writeFile(path, JSON.stringify({ version: 1, updatedAt: Date.now(), entries }));
}

test("a legacy entry with the pid and process start of a record is the same worker: one candidate, the record", async () => {
  const path = await tempRegistryPath();
  const legacy = join(await tempDir(), "orchestrator-device-registry.json");
  const registry = new DeviceRegistry({ path, legacySources: [legacy] });
  const spawner = new WorkerPool({ backend: modelWorkerBackend(), registry, plugins: [new SameModelTestPolicy()] });
  const other = new WorkerPool({ backend: modelWorkerBackend(), registry, plugins: [new SameModelTestPolicy()] });
  try {
    const a = await spawner.getOrSpawn(request);
    const b = await spawner.getOrSpawn({ ...request, forceNew: true });
    await a.release();
    await b.release();
    // The orchestrator recorded the first worker itself too (no start-time token: the live process's start tells).
    await writeOrchestratorFile(legacy, [{ pid: a.worker.pid, startedAt: a.worker.startedAt }]);

    const records = (await registry.lookup("docs")).records;
    expect(records.map((r) => r.id).sort()).toEqual([a.worker.id, b.worker.id].sort());
    expect((await registry.scan()).records.map((r) => r.id).sort()).toEqual([a.worker.id, b.worker.id].sort());

    const decision = await other.explain(request);
    expect(decision.considered.map((c) => c.candidate.id).sort()).toEqual([a.worker.id, b.worker.id].sort());
    const lease = await other.getOrSpawn(request);
    expect([a.worker.id, b.worker.id]).toContain(lease.worker.id); // never the legacy id
    await lease.release();
  } finally {
    await other.close();
    await spawner.stopAll();
  }
});

test("a legacy entry of another process stays a candidate of its own", async () => {
  const path = await tempRegistryPath();
  const legacy = join(await tempDir(), "orchestrator-device-registry.json");
  const registry = new DeviceRegistry({ path, legacySources: [legacy] });
  const pool = new WorkerPool({ backend: modelWorkerBackend(), registry, plugins: [new SameModelTestPolicy()] });
  try {
    const lease = await pool.getOrSpawn(request);
    await lease.release();
    // This test process is alive, but it is not the record's process.
    await writeOrchestratorFile(legacy, [{ pid: process.pid, startedAt: Date.now() }]);

    const ids = (await registry.lookup("docs")).records.map((r) => r.id);
    expect(ids).toHaveLength(2);
    expect(ids).toContain(lease.worker.id);
  } finally {
    await pool.stopAll();
  }
});
