import { hasModelpoolCode, ModelpoolError } from "./ModelpoolError.js";

/**
 * `pool.adopt()` refused a process: not running, a zombie, its start time unreadable, or one this process
 * must never signal (pid ≤ 1, itself, an ancestor, a leader of its own group or session). Nothing was recorded.
 */
export class AdoptRefusedError extends ModelpoolError {
  override name = "AdoptRefusedError" as const;
  readonly workerId: string;
  readonly pid: number;

  constructor(workerId: string, pid: number, reason: string) {
    super("ADOPT_REFUSED", `cannot adopt pid ${pid} as worker ${JSON.stringify(workerId)}: ${reason}`);
    this.workerId = workerId;
    this.pid = pid;
  }
}

export function isAdoptRefusedError(value: unknown): value is AdoptRefusedError {
  return hasModelpoolCode(value, "ADOPT_REFUSED");
}
