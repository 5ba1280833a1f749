import type { ChildProcess } from "node:child_process";
import { type RecordedProcess, readLiveProcess, terminateRecordedProcess } from "@modelpool/core";
import { canForceRecycle, isRunning, recordThenRecycle } from "@modelpool/test-utils";
import { expect, onTestFinished, test, vi } from "vitest";

/**
 * Records a worker (as the pool does), lets it exit, and has another program take its pid. Prefers a recycle
 * within the same clock tick, so that the start time alone cannot tell the two apart.
 */
async function recordThenRecycleInOneTick(): Promise<{
  recorded: RecordedProcess;
  stranger: ChildProcess;
  sameTick: boolean;
}> {
  let fallback: { recorded: RecordedProcess; stranger: ChildProcess; sameTick: boolean } | undefined;
  for (let attempt = 0; attempt < 20; attempt++) {
    const recycled = await recordThenRecycle("tail", ["-f", "/dev/null"]);
    if (!recycled) continue;
    const live = readLiveProcess(recycled.recorded.pid);
    const sameTick = live.running && live.start === recycled.recorded.pidStart;
    if (sameTick) return { ...recycled, sameTick };
    fallback ??= { ...recycled, sameTick };
  }
  if (!fallback) throw new Error("could not get a pid recycled in 20 attempts");
  return fallback;
}

test.skipIf(process.platform !== "linux" || !canForceRecycle())(
  "a recycled pid is never killed, even when it started in the same clock tick (skipped where ns_last_pid is not writable)",
  async () => {
    const { recorded, stranger, sameTick } = await recordThenRecycleInOneTick();
    const realKill = process.kill.bind(process);
    const sentToStranger: number[] = [];
    vi.spyOn(process, "kill").mockImplementation((pid, signal) => {
      if (Math.abs(pid) === stranger.pid && signal !== 0) sentToStranger.push(pid);
      return realKill(pid, signal);
    });
    onTestFinished(() => {
      vi.restoreAllMocks();
    });

    const report = await terminateRecordedProcess(recorded, 100);

    expect(sentToStranger).toEqual([]);
    expect(isRunning(stranger.pid as number)).toBe(true);
    expect(report.outcome).toBe("not-the-recorded-process");
    expect(report.reason).toMatch(sameTick ? /runs .*tail/ : /recycled/);
  },
);
