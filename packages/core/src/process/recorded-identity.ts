import { linuxNow } from "./linux-clock.js";
import { readExecutable, readLiveProcess } from "./process-identity.js";

/** The fields of a worker record that identify its process (see `WorkerRecordSchema`). */
export type RecordedIdentity = { pidStart?: string; pidExe?: string; pidSession?: { verifiedAt: string } };

/**
 * Reads, now, what a record must keep to recognise `pid` later: its start time, its executable and, when it
 * leads its own session and group, that fact with the moment it was seen (see `readWorkerSession`). Empty
 * when `pid` is not running; only what the OS tells elsewhere.
 *
 * `unreapedChild`: `pid` is a child of this process that Node has not reaped yet (read before yielding to
 * the event loop after spawning it). Even if it has already exited (a wrapper that starts its server and
 * exits at once), its zombie still holds the pid, so it is still identified, and so is its session.
 */
export function identityToRecord(pid: number, options: { unreapedChild?: boolean } = {}): RecordedIdentity {
  // Read before the process: it was seen to lead its session after this moment.
  const before = linuxNow();
  const live = readLiveProcess(pid);
  if (!live.running || live.start === undefined) return {};
  if (live.zombie && !options.unreapedChild) return {};
  const exe = live.zombie ? undefined : readExecutable(pid);
  const leadsSession = live.pgid === pid && live.sid === pid;
  // A zombie we have not reaped keeps its number: nothing in its session can be anyone else's, up to now.
  const verifiedAt = live.zombie ? linuxNow({ thisTickIncluded: true }) : before;
  return {
    pidStart: live.start,
    ...(exe !== undefined ? { pidExe: exe } : {}),
    ...(leadsSession && verifiedAt !== undefined ? { pidSession: { verifiedAt } } : {}),
  };
}
