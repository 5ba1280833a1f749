import { checkRecordedProcess } from "../process/recorded-process.js";
import type { WorkerRecord } from "../schema/worker-record.js";

/**
 * Why a record no longer describes something usable, or undefined if it still does. A `starting` record
 * is a spawn claim: it holds while its owner is the recorded live process and it has not expired.
 */
export function staleReason(record: WorkerRecord, now: number): string | undefined {
  switch (record.status) {
    case "stopped":
      return "the worker was stopped";
    case "error":
      return `the spawn failed${record.lastError ? `: ${record.lastError}` : ""}`;
    case "starting": {
      if (record.claimExpiresAt !== undefined && record.claimExpiresAt < now) return "the spawn claim expired";
      const owner = record.owner ?? { pid: record.pid, start: record.pidStart };
      const check = checkRecordedProcess({ pid: owner.pid, pidStart: owner.start, startedAt: record.startedAt });
      return check.ok ? undefined : `the spawning process is gone (${check.reason})`;
    }
    case "ready":
    case "busy": {
      const check = checkRecordedProcess(record);
      return check.ok ? undefined : check.reason;
    }
  }
}
