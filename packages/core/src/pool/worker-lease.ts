import type { WorkerLease as BaseLease } from "./leases.js";

/** What `lease.stop()` and `pool.stop(lease | { workerId, id })` did. */
export type StopOutcome =
  /** The worker was stopped and its record removed. */
  | "stopped"
  /** Another lease (of this process or another) still holds it: marked draining, stopped when the last one is released. */
  | "draining"
  /** No such worker here (already stopped, forgotten, or never recorded). */
  | "not-found";

/**
 * What `getOrSpawn` hands back: the worker to use, why it was chosen, `release()` to call when done with
 * it (idle TTL, draining and capacity count leases; releasing twice is harmless; `await using` releases it
 * at the end of the block), `stop()` to release it and stop its worker unless another lease holds it, and
 * `handle`: what the backend's `spawn` returned as `handle` when this pool spawned the worker (else undefined).
 */
export type WorkerLease<Handle = unknown> = BaseLease & {
  readonly handle: Handle | undefined;
  /** Releases this lease, then stops its worker (never under another's lease: then it drains). */
  stop(): Promise<StopOutcome>;
};

/** A lease, told from the other things `pool.stop` takes. */
export function isLease(value: unknown): value is WorkerLease {
  const lease = value as Partial<WorkerLease> | null;
  return (
    typeof lease === "object" &&
    lease !== null &&
    typeof lease.release === "function" &&
    typeof lease.worker === "object" &&
    typeof lease.decision === "object"
  );
}
