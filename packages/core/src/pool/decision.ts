import type { WorkerRecord } from "../schema/worker-record.js";
import { type ConsideredCandidate, type Decision, DecisionCode } from "./hooks.js";

/** The decision when a candidate passed the gate. */
export function reusedDecision(
  workerId: string,
  chosen: ConsideredCandidate,
  considered: readonly ConsideredCandidate[],
  dryRun: boolean,
): Decision {
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
): Decision {
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
export function forcedDecision(workerId: string, worker: WorkerRecord | undefined): Decision {
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
