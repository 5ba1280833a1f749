import { checkRecordLiveness } from "../process/record-liveness.js";
import { checkRecordedProcess, type RecordedProcessCheck } from "../process/recorded-process.js";
import type { WorkerRecord } from "../schema/worker-record.js";

/**
 * Why a record no longer describes something usable, or undefined if it still does. A `starting` record
 * holds while its owner is the recorded live process and it has not expired. Records of another host are
 * judged by their heartbeat, never by a pid of this machine.
 */
export function staleReason(record: WorkerRecord, hostId: string, now: number): string | undefined {
  switch (record.status) {
    case "stopped":
      return "the worker was stopped";
    case "error":
      return `the spawn failed${record.lastError ? `: ${record.lastError}` : ""}`;
    case "starting": {
      // Its spawner died but its worker still runs: removing the record would lose the process. Left for
      // whoever stops it (the next claimant of its spawn, or `modelpool prune --stop`).
      if (isOrphanedStart(record, hostId)) return undefined;
      if (record.claimExpiresAt !== undefined && record.claimExpiresAt < now) return "the spawn claim expired";
      if (record.host !== undefined && record.host !== hostId) {
        const check = checkRecordLiveness(record, hostId, now);
        return check.ok ? undefined : check.reason;
      }
      // A claim written without an owner was written by its claimant, whose pid it carries.
      const check = checkOwner({ ...record, owner: record.owner ?? { pid: record.pid, start: record.pidStart } });
      return check.ok ? undefined : `the spawning process is gone (${check.reason})`;
    }
    case "ready":
    case "busy": {
      const check = checkRecordLiveness(record, hostId, now);
      return check.ok ? undefined : check.reason;
    }
  }
}

function isOrphanedStart(record: WorkerRecord, hostId: string): boolean {
  if (record.host !== undefined && record.host !== hostId) return false;
  return record.owner !== undefined && !checkOwner(record).ok && checkRecordedProcess(record).ok;
}

/** Is the process that spawned (or claimed) this worker still the recorded one? No owner: nobody is. */
export function checkOwner(record: WorkerRecord): RecordedProcessCheck {
  if (!record.owner) return { ok: false, reason: "no owner was recorded" };
  return checkRecordedProcess({ pid: record.owner.pid, pidStart: record.owner.start, startedAt: record.startedAt });
}
