import { readExecutable, readLiveProcess } from "./process-identity.js";

/**
 * How far from an entry's `startedAt`, either way, a legacy (start-time-less) worker may have started and
 * still be taken for the recorded process.
 */
export const LEGACY_START_WINDOW_MS = 60_000;
/** `/proc` start times are only as exact as the boot time, which Linux gives in whole seconds. */
const START_TIME_SLACK_MS = 2_000;

// process.getuid() is a system call each time; a hot reuse check needs it once.
let cachedUid: number | undefined | null = null;
function ownUid(): number | undefined {
  if (cachedUid === null) cachedUid = process.getuid?.();
  return cachedUid;
}

export type RecordedProcessCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** What a worker record says about its process (the fields of `WorkerRecordSchema` that identify it). */
export type RecordedProcess = {
  pid: number;
  pidStart?: string | undefined;
  pidExe?: string | undefined;
  pidSession?: { verifiedAt: string } | undefined;
  startedAt: number;
};

/**
 * Is the process behind `pid` right now the one that was recorded? Alive is not enough: pids are recycled,
 * so the start-time token must match, or for legacy entries without one, the process must have started
 * within a minute of the entry's `startedAt`, before or after. Where the executable was recorded it must
 * match too: start times count in clock ticks, and a pid recycled within the same tick has the same start
 * time. Zombies and other users' processes are never it.
 */
export function checkRecordedProcess(recorded: RecordedProcess): RecordedProcessCheck {
  const live = readLiveProcess(recorded.pid);
  if (!live.running) return { ok: false, reason: live.reason };
  if (live.zombie) return { ok: false, reason: `process ${recorded.pid} has exited (zombie)` };
  const uid = ownUid();
  if (uid !== undefined && live.uid !== undefined && live.uid !== uid) {
    return { ok: false, reason: `process ${recorded.pid} belongs to another user (uid ${live.uid})` };
  }
  if (recorded.pidStart !== undefined) {
    if (live.start !== recorded.pidStart) {
      return { ok: false, reason: `pid ${recorded.pid} was recycled: it is a different process than the one recorded` };
    }
    return recorded.pidExe === undefined ? { ok: true } : checkExecutable(recorded.pid, recorded.pidExe);
  }
  if (live.startedAtMs === undefined) {
    return {
      ok: false,
      reason: `pid ${recorded.pid}: no start time recorded and none readable, so it cannot be verified`,
    };
  }
  // Orchestrators record `startedAt` either before the spawn or once the worker is ready: both sides count.
  const after = live.startedAtMs - recorded.startedAt;
  if (after < -(LEGACY_START_WINDOW_MS + START_TIME_SLACK_MS)) {
    return {
      ok: false,
      reason: `pid ${recorded.pid} started ${Math.round(-after / 1000)} s before the entry was recorded: it is another process`,
    };
  }
  if (after > LEGACY_START_WINDOW_MS + START_TIME_SLACK_MS) {
    return {
      ok: false,
      reason: `pid ${recorded.pid} started ${Math.round(after / 1000)} s after the entry was recorded: pid recycled`,
    };
  }
  return { ok: true };
}

function checkExecutable(pid: number, recordedExe: string): RecordedProcessCheck {
  const exe = readExecutable(pid);
  if (exe === recordedExe) return { ok: true };
  return {
    ok: false,
    reason:
      exe === undefined
        ? `pid ${pid}: its executable cannot be read, so it cannot be verified`
        : `pid ${pid} was recycled: it runs ${exe}, not the recorded ${recordedExe}`,
  };
}

/**
 * Whether a lease holder (pid, start token, last use) is still the process that wrote its entry: a
 * holder that is gone holds nothing, wherever its entry is kept (in the record or in a file of its own).
 * A holder of another host is never looked up in this host's process table (its pid means nothing here):
 * the store that read it set `aliveUntil` from the liveness signal that holder renews, and it is alive
 * while that signal is fresh.
 */
export function isLiveHolder(holder: {
  pid: number;
  start?: string | undefined;
  lastUsedAt: number;
  aliveUntil?: number | undefined;
}): boolean {
  if (holder.aliveUntil !== undefined) return holder.aliveUntil > Date.now();
  return checkRecordedProcess({ pid: holder.pid, pidStart: holder.start, startedAt: holder.lastUsedAt }).ok;
}
