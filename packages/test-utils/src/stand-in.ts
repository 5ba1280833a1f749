import { spawn } from "node:child_process";
import { processIdentityOf } from "@modelpool/core";
import { onTestFinished } from "vitest";

/**
 * A live process of this host (`sleep`) to name in a hand-made record as its worker, SIGKILLed when the
 * test ends. Never the test process itself: a pool never takes a record naming its own process (or pid
 * 1) for a worker, so such a record is not even a candidate.
 */
export function startStandInProcess(): { pid: number; start?: string } {
  const child = spawn("sleep", ["600"], { stdio: "ignore" });
  onTestFinished(() => {
    child.kill("SIGKILL");
  });
  const { pid, start } = processIdentityOf(child.pid as number);
  return { pid, ...(start ? { start } : {}) };
}
