import { setTimeout as sleep } from "node:timers/promises";
import { checkRecordedProcess, type RecordedProcess } from "./recorded-process.js";
import { signalRecordedWorker } from "./signal-gate.js";
import { readWorkerSession } from "./worker-session.js";

/**
 * - `stopped`: signalled, and seen to exit.
 * - `already-gone`: nothing of the worker was running; nothing was signalled.
 * - `not-the-recorded-process`: the pid (or session) now belongs to another process; nothing was signalled.
 * - `protected`: pid ≤ 1, this process, an ancestor or its own group; nothing was signalled.
 * - `still-running`: signalled with SIGKILL, yet still there when the wait for its exit ended.
 */
export type TerminateOutcome = "stopped" | "already-gone" | "not-the-recorded-process" | "protected" | "still-running";
/** @deprecated The outcome alone; `terminateRecordedProcess` now resolves to a `TerminateReport`. */
export type TerminateResult = TerminateOutcome;

/** What stopping a recorded worker did, and why. */
export type TerminateReport = {
  readonly outcome: TerminateOutcome;
  readonly reason: string;
  /** Every process that was signalled, with the signals it got, in order. */
  readonly signalled: readonly { readonly pid: number; readonly signals: readonly NodeJS.Signals[] }[];
};

/** How long, after SIGKILL, to wait for the exit before reporting `still-running`. */
const KILL_CONFIRM_MS = 5_000;

/**
 * Stops a recorded worker: SIGTERM, then SIGKILL after `graceMs` (at once when it is 0), then waits for
 * the exit. Everything goes through the signal gate, so a pid that is not the recorded process, pid ≤ 1,
 * this process and its group are never signalled. A worker recorded as leading its own session is stopped whole: what it started goes
 * too, even if the worker itself has already exited.
 */
export async function terminateRecordedProcess(recorded: RecordedProcess, graceMs = 5_000): Promise<TerminateReport> {
  const worker = new StoppingWorker(recorded);
  const signalled = new Map<number, NodeJS.Signals[]>();
  const note = (pids: readonly number[], signal: NodeJS.Signals) => {
    for (const pid of pids) signalled.set(pid, [...(signalled.get(pid) ?? []), signal]);
  };
  const report = (outcome: TerminateOutcome, reason: string): TerminateReport => ({
    outcome,
    reason,
    signalled: [...signalled].map(([pid, signals]) => ({ pid, signals })),
  });

  // Proven once more before the first signal: processes started since the record stay provably the worker's
  // even if the leader is the first to exit.
  worker.isRunning();
  // No grace: SIGKILL at once (a failed spawn has nothing to save).
  const first = graceMs > 0 ? "SIGTERM" : "SIGKILL";
  const sent = signalRecordedWorker(worker.recorded, first);
  if (!sent.sent) return report(sent.why === "gone" ? "already-gone" : sent.why, sent.reason);
  note(sent.pids, first);
  if (first === "SIGKILL") {
    if (await worker.exitedWithin(KILL_CONFIRM_MS)) return report("stopped", `SIGKILL: ${sent.how}`);
  } else {
    if (await worker.exitedWithin(graceMs)) return report("stopped", `SIGTERM: ${sent.how}`);
    const kill = signalRecordedWorker(worker.recorded, "SIGKILL");
    if (kill.sent) note(kill.pids, "SIGKILL");
    if (await worker.exitedWithin(KILL_CONFIRM_MS)) {
      return report("stopped", kill.sent ? `SIGKILL after ${graceMs} ms: ${kill.how}` : `SIGTERM: ${sent.how}`);
    }
  }
  return report("still-running", `still running ${KILL_CONFIRM_MS} ms after SIGKILL`);
}

/**
 * A worker being stopped. Each time its session is proven its own, `verifiedAt` moves to that moment, so
 * processes it started after it was recorded stay provably its own once its leader has exited mid-stop.
 */
class StoppingWorker {
  recorded: RecordedProcess;

  constructor(recorded: RecordedProcess) {
    this.recorded = recorded;
  }

  /** Polls until nothing of the worker runs (a session: none of its processes), for at most `ms`. */
  async exitedWithin(ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    for (;;) {
      if (!this.isRunning()) return true;
      if (performance.now() >= deadline) return false;
      await sleep(this.recorded.pidSession ? 50 : 20);
    }
  }

  /** Whether anything of the worker runs; moves `verifiedAt` forward when its session is proven its own. */
  isRunning(): boolean {
    if (this.recorded.pidSession === undefined || process.platform !== "linux") {
      return checkRecordedProcess(this.recorded).ok;
    }
    const session = readWorkerSession(this.recorded);
    if (!session.ours) return false;
    this.recorded = { ...this.recorded, pidSession: { verifiedAt: session.verifiedAt } };
    return session.members.some((member) => !member.zombie);
  }
}
