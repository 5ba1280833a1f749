import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { WorkerBackend } from "../backend/worker-backend.js";
import { stoppedEvent } from "../diagnostics/event-payloads.js";
import type { PoolEvents } from "../diagnostics/pool-events.js";
import { StopError, type StopFailure } from "../errors/StopError.js";
import { protectedTargetReason } from "../process/protected-targets.js";
import { checkRecordedProcess } from "../process/recorded-process.js";
import { terminateRecordedProcess } from "../process/terminate.js";
import type { ProcessIdentity, WorkerRecord } from "../schema/worker-record.js";
import type { HealthProber } from "./health-prober.js";
import { liveHolders } from "./lease-book.js";
import type { Leases } from "./leases.js";
import type { PoolStats, StopCause } from "./pool-stats.js";
import type { RegistryAccess } from "./registry-access.js";

/** How long a backend's `stop` may take to make its worker exit once it has resolved, before the stop is failed. */
const EXIT_CONFIRM_MS = 5_000;

/** What a lease-checked stop did: stopped it, found it held (left running), or left it to its own host. */
export type CheckedStopOutcome = "stopped" | "held" | "other-host";

/**
 * Ends workers, and says so only when it is true. A stop is announced in the registry first (one atomic,
 * lease-checked update to `stopped`), then the process is ended and confirmed gone (its own child reaped),
 * then the record is removed. Whatever cannot be done now is never dropped:
 * - the announcement cannot be written: nothing is signalled, the worker stays the pool's (`StopError`);
 * - the process does not end (or may never be signalled): the record is put back, the worker stays the pool's;
 * - the process ended but the record cannot be removed: kept on a retry list, removed once the store is back;
 * - a worker this pool owns is held by another lease: marked draining, and this pool keeps trying to stop
 *   it (on a timer, and on later activity) until it is stopped, whoever releases last.
 */
export class WorkerStopper {
  readonly #backend: WorkerBackend;
  readonly #own: Map<string, WorkerRecord>;
  readonly #prober: HealthProber;
  readonly #leases: Leases;
  readonly #stats: PoolStats;
  readonly #registry: RegistryAccess;
  readonly #self: ProcessIdentity;
  readonly #retryEveryMs: number;
  /** Stopped workers whose record could not be removed yet. */
  readonly #unremoved = new Map<string, WorkerRecord>();
  /** Workers this pool owned and was asked to stop while another lease held them; `marked`: recorded draining. */
  readonly #draining = new Map<string, { record: WorkerRecord; marked: boolean }>();
  #retryTimer: NodeJS.Timeout | undefined;
  #retrying: Promise<void> | undefined;
  readonly #events: PoolEvents;

  constructor(deps: {
    backend: WorkerBackend;
    own: Map<string, WorkerRecord>;
    prober: HealthProber;
    leases: Leases;
    stats: PoolStats;
    registry: RegistryAccess;
    self: ProcessIdentity;
    retryEveryMs: number;
    events: PoolEvents;
  }) {
    this.#events = deps.events;
    this.#backend = deps.backend;
    this.#own = deps.own;
    this.#prober = deps.prober;
    this.#leases = deps.leases;
    this.#stats = deps.stats;
    this.#registry = deps.registry;
    this.#self = deps.self;
    this.#retryEveryMs = deps.retryEveryMs;
  }

