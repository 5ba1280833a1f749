import { linuxNow } from "./linux-clock.js";
import { readExecutable, readLiveProcess } from "./process-identity.js";

/** The fields of a worker record that identify its process (see `WorkerRecordSchema`). */
export type RecordedIdentity = { pidStart?: string; pidExe?: string; pidSession?: { verifiedAt: string } };

/**
 * Reads, now, what a record must keep to recognise `pid` later: its start time, its executable and, when it
 * leads its own session and group, that fact with the moment it was seen (see `readWorkerSession`). Empty
 * when `pid` is not running; only what the OS tells elsewhere.
 */
export function identityToRecord(pid: number): RecordedIdentity {
  // Read before the process: it was seen to lead its session after this moment.
  const before = linuxNow();
  const live = readLiveProcess(pid);
  if (!live.running || live.zombie || live.start === undefined) return {};
  const exe = readExecutable(pid);
  const leadsSession = live.pgid === pid && live.sid === pid;
  return {
    pidStart: live.start,
    ...(exe !== undefined ? { pidExe: exe } : {}),
    ...(leadsSession && before !== undefined ? { pidSession: { verifiedAt: before } } : {}),
  };
}
