import { performance } from "node:perf_hooks";
import type { WorkerBackend } from "../backend/worker-backend.js";
import { stoppedEvent } from "../diagnostics/event-payloads.js";
import type { PoolEvents } from "../diagnostics/pool-events.js";
import { terminateRecordedProcess } from "../process/terminate.js";
import type { ProcessIdentity, WorkerRecord } from "../schema/worker-record.js";
import type { HealthProber } from "./health-prober.js";
import { liveHolders } from "./lease-book.js";
import type { Leases } from "./leases.js";
import type { PoolStats, StopCause } from "./pool-stats.js";
import type { RegistryAccess } from "./registry-access.js";

/** Ends workers and forgets them: the backend's stop (or a signal to the recorded process only), then the registry. */
export class WorkerStopper {
  readonly #backend: WorkerBackend;
  readonly #own: Map<string, WorkerRecord>;
  readonly #prober: HealthProber;
  readonly #leases: Leases;
  readonly #stats: PoolStats;
  readonly #registry: RegistryAccess;
  readonly #events: PoolEvents;

  constructor(deps: {
    backend: WorkerBackend;
    own: Map<string, WorkerRecord>;
    prober: HealthProber;
    leases: Leases;
    stats: PoolStats;
    registry: RegistryAccess;
    events: PoolEvents;
  }) {
    this.#events = deps.events;
    this.#backend = deps.backend;
    this.#own = deps.own;
    this.#prober = deps.prober;
    this.#leases = deps.leases;
    this.#stats = deps.stats;
    this.#registry = deps.registry;
  }

  /**
   * Stops a worker unless a live process holds a lease on it: the registry record is switched to
   * `stopped` in one atomic update that checks its holders, so a lease written at the same moment either
   * lands first (and the worker is kept) or finds it stopped (and is refused). Resolves to whether it stopped it.
   */
  async stopIfUnleased(
    record: WorkerRecord,
    cause: StopCause,
    leased: (current: WorkerRecord) => boolean,
  ): Promise<boolean> {
    const store = this.#registry.store;
    // Only the host a worker runs on ever signals it.
    if (store && record.host !== undefined && record.host !== store.hostId) return false;
    if (store) {
      let after: WorkerRecord | undefined;
      try {
        after = await this.#registry.write((store) =>
          store.update(record, (current) =>
            leased(current) || current.status === "stopped"
              ? undefined
              : { ...current, status: "stopped", updatedAt: Date.now() },
          ),
        );
      } catch (error) {
        this.#registry.warn({
          code: "REGISTRY_WRITE_FAILED",
          message: `could not mark worker ${record.id} stopped: ${String(error)}`,
          error,
        });
        return false;
      }
      if (after && after.status !== "stopped") return false;
    } else if (leased(record)) {
      return false;
    }
    await this.stop(record, cause);
    return true;
  }

  /**
   * Stops a worker of this pool (`stop`, `stopAll`), unless another live process holds a lease on it: that
   * one is marked draining, and whichever process releases it last (or sweeps after this one is gone) stops it.
   */
  async stopOwn(record: WorkerRecord, self: ProcessIdentity): Promise<void> {
    const heldElsewhere = (current: WorkerRecord) =>
      liveHolders(current).some(
        (holder) => holder.leases > 0 && (holder.pid !== self.pid || holder.start !== self.start),
      );
    if (await this.stopIfUnleased(record, "manual", heldElsewhere)) return;
    await this.markDraining(record);
    this.forget(record);
  }

  /** Stops a worker of this pool, or of another process (never signalling a pid that is not the recorded process). */
  async stop(record: WorkerRecord, cause: StopCause): Promise<void> {
    const started = performance.now();
    this.forget(record);
    if (this.#backend.stop) await this.#backend.stop(record);
    else await terminateRecordedProcess(record);
    this.#stats.recordStop(cause);
    await this.removeFromRegistry(record);
    this.#events.emit("stopped", stoppedEvent(record, cause, performance.now() - started));
  }

  async markDraining(record: WorkerRecord): Promise<void> {
    const own = this.#own.get(record.id);
    if (own) this.#own.set(record.id, { ...own, draining: true });
    await this.#registry.writeOrWarn(`mark worker ${record.id} draining`, (store) =>
      store.update(record, (current) => ({ ...current, draining: true, updatedAt: Date.now() })),
    );
  }

  /** Drops everything this pool keeps about a worker. */
  forget(record: WorkerRecord): void {
    this.#own.delete(record.id);
    this.#prober.forget(record.id);
    this.#leases.forget(record.id);
  }

  async removeFromRegistry(record: WorkerRecord): Promise<void> {
    await this.#registry.writeOrWarn(`remove worker ${record.id} from the registry`, (store) => store.remove(record));
  }
}