  /**
   * Stops a worker unless a live process holds a lease on it (idle, drain and capacity stops): resolves
   * to whether it stopped it. A stop that could not be done is a warning here, and false.
   */
  async stopIfUnleased(
    record: WorkerRecord,
    cause: StopCause,
    leased: (current: WorkerRecord) => boolean,
    options: { drainIfHeld?: boolean } = {},
  ): Promise<boolean> {
    try {
      return (await this.#stopChecked(record, cause, leased, options.drainIfHeld ?? false)) === "stopped";
    } catch (error) {
      this.#registry.warn({
        code: "STOP_FAILED",
        message: String(error instanceof Error ? error.message : error),
        error,
      });
      return false;
    }
  }

  /**
   * Stops a worker unless `leased` says a lease holds it (a precise stop: `lease.stop()`, stop by record
   * id): `held` when one does. Rejects with `StopError` when it could not be stopped, like `stopOwn`.
   */
  async stopUnlessLeased(
    record: WorkerRecord,
    cause: StopCause,
    leased: (current: WorkerRecord) => boolean,
    options: { drainIfHeld?: boolean } = {},
  ): Promise<CheckedStopOutcome> {
    return this.#stopChecked(record, cause, leased, options.drainIfHeld ?? false);
  }

  /**
   * Stops a worker of this pool (`stop`, `stopAll`), unless another pool or process holds a lease on it:
   * that one is marked draining, and stopped by whichever releases it last, or by this pool's retries.
   * Rejects with `StopError` when it could not be stopped: the worker is then still this pool's.
   */
  async stopOwn(record: WorkerRecord): Promise<void> {
    const outcome = await this.#stopChecked(record, "manual", this.#heldElsewhere(record.id), true);
    if (outcome !== "held") return;
    this.forget(record);
    // Marked draining by the same update that found it held (with a registry): a holder's release after it
    // sees the mark and stops the worker; one before it was seen. Without a registry, nobody else holds it.
    this.#draining.set(record.id, { record: { ...record, draining: true }, marked: true });
    this.#ensureRetrying();
  }

  /**
   * Held by anyone but this pool: another process's live entry, or another pool of this process (its
   * leases are in this process's sum, but not in this pool's book).
   */
  #heldElsewhere(id: string): (current: WorkerRecord) => boolean {
    const self = this.#self;
    return (current) =>
      this.#leases.book.processCount(id) > this.#leases.book.count(id) ||
      liveHolders(current).some((holder) => holder.leases > 0 && !this.#leases.book.isOwn(holder, self));
  }

  /**
   * The one way a worker is stopped. Announced first: the record is switched to `stopped` in one atomic
   * update that checks its holders, so a lease written at the same moment either lands first (and the
   * worker is kept) or finds it stopped (and is refused). Rejects with `StopError` when nothing could be
   * announced or the process did not end; the worker is then kept (and its record put back).
   */
  async #stopChecked(
    record: WorkerRecord,
    cause: StopCause,
    leased: (current: WorkerRecord) => boolean,
    drainIfHeld = false,
  ): Promise<CheckedStopOutcome> {
    const store = this.#registry.store;
    // Only the host a worker runs on ever signals it.
    if (store && record.host !== undefined && record.host !== store.hostId) return "other-host";
    const refusal = protectedTargetReason(record.pid);
    if (refusal) throw new StopError(record, "refused", refusal);
    let before: WorkerRecord | undefined;
    if (store) {
      let after: WorkerRecord | undefined;
      try {
        after = await this.#registry.write((store) =>
          store.update(record, (current) => {
            if (current.status === "stopped") return undefined;
            if (leased(current)) {
              // Held: left running, and (for a stop the caller wants) marked draining in this same atomic
              // update, so the holder's last release, which reads the record after writing its entry,
              // always finds the mark. A separate later mark could land after that release had looked,
              // leaving a drain nobody finishes once its owner has exited.
              return drainIfHeld && !current.draining
                ? { ...current, draining: true, updatedAt: Date.now() }
                : undefined;
            }
            before = current;
            return { ...current, status: "stopped", updatedAt: Date.now() };
          }),
        );
      } catch (error) {
        throw new StopError(record, "not-recorded", `its stop could not be recorded: ${String(error)}`, {
          cause: error,
        });
      }
      if (after && after.status !== "stopped") return this.#held(record, drainIfHeld);
    } else if (leased(record)) {
      return this.#held(record, drainIfHeld);
    }
    const own = this.#own.get(record.id);
    this.forget(record);
    const started = performance.now();
    const failure = await this.#end(record);
    if (failure) {
      if (own) this.#own.set(record.id, own);
      if (before) await this.#putBack(record, before);
      throw new StopError(record, failure.failure, failure.message);
    }
    this.#stats.recordStop(cause);
    await this.removeFromRegistry(record);
    this.#events.emit("stopped", stoppedEvent(record, cause, performance.now() - started));
    return "stopped";
  }

  /** A stop that found the worker held: this pool's own copy is marked draining too when the record was. */
  #held(record: WorkerRecord, drainIfHeld: boolean): "held" {
    const own = this.#own.get(record.id);
    if (drainIfHeld && own) this.#own.set(record.id, { ...own, draining: true });
    return "held";
  }

  /** Ends the worker's process and waits until it is gone (its own child reaped); why not, when it is not. */
  async #end(record: WorkerRecord): Promise<{ failure: StopFailure; message: string } | undefined> {
    if (!this.#backend.stop) {
      const report = await terminateRecordedProcess(record);
      if (report.outcome === "protected") return { failure: "refused", message: report.reason };
      if (report.outcome === "still-running") return { failure: "still-running", message: report.reason };
      return undefined;
    }
    try {
      await this.#backend.stop(record);
    } catch (error) {
      if (!(await goneWithin(record, 0))) {
        return {
          failure: "still-running",
          message: `backend ${this.#backend.name} could not stop it: ${String(error)}`,
        };
      }
    }
    // A backend may resolve as it signals: the worker is stopped once it is gone, not before.
    if (!(await goneWithin(record, EXIT_CONFIRM_MS))) {
      return {
        failure: "still-running",
        message: `still running ${EXIT_CONFIRM_MS} ms after backend ${this.#backend.name} stopped it`,
      };
    }
    return undefined;
  }

  /** The stop did not happen: the record says what it said before, so it is not recorded stopped while it runs. */
  async #putBack(record: WorkerRecord, before: WorkerRecord): Promise<void> {
    await this.#registry.writeOrWarn(`put worker ${record.id} back as ${before.status} after a failed stop`, (store) =>
      store.update(record, (current) =>
        current.status === "stopped" ? { ...current, status: before.status, updatedAt: Date.now() } : undefined,
      ),
    );
  }

  async markDraining(record: WorkerRecord): Promise<void> {
    const own = this.#own.get(record.id);
    if (own) this.#own.set(record.id, { ...own, draining: true });
    await this.#markDrainingInRegistry(record);
  }

  async #markDrainingInRegistry(record: WorkerRecord): Promise<boolean> {
    try {
      await this.#registry.write((store) =>
        store.update(record, (current) => ({ ...current, draining: true, updatedAt: Date.now() })),
      );
      return true;
    } catch (error) {
      this.#registry.warn({
        code: "REGISTRY_WRITE_FAILED",
        message: `could not mark worker ${record.id} draining: ${String(error)}`,
        error,
      });
      return false;
    }
  }

  /** Drops everything this pool keeps about a worker. */
  forget(record: WorkerRecord): void {
    this.#own.delete(record.id);
    this.#prober.forget(record.id);
    this.#leases.forget(record.id);
  }

  /** Removes the record of a worker that is gone; one that cannot be removed now is retried until it is. */
  async removeFromRegistry(record: WorkerRecord): Promise<void> {
    if (!this.#registry.store) return;
    try {
      await this.#registry.write((store) => store.remove(record));
      this.#unremoved.delete(record.id);
    } catch (error) {
      this.#registry.warn({
        code: "REGISTRY_WRITE_FAILED",
        message: `could not remove worker ${record.id} from the registry (retried): ${String(error)}`,
        error,
      });
      this.#unremoved.set(record.id, record);
      this.#ensureRetrying();
    }
  }

  /** Workers stopped whose record is still to be removed, and workers drained on this pool's behalf. */
  get pending(): { unremoved: readonly WorkerRecord[]; draining: readonly WorkerRecord[] } {
    return {
      unremoved: [...this.#unremoved.values()],
      draining: [...this.#draining.values()].map(({ record }) => record),
    };
  }

  /**
   * One pass over what is pending: records to remove, drained workers to stop. Called on a timer while
   * anything is pending, and on the pool's later activity. Passes never overlap.
   */
  retryPending(): Promise<void> {
    if (this.#unremoved.size === 0 && this.#draining.size === 0) return Promise.resolve();
    this.#retrying ??= this.#retryOnce().finally(() => {
      this.#retrying = undefined;
      if (this.#unremoved.size === 0 && this.#draining.size === 0) this.#stopRetrying();
    });
    return this.#retrying;
  }

  async #retryOnce(): Promise<void> {
    for (const record of [...this.#unremoved.values()]) await this.removeFromRegistry(record);
    for (const [id, entry] of [...this.#draining]) {
      if (!entry.marked) entry.marked = await this.#markDrainingInRegistry(entry.record);
      // A look before the (locked, announced) stop: while another holder keeps it, there is nothing to write.
      if (entry.marked && (await this.#stillHeldElsewhere(entry.record))) continue;
      let outcome: CheckedStopOutcome | "failed";
      try {
        outcome = await this.#stopChecked(entry.record, "superseded", this.#heldElsewhere(id));
      } catch (error) {
        this.#registry.warn({
          code: "STOP_FAILED",
          message: String(error instanceof Error ? error.message : error),
          error,
        });
        outcome = "failed";
      }
      if (outcome === "stopped" || outcome === "other-host") this.#draining.delete(id);
    }
  }

  /** Whether the registry's record shows a live lease other than this pool's (a failed read: assume so, look again later). */
  async #stillHeldElsewhere(record: WorkerRecord): Promise<boolean> {
    const store = this.#registry.store;
    if (!store) return false;
    try {
      const current = (await store.lookup(record.workerId)).records.find((r) => r.id === record.id);
      return current !== undefined && this.#heldElsewhere(record.id)(current);
    } catch {
      return true;
    }
  }

  /**
   * The pool's session ends (`close()`): one last pass, then no more retries from this pool. A drained
   * worker still held is then stopped by its last release, or by any process's sweep on the host; a
   * record left `stopped` names a dead process, which `prune` clears.
   */
  async close(): Promise<void> {
    await this.retryPending();
    this.#stopRetrying();
  }

  #ensureRetrying(): void {
    if (this.#retryTimer) return;
    this.#retryTimer = setInterval(() => void this.retryPending(), this.#retryEveryMs);
    this.#retryTimer.unref();
  }

  #stopRetrying(): void {
    if (this.#retryTimer) clearInterval(this.#retryTimer);
    this.#retryTimer = undefined;
  }
}

/** Whether the recorded process is gone, waiting for it at most `ms`. */
async function goneWithin(record: WorkerRecord, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    if (!checkRecordedProcess(record).ok) return true;
    if (performance.now() >= deadline) return false;
    await sleep(20);
  }
}
