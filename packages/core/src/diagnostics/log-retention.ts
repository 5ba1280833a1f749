import { readdirSync, renameSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { readLiveProcess } from "../process/process-identity.js";

/** How long a worker's log is kept after its last line once the worker is gone: an hour, for a look after a crash. */
export const DEFAULT_LOG_RETENTION_MS = 3_600_000;

const WORKER_LOG = /\.pid-(\d+)(?:-([\w.]+))?\.log$/;

/**
 * Gives a worker's log its final name, with the worker's pid and start token in it
 * (`<workerId>-<time>-<spawner pid>.pid-<pid>-<start>.log`), so that a later sweep tells the log of a
 * running worker from the log of a gone one without a registry. The worker keeps writing through its open
 * file whatever the name. Returns the path the log has now (the old one if it could not be renamed).
 */
export function nameLogAfterWorker(logPath: string, pid: number): string {
  const live = readLiveProcess(pid);
  const start = live.running && live.start !== undefined ? `-${live.start.replace(/[^\w.]/g, "_")}` : "";
  const named = logPath.replace(/\.log$/, `.pid-${pid}${start}.log`);
  try {
    renameSync(logPath, named);
    return named;
  } catch {
    return logPath;
  }
}

/**
 * Removes the worker logs in `logDir` whose worker is gone and whose last line is older than `retentionMs`.
 * A log whose worker still runs (same pid, same start) is kept however old; a log that never got a worker
 * (its spawn failed before a pid) goes once it is old. Best effort: a file another sweep removed first,
 * or one that cannot be read, is left for the next sweep.
 */
export function removeExpiredLogs(logDir: string, retentionMs: number, now = Date.now()): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(logDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.endsWith(".log")) continue;
    const path = join(logDir, name);
    try {
      if (now - statSync(path).mtimeMs < retentionMs) continue;
      if (workerStillRuns(name)) continue;
      unlinkSync(path);
      removed++;
    } catch {
      // Gone already, or not ours to read: the next sweep looks again.
    }
  }
  return removed;
}

function workerStillRuns(name: string): boolean {
  const match = WORKER_LOG.exec(name);
  if (!match) return false;
  const live = readLiveProcess(Number(match[1]));
  // A zombie has exited; it only waits for its parent to notice.
  if (!live.running || live.zombie) return false;
  const recorded = match[2];
  return recorded === undefined || live.start === undefined || live.start.replace(/[^\w.]/g, "_") === recorded;
}
