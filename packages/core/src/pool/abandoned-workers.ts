import { checkRecordedProcess } from "../process/recorded-process.js";
import { findProcessesOfSpawn } from "../process/spawned-by.js";
import { type TerminateReport, terminateRecordedProcess } from "../process/terminate.js";
import { checkOwner } from "../registry/stale-record.js";
import type { RegistryStore } from "../registry/store/RegistryStore.js";
import type { SpawnClaim } from "../schema/spawn-claim.js";
import type { WorkerRecord } from "../schema/worker-record.js";
import { liveHolders } from "./lease-book.js";

export type StoppedWorker = {
  readonly record: WorkerRecord;
  readonly reason: string;
  readonly report: TerminateReport;
};

/**
 * Why a record's worker is abandoned — its process still runs on this host, but the process that owns it
 * is gone and nobody holds a lease on it — or undefined when it is not. `startsOnly`: only workers whose
 * owner died before they were ready (nobody can ever have used them, nothing will ever record them ready).
 */
export function abandonedReason(
  record: WorkerRecord,
  hostId: string,
  options: { startsOnly?: boolean } = {},
): string | undefined {
  if (record.host !== undefined && record.host !== hostId) return undefined; // only its own host signals it
  if (options.startsOnly ? record.status !== "starting" : record.status === "stopped" || record.status === "error") {
    return undefined;
  }
  if (checkOwner(record).ok) return undefined;
  if (!checkRecordedProcess(record).ok) return undefined;
  if (liveHolders(record).some((holder) => holder.leases > 0)) return undefined;
  return record.status === "starting"
    ? "its spawning process died before it was ready"
    : "its owner is gone and no process holds a lease on it";
}

/**
 * Stops what the spawn behind a claim started, when the claimant died before it could even record its
 * worker (between starting the process and writing its `starting` record): found by the claim's token in
 * the processes' environment. Only on this host, and only when the claimant is provably dead. A process
 * carrying the token that has a record is never signalled here, whatever its status: a recorded worker
 * (ready, leased, perhaps) is stopped only through the store's announced, lease-checked `update`
 * (`stopAbandonedWorkers`, which the takeover runs next for `starting` records). The claimant being dead,
 * nobody can record an unrecorded one any more: what is unrecorded now stays so.
 */
export async function stopSpawnOfDeadClaimant(store: RegistryStore, claim: SpawnClaim): Promise<TerminateReport[]> {
  if (claim.owner.host !== store.hostId) return [];
  const owner = { pid: claim.owner.pid, pidStart: claim.owner.start, startedAt: claim.acquiredAt };
  if (checkRecordedProcess(owner).ok) return [];
  const found = findProcessesOfSpawn(claim.token);
  if (found.length === 0) return [];
  // Its worker is recorded under the claim's workerId, if at all. A record that cannot be read might be it: then nothing is signalled.
  const { records, unreadable } = await store.lookup(claim.workerId);
  if (unreadable.length > 0) return [];
  const recorded = records.filter((record) => record.host === undefined || record.host === store.hostId);
  const reports: TerminateReport[] = [];
  for (const process of found) {
    if (recorded.some((record) => isRecordOf(record, process))) continue;
    reports.push(await terminateRecordedProcess(process));
  }
  return reports;
}

/** Whether a record names this very process (pid and, where both have one, start time). */
function isRecordOf(record: WorkerRecord, process: { pid: number; pidStart?: string | undefined }): boolean {
  return (
    record.pid === process.pid &&
    (record.pidStart === undefined || process.pidStart === undefined || record.pidStart === process.pidStart)
  );
}

/**
 * Stops the abandoned workers among `records` (see `abandonedReason`) and removes their records, saying
 * what was stopped and why. Signals only through `terminateRecordedProcess`, which refuses any process that
 * is not provably the recorded one.
 */
export async function stopAbandonedWorkers(
  store: RegistryStore,
  records: readonly WorkerRecord[],
  options: { startsOnly?: boolean } = {},
): Promise<StoppedWorker[]> {
  const stopped: StoppedWorker[] = [];
  for (const record of records) {
    const reason = abandonedReason(record, store.hostId, options);
    if (reason === undefined) continue;
    // Judged again as one atomic update that marks it stopped, lease entries included: a process that
    // leased it since the listing keeps it (its lease and this stop see each other, see `hold`).
    const marked = await store.update(record, (current) =>
      abandonedReason(current, store.hostId, options) === undefined
        ? undefined
        : { ...current, status: "stopped", updatedAt: Date.now() },
    );
    if (marked?.status !== "stopped") continue;
    const report = await terminateRecordedProcess(record);
    if (report.outcome === "stopped" || report.outcome === "already-gone") await store.remove(record);
    else if (report.outcome === "protected" || report.outcome === "still-running") {
      // Not stopped after all (a pid never signalled, or one that outlived SIGKILL): the record must not say it is.
      await store.update(record, (current) =>
        current.status === "stopped" ? { ...current, status: record.status, updatedAt: Date.now() } : undefined,
      );
    }
    stopped.push({ record, reason, report });
  }
  return stopped;
}
