import { readFileSync } from "node:fs";
import {
  processBackend,
  readLiveProcess,
  terminateRecordedProcess,
  type WorkerBackend,
  WorkerPool,
} from "@modelpool/core";
import { afterEach, expect, test, vi } from "vitest";

/** This process's own process group (field 5 of /proc/self/stat). */
const ownGroup = Number(readFileSync("/proc/self/stat", "latin1").split(") ")[1]?.split(" ")[2]);
/** Never really signalled by this test: the spy below only records them. */
const untouchable = new Set([0, 1, -1, process.pid, -process.pid, ownGroup, -ownGroup]);

/** Every real signal (not the signal-0 probe) `process.kill` was asked to send to an untouchable target. */
function observeKill(): Array<[number, string | number | undefined]> {
  const aimedAtUntouchable: Array<[number, string | number | undefined]> = [];
  const realKill = process.kill.bind(process);
  vi.spyOn(process, "kill").mockImplementation((pid, signal) => {
    if (!untouchable.has(pid)) return realKill(pid, signal);
    if (signal !== 0) aimedAtUntouchable.push([pid, signal]);
    return true;
  });
  return aimedAtUntouchable;
}

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * A record of `pid` as the pool writes it for a worker it started: its real start time, and "it leads a
 * session" seen until far in the future. (Our group's leader may have exited, e.g. a shell that started us
 * in the background: then any start time will do, since the group itself is what must stay untouched.)
 */
function recordOf(pid: number) {
  const live = readLiveProcess(pid);
  const start = live.running ? live.start : undefined;
  const pidStart = start ?? (readLiveProcess(process.pid) as { start: string }).start;
  return { pid, pidStart, pidSession: { verifiedAt: `${pidStart}999999999` }, startedAt: Date.now() };
}

test.skipIf(process.platform !== "linux")("pid 1, with its real start time, is never signalled", async () => {
  const sent = observeKill();

  const report = await terminateRecordedProcess(recordOf(1), 50);
  await processBackend({ command: "true", ready: { stdout: /never/ } }).stop?.({
    ...recordOf(1),
    kind: "worker",
    id: "init",
    workerId: "init",
    status: "ready",
    updatedAt: Date.now(),
  });

  expect(sent).toEqual([]);
  expect(report).toMatchObject({ outcome: "protected", signalled: [] });
});

test.skipIf(process.platform !== "linux")("this process is never signalled, nor its group through it", async () => {
  const sent = observeKill();

  const report = await terminateRecordedProcess(recordOf(process.pid), 50);

  expect(sent).toEqual([]);
  expect(report.outcome).toBe("protected");
});

test.skipIf(process.platform !== "linux")("this process's own group is never signalled, nor its leader", async () => {
  const sent = observeKill();

  const report = await terminateRecordedProcess(recordOf(ownGroup), 50);

  expect(sent).toEqual([]);
  expect(report.outcome).toBe("protected");
});

test.skipIf(process.platform !== "linux")(
  "a pool whose backend reports this process as its worker never signals it when stopping",
  async () => {
    const sent = observeKill();
    const inProcess: WorkerBackend = { name: "in-process", spawn: async () => ({ pid: process.pid }) };
    const pool = new WorkerPool({ backend: inProcess, registry: false });
    await pool.getOrSpawn({ workerId: "self", fingerprint: { resolvedModel: "m" } });

    // Never signalled, and never reported stopped either: the stop is refused, and the worker stays the pool's.
    await expect(pool.stopAll()).rejects.toMatchObject({ code: "STOP_FAILED", failure: "refused" });

    expect(sent).toEqual([]);
    expect(pool.workers.map((worker) => worker.pid)).toEqual([process.pid]);
  },
);
