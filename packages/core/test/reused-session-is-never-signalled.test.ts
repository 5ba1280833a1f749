import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { type RecordedProcess, terminateRecordedProcess } from "@modelpool/core";
import { canForceRecycle, isRunning, recordThenRecycle, waitUntil } from "@modelpool/test-utils";
import { expect, onTestFinished, test, vi } from "vitest";

/**
 * Records a worker leading its own session, stops it, then has a stranger take its pid, open a session
 * (numbered like the worker's), start a child in it and exit: the stranger's child is left alone in a
 * session with the worker's number. Returns the record and the stranger's child.
 */
async function sessionReusedByAStranger(): Promise<{ recorded: RecordedProcess; strangersChild: number }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const recycled = await recordThenRecycle("sh", ["-c", "sleep 30 & exit 0"]);
    if (!recycled) continue; // another process on the machine took the pid first
    const { recorded, stranger } = recycled;
    await once(stranger, "exit");
    const child = await childInSession(recorded.pid);
    onTestFinished(() => {
      if (isRunning(child)) process.kill(child, "SIGKILL");
    });
    return { recorded, strangersChild: child };
  }
  throw new Error("could not get a pid recycled in 20 attempts");
}

/** The live process whose session is `sid`, once there is one. */
async function childInSession(sid: number): Promise<number> {
  let found: number | undefined;
  await waitUntil(() => {
    found = readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .find((pid) => pid !== sid && sessionOf(pid) === sid && isRunning(pid));
    return found !== undefined;
  });
  return found as number;
}

/** Field 6 of /proc/<pid>/stat, the session id. */
function sessionOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]);
  } catch {
    return undefined;
  }
}

test.skipIf(process.platform !== "linux" || !canForceRecycle())(
  "a worker's session number, reused by a stranger after the worker is gone, is never signalled (skipped where ns_last_pid is not writable)",
  async () => {
    const { recorded, strangersChild } = await sessionReusedByAStranger();
    const realKill = process.kill.bind(process);
    const sent: number[] = [];
    vi.spyOn(process, "kill").mockImplementation((pid, signal) => {
      if (signal !== 0) sent.push(pid);
      return realKill(pid, signal);
    });
    onTestFinished(() => {
      vi.restoreAllMocks();
    });

    const report = await terminateRecordedProcess(recorded, 100);

    expect(sent).toEqual([]);
    expect(isRunning(strangersChild)).toBe(true);
    expect(report.outcome).toBe("not-the-recorded-process");
    expect(report.reason).toMatch(/none provably started by the worker/);
  },
);
