import { hasModelpoolCode, ModelpoolError } from "./ModelpoolError.js";

/**
 * `not-recorded`: the stop could not be announced in the registry (full, read-only, unreachable), so no
 * process's lease on the worker could be ruled out: nothing was signalled. `still-running`: signalled,
 * and still there. `refused`: the recorded pid is one modelpool never signals (pid ≤ 1, this process,
 * its group). Either way the worker is still the pool's, and a later `stop()` tries again.
 */
export type StopFailure = "not-recorded" | "still-running" | "refused";

/** A worker could not be stopped; it was not reported stopped and the pool keeps it. */
export class StopError extends ModelpoolError {
  override name = "StopError" as const;
  readonly workerId: string;
  readonly id: string;
  readonly pid: number;
  readonly failure: StopFailure;

  constructor(
    worker: { workerId: string; id: string; pid: number },
    failure: StopFailure,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super("STOP_FAILED", `could not stop worker ${worker.id} (pid ${worker.pid}): ${message}`, options);
    this.workerId = worker.workerId;
    this.id = worker.id;
    this.pid = worker.pid;
    this.failure = failure;
  }
}

export function isStopError(value: unknown): value is StopError {
  return hasModelpoolCode(value, "STOP_FAILED");
}
