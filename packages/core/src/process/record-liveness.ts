import type { WorkerRecord } from "../schema/worker-record.js";
import { checkRecordedProcess, type RecordedProcessCheck } from "./recorded-process.js";

/**
 * Is the worker a record describes still running? A record of this host is judged by its process (pid
 * and start time: a recycled pid never passes). A record of another host cannot be: its pid means nothing
 * here, so only a heartbeat its owner renewed (`aliveUntil`) keeps it alive.
 */
export function checkRecordLiveness(
  record: Pick<WorkerRecord, "pid" | "pidStart" | "startedAt" | "host" | "aliveUntil">,
  hostId: string,
  now = Date.now(),
): RecordedProcessCheck {
  if (record.host === undefined || record.host === hostId) return checkRecordedProcess(record);
  if (record.aliveUntil === undefined) {
    return { ok: false, reason: `it runs on host ${record.host} and no heartbeat of it is known` };
  }
  if (record.aliveUntil <= now) {
    return {
      ok: false,
      reason: `its host ${record.host} has not renewed its heartbeat for ${Math.round((now - record.aliveUntil) / 1000)} s`,
    };
  }
  return { ok: true };
}
