import { StopError } from "../errors/StopError.js";
import { checkRecordedProcess } from "../process/recorded-process.js";
import type { RecordRef } from "../registry/store/RegistryStore.js";
import type { ProcessIdentity, WorkerRecord } from "../schema/worker-record.js";
import type { PoolParts } from "./pool-parts.js";
import type { StopOutcome } from "./worker-lease.js";

/** How often `forget` looks whether the process the application stopped is gone. */
const GONE_POLL_MS = 25;

/**
 * One worker, known by its record id: this pool's own record of it (freshest), else the registry's.
 * Undefined when neither has it.
 */
export async function findRecord(
  ref: RecordRef,
  own: ReadonlyMap<string, WorkerRecord>,
  parts: Pick<PoolParts, "access">,
): Promise<WorkerRecord | undefined> {
  const mine = own.get(ref.id);
  if (mine && mine.workerId === ref.workerId) return mine;
  return (await parts.access.lookup(ref.workerId)).find((record) => record.id === ref.id);
}

/**
 * Stops one worker through the pool's one stop path (`stopUnlessLeased`: the record switched to `stopped`
 * in one atomic update that checks its holders), unless a lease — of any process, this one included —
 * holds it: then it is marked draining and the release of its last lease stops it. A stop that could not
 * be done rejects with `StopError`, the worker still the pool's.
 */
export async function stopOne(
  record: WorkerRecord,
  parts: Pick<PoolParts, "stopper" | "leases" | "lifecycle">,
  self: ProcessIdentity,
): Promise<Exclude<StopOutcome, "not-found">> {
  // A worker this pool just spawned counts as leased until the turn after its spawner's lease (see
  // `Leases.holdNew`); that turn was queued before the lease was handed out, so it has run after this one.
  await new Promise((resolve) => setImmediate(resolve));
  const leased = (current: WorkerRecord) => parts.leases.book.usage(current, self).leases > 0;
  const outcome = await parts.stopper.stopUnlessLeased(record, "manual", leased, { drainIfHeld: true });
  if (outcome === "stopped") return "stopped";
  if (outcome === "other-host") {
    throw new StopError(record, "refused", `it runs on host ${record.host}: only its own host stops it`);
  }
  // Marked draining by that same update (and in this pool's own copy): never handed out again; the release
  // of its last lease (here: the sweep it starts; elsewhere: that process's) stops it, as for a worker
  // drained by `onSuperseded: "drain"`.
  parts.lifecycle.ensureSweeping();
  return "draining";
}

/**
 * For a worker the application stopped itself: waits (up to `timeoutMs`, or its signal) until its recorded
 * process is gone — pid and start time, so a recycled pid is gone too — then drops it from this pool and
 * removes its record. A process still running is left as it is, record and all: time never says a live
 * worker is gone. Resolves to whether it was forgotten.
 */
export async function forgetStopped(
  record: WorkerRecord,
  parts: Pick<PoolParts, "stopper">,
  options: { timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<boolean> {
  const deadline = performance.now() + options.timeoutMs;
  while (checkRecordedProcess(record).ok) {
    options.signal?.throwIfAborted();
    if (performance.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, GONE_POLL_MS));
  }
  parts.stopper.forget(record);
  await parts.stopper.removeFromRegistry(record);
  return true;
}
