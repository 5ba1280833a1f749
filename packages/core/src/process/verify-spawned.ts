import { SpawnError } from "../errors/SpawnError.js";
import { readLiveProcess } from "./process-identity.js";

/**
 * Throws a `SpawnError` (`not-running`) unless `pid`, just answered by a backend's spawn, is a live process
 * that can be identified later: a dead pid, once recycled, would make another program the worker, reused
 * by the next request and killed by the owner's `stop()`. On Linux its start time must be readable too.
 */
export function verifySpawnedProcess(workerId: string, pid: number): void {
  const live = readLiveProcess(pid);
  if (!live.running)
    throw new SpawnError(workerId, "not-running", `the backend answered with pid ${pid}: ${live.reason}`);
  if (live.zombie)
    throw new SpawnError(workerId, "not-running", `the backend answered with pid ${pid}, which has exited`);
  if (process.platform === "linux" && live.start === undefined) {
    throw new SpawnError(
      workerId,
      "not-running",
      `the backend answered with pid ${pid}, whose start time cannot be read`,
    );
  }
}
