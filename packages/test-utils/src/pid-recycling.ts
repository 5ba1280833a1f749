import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
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
