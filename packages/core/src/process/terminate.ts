import { setTimeout as sleep } from "node:timers/promises";
import { checkRecordedProcess } from "./recorded-process.js";

export type TerminateResult = "stopped" | "already-gone" | "not-the-recorded-process";

/**
 * Stops a recorded worker: SIGTERM to its process group (workers are spawned as group leaders, so their
 * own children go too), then SIGKILL after `graceMs`. Never signals a pid that is not the recorded process.
 */
export async function terminateRecordedProcess(
  recorded: { pid: number; pidStart?: string | undefined; startedAt: number },
  graceMs = 5_000,
): Promise<TerminateResult> {
  const check = checkRecordedProcess(recorded);
  if (!check.ok) return /not running|zombie/.test(check.reason) ? "already-gone" : "not-the-recorded-process";
  signalGroup(recorded.pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!checkRecordedProcess(recorded).ok) return "stopped";
    await sleep(20);
  }
  signalGroup(recorded.pid, "SIGKILL");
  for (let i = 0; i < 100 && checkRecordedProcess(recorded).ok; i++) await sleep(20);
  return "stopped";
}

/** Signals the process group led by `pid`, or just `pid` when it leads none. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
    return;
  } catch {
    // not a group leader (a worker someone else spawned without its own group): signal the process alone
  }
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
