import { spawn } from "node:child_process";
import { DeviceRegistry, readLiveProcess, type WorkerRecord } from "@modelpool/core";
import { SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const request = { workerId: "docs", fingerprint: { resolvedModel: "m" } };

function recordFor(pid: number, extra: Partial<WorkerRecord> = {}): WorkerRecord {
  const now = Date.now();
  return {
    kind: "worker",
    id: `entry-${pid}`,
    workerId: "docs",
    pid,
    fingerprint: { resolvedModel: "m", modelPolicy: "dynamic" },
    status: "ready",
    url: "http://127.0.0.1:9",
    startedAt: now,
    updatedAt: now,
    ...extra,
  };
}

/** A live process that is certainly not a model worker. */
function bystander(): number {
  const child = spawn("sleep", ["30"], { stdio: "ignore" });
  return child.pid as number;
}

test("a registry entry whose process has exited is not reused", async () => {
  const path = await tempRegistryPath();
  const gone = spawn("true");
  await new Promise((resolve) => gone.once("exit", resolve));
  await new DeviceRegistry({ path }).upsert(recordFor(gone.pid as number));
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });

  const lease = await pool.getOrSpawn(request);

  expect(lease.decision.outcome).toBe("spawned");
  expect(lease.decision.considered[0]?.verdict.reason).toMatch(/is not running/);
});

test("a live pid whose start time differs from the recorded one (recycled) is not reused", async () => {
  const path = await tempRegistryPath();
  const pid = bystander();
  await new DeviceRegistry({ path }).upsert(recordFor(pid, { pidStart: "linux:another-boot:12345" }));
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });

  const lease = await pool.getOrSpawn(request);

  expect(lease.worker.pid).not.toBe(pid);
  expect(lease.decision.considered[0]?.verdict.reason).toMatch(/recycled/);
  process.kill(pid);
});

test("a legacy entry (no start time) is not its process when the process started long after the entry", async () => {
  const path = await tempRegistryPath();
  const pid = bystander();
  await new DeviceRegistry({ path }).upsert(recordFor(pid, { startedAt: Date.now() - 3_600_000 }));
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });

  const lease = await pool.getOrSpawn(request);

  expect(lease.worker.pid).not.toBe(pid);
  expect(lease.decision.considered[0]?.verdict.reason).toMatch(/after the entry was recorded/);
  process.kill(pid);
});

test("the recorded start time of a live process is what identifies it", () => {
  const pid = bystander();
  const live = readLiveProcess(pid);
  expect(live.running && live.start).toMatch(/^linux:/);
  expect(readLiveProcess(pid)).toEqual(live);
  process.kill(pid);
});

test("a process seen alive and then exited is seen as gone (the cached /proc handle does not outlive it)", async () => {
  const child = spawn("sleep", ["30"], { stdio: "ignore" });
  const pid = child.pid as number;
  expect(readLiveProcess(pid).running).toBe(true);

  child.kill("SIGKILL");
  await new Promise((resolve) => child.once("exit", resolve));

  expect(readLiveProcess(pid).running).toBe(false);
});
