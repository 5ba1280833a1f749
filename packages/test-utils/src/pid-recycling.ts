import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { identityToRecord, type RecordedProcess } from "@modelpool/core";
import { onTestFinished } from "vitest";

/** Where the kernel keeps the last pid it handed out in this pid namespace: writing it picks the next pid. */
export const NS_LAST_PID = "/proc/sys/kernel/ns_last_pid";

/** Forcing a pid's reuse needs a writable ns_last_pid (CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE in the pid namespace). */
export function canForceRecycle(): boolean {
  try {
    writeFileSync(NS_LAST_PID, readFileSync(NS_LAST_PID, "latin1"));
    return true;
  } catch {
    return false;
  }
}

/** A process in its own session and group, killed when the test ends if it still runs. */
export function startDetached(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { detached: true, stdio: "ignore" });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return child;
}

/**
 * Records a detached worker as the pool does (pid, start time, executable, session), kills it, and starts
 * `command` with the kernel's next pid set to the worker's: resolves to the record and the stranger now
 * holding that pid, or undefined when another process on the machine took it first (try again).
 */
export async function recordThenRecycle(
  command: string,
  args: string[],
): Promise<{ recorded: RecordedProcess; stranger: ChildProcess } | undefined> {
  const worker = startDetached("sleep", ["30"]);
  const pid = worker.pid as number;
  const recorded = { pid, startedAt: Date.now(), ...identityToRecord(pid) };
  worker.kill("SIGKILL");
  await once(worker, "exit");
  writeFileSync(NS_LAST_PID, String(pid - 1));
  const stranger = startDetached(command, args);
  return stranger.pid === pid ? { recorded, stranger } : undefined;
}
