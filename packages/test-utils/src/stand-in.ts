import { spawn } from "node:child_process";
import { processIdentityOf } from "@modelpool/core";
import { onTestFinished } from "vitest";

/** Who the stand-in runs as: this process's user, or (as root) `nobody`, another user's process. */
export type StandInOptions = { asNobody?: boolean };

/**
 * A live process of this host (`sleep`) to name in a hand-made record as its worker, SIGKILLed when the
 * test ends. Never the test process itself: a pool never takes a record naming its own process (or pid
 * 1) for a worker, so such a record is not even a candidate. `asNobody` (root only) makes it another
 * user's process, which no pool may signal.
 */
export function startStandInProcess(options: StandInOptions = {}): { pid: number; start?: string } {
  const user = options.asNobody ? { uid: 65534, gid: 65534 } : {};
  const child = spawn("sleep", ["600"], { stdio: "ignore", ...user });
  onTestFinished(() => {
    child.kill("SIGKILL");
  });
  const { pid, start } = processIdentityOf(child.pid as number);
  return { pid, ...(start ? { start } : {}) };
}
