import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CapacityError, DeviceRegistry, WorkerPool } from "@modelpool/core";
import { modelWorkerBackend, SameModelTestPolicy, tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

/** A modelpool-0.1-era (version 1) file naming `pid` as a ready worker of `workerId`, started when it did. */
async function legacyFileNaming(pid: number, workerId: string, startedAt: number): Promise<string> {
  const path = join(await tempDir(), "orchestrator-device-registry.json");
  const entry = { kind: "worker", workerId, pid, status: "ready", startedAt, updatedAt: startedAt };
  await writeFile(path, JSON.stringify({ version: 1, updatedAt: startedAt, entries: [entry] }));
  return path;
}

/** Counts timer callbacks while `work` runs: a loop that never yields to the event loop starves them. */
async function timerTicksDuring(work: Promise<unknown>): Promise<number> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  try {
    await work.catch(() => undefined);
  } finally {
    clearInterval(timer);
  }
  return ticks;
}

for (const [name, pid, startedAt] of [
  ["this very process", process.pid, Date.now() - process.uptime() * 1000],
  ["pid 1", 1, undefined],
] as const) {
  test(`a legacy record naming ${name} at maxWorkersPerDevice is skipped as a victim: the request ends with CapacityError after capacityTimeoutMs, timers running meanwhile`, {
    timeout: 60_000,
  }, async ({ skip }) => {
    let start = startedAt;
    if (start === undefined) {
      // pid 1's start time is the boot time plus a little; read it like any other process's.
      const { readLiveProcess } = await import("@modelpool/core");
      const live = readLiveProcess(1);
      if (!live.running || live.startedAtMs === undefined) skip("pid 1 is not readable here");
      start = (live as { startedAtMs: number }).startedAtMs;
    }
    const legacy = await legacyFileNaming(pid, "docs", start);
    const registry = new DeviceRegistry({ path: await tempRegistryPath(), legacySources: [legacy] });
    expect((await registry.lookup("docs")).records).toHaveLength(1);
    const pool = new WorkerPool({
      backend: modelWorkerBackend(),
      registry,
      plugins: [new SameModelTestPolicy()],
      maxWorkersPerDevice: 1,
      capacityTimeoutMs: 300,
    });
    try {
      const request = pool.getOrSpawn({ workerId: "other", fingerprint: { resolvedModel: "m" } });
      const ticks = await timerTicksDuring(request);
      await expect(request).rejects.toBeInstanceOf(CapacityError);
      expect(ticks).toBeGreaterThan(0);
    } finally {
      await pool.stopAll();
    }
  });
}

test("a request waiting on an unstoppable victim ends when its signal aborts", { timeout: 60_000 }, async () => {
  const legacy = await legacyFileNaming(process.pid, "docs", Date.now() - process.uptime() * 1000);
  const registry = new DeviceRegistry({ path: await tempRegistryPath(), legacySources: [legacy] });
  const pool = new WorkerPool({
    backend: modelWorkerBackend(),
    registry,
    plugins: [new SameModelTestPolicy()],
    maxWorkersPerDevice: 1,
    capacityTimeoutMs: 600_000,
  });
  try {
    const controller = new AbortController();
    const request = pool.getOrSpawn({
      workerId: "other",
      fingerprint: { resolvedModel: "m" },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("the caller gave up")), 200);
    await expect(request).rejects.toThrow("the caller gave up");
  } finally {
    await pool.stopAll();
  }
});
