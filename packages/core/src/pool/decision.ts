import { performance } from "node:perf_hooks";
import type { WorkerRecord } from "../schema/worker-record.js";
import { type ConsideredCandidate, type Decision, DecisionCode, type DecisionTimings } from "./hooks.js";

/** A decision before its time is known. */
export type UntimedDecision = Omit<Decision, "durationMs" | "timings">;

/**
 * Times the stages of one decision: `measure` adds the time of a piece of work to a stage, `finish`
 * stamps the decision with the stages and the time since the clock was made.
 */
export class DecisionClock {
  readonly #start = performance.now();
  readonly #stages = { candidatesMs: 0, policiesMs: 0, probeMs: 0, spawnMs: 0 };

  async measure<T>(stage: keyof DecisionTimings, work: Promise<T> | (() => Promise<T>)): Promise<T> {
    const started = performance.now();
    try {
      return await (typeof work === "function" ? work() : work);
    } finally {
      this.#stages[stage] += performance.now() - started;
    }
  }

  now(): number {
    return performance.now();
  }

  /** Adds the time since `since` to a stage; returns now, where the next stage starts. */
  add(stage: keyof DecisionTimings, since: number): number {
    const now = performance.now();
    this.#stages[stage] += now - since;
    return now;
  }

  finish(decision: UntimedDecision): Decision {
    return { ...decision, durationMs: performance.now() - this.#start, timings: Object.freeze({ ...this.#stages }) };
  }
}

/** The decision when a candidate passed the gate. */
export function reusedDecision(
  workerId: string,
  chosen: ConsideredCandidate,
  considered: readonly ConsideredCandidate[],
  dryRun: boolean,
): UntimedDecision {
  const { candidate, source, verdict } = chosen;
  return {
    outcome: "reused",
    code: DecisionCode.REUSED,
    reason: `${dryRun ? "would reuse" : "reused"} ${source} worker ${candidate.id} (pid ${candidate.pid}): ${verdict.reason}`,
    workerId,
    considered,
    worker: candidate,
    shared: false,
    dryRun,
  };
}

/** The decision when no candidate passed the gate and a worker was (or would be) spawned. */
export function spawnedDecision(
  workerId: string,
  considered: readonly ConsideredCandidate[],
  spawn: { worker: WorkerRecord; shared: boolean; sharedFrom?: { pid: number } | undefined } | undefined,
): UntimedDecision {
  const dryRun = spawn === undefined;
  const code = spawn?.shared
    ? DecisionCode.SPAWN_SHARED
    : considered.length === 0
      ? DecisionCode.SPAWNED_NO_CANDIDATE
      : DecisionCode.SPAWNED_ALL_REFUSED;
  const reason = spawn?.shared
    ? `shared the spawn of worker ${spawn.worker.id} started for the same fingerprint${spawn.sharedFrom ? ` by process ${spawn.sharedFrom.pid}` : ""}`
    : `${dryRun ? "would spawn: " : ""}${spawnReason(workerId, considered)}`;
  return {
    outcome: "spawned",
    code,
    reason,
    workerId,
    considered,
    ...(spawn ? { worker: spawn.worker } : {}),
    shared: spawn?.shared ?? false,
    dryRun,
  };
}

/** The decision for `forceNew`: no candidate looked at, no canReuse tap called. */
export function forcedDecision(workerId: string, worker: WorkerRecord | undefined): UntimedDecision {
  return {
    outcome: "forced",
    code: DecisionCode.FORCED,
    reason: `forceNew: ${worker ? "spawned" : "would spawn"} a new worker without consulting canReuse`,
    workerId,
    considered: [],
    ...(worker ? { worker } : {}),
    shared: false,
    dryRun: worker === undefined,
  };
}

function spawnReason(workerId: string, considered: readonly ConsideredCandidate[]): string {
  if (considered.length === 0) return `no running worker "${workerId}"`;
  const reasons = considered.map(
    ({ candidate, verdict }) => `${candidate.id} (pid ${candidate.pid}): ${verdict.reason}`,
  );
  return `${considered.length} candidate${considered.length === 1 ? "" : "s"} rejected: ${reasons.join("; ")}`;
}
