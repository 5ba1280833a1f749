import type { WorkerRecord } from "../schema/worker-record.js";

/**
 * Whether a record names pid ≤ 1 or this very process, on this host: alive by every check, yet never a
 * worker a pool could lease (neither is ever signalled, so its stops would never be made). Such a record
 * is never a candidate, nor a spawn's finished worker.
 */
export function namesNoWorker(record: WorkerRecord, hostId: string | undefined): boolean {
  if (record.host !== undefined && record.host !== hostId) return false;
  return record.pid <= 1 || record.pid === process.pid;
}
