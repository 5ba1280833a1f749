import { drainedEvent, supersededEvent } from "../diagnostics/event-payloads.js";
import type { PoolEvents } from "../diagnostics/pool-events.js";
import { checkOwner } from "../registry/stale-record.js";
import type { RecordRef, RegistryStore } from "../registry/store/RegistryStore.js";
import type { ProcessIdentity, WorkerRecord } from "../schema/worker-record.js";
import type { ConsideredCandidate, PoolWarning } from "./hooks.js";
import type { LeaseBook } from "./lease-book.js";
import type { ResolvedWorkerPoolOptions, SupersededAction } from "./options.js";
import type { StopCause } from "./pool-stats.js";

/** What the lifecycle needs of its pool. */
export interface LifecycleHost {
  readonly registry: RegistryStore | undefined;
  readonly self: ProcessIdentity;
  readonly leases: LeaseBook;
  /** Workers this pool spawned and has not stopped. */
  ownWorkers(): Iterable<WorkerRecord>;
  /**
   * Stops a worker (this pool's or another process's; never a pid that is not the recorded process)
   * unless a live process holds a lease on it by then; resolves to whether it stopped it.
   */
  /** `drainIfHeld`: a worker found held is marked draining by the same atomic update that found it held. */
  stopWorker(record: WorkerRecord, cause: StopCause, options?: { drainIfHeld?: boolean }): Promise<boolean>;
  /** Marks a worker draining in memory (if it is this pool's) and in the registry. */
  markDraining(record: WorkerRecord): Promise<void>;
  warn(warning: PoolWarning): void;
  readonly events: PoolEvents;
}

/**
 * A worker's life after its spawn: superseded workers kept, stopped or drained; idle workers stopped
 * after their TTL. (Room at capacity is `Capacity`'s business.)
 */
export class WorkerLifecycle {
  readonly #host: LifecycleHost;
  readonly #options: ResolvedWorkerPoolOptions;
  #timer: NodeJS.Timeout | undefined;
  #sweepTurn: Promise<void> = Promise.resolve();
  #queuedFullSweep: Promise<void> | undefined;

  constructor(host: LifecycleHost, options: ResolvedWorkerPoolOptions) {
    this.#host = host;
    this.#options = options;
  }

  /**
   * Whether a worker is past its idle TTL with no live lease on it: the next sweep stops it, so it must
   * not be leased now (the lease would be on a worker about to be killed).
   */
  idleExpired(record: WorkerRecord): boolean {
    const ttl = record.idleTtlMs ?? this.#options.idleTtlMs;
    if (ttl === undefined) return false;
    const { leases } = this.#host.leases.usage(record, this.#host.self);
    return leases === 0 && this.#host.leases.idleForMs(record, this.#host.self) >= ttl;
  }

  /** Starts the sweep timer if there may be anything to sweep; unref'd, it never keeps the process alive. */
  ensureSweeping(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.sweep(), this.#options.sweepIntervalMs);
    this.#timer.unref();
  }

  /** Whether the sweep timer runs (idle TTL or draining in use). */
  get active(): boolean {
    return this.#timer !== undefined;
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** After a spawn that replaced workers a policy refused: what `onSuperseded` says to do with them. */
  async supersede(workerId: string, considered: readonly ConsideredCandidate[]): Promise<void> {
    const option = this.#options.onSuperseded;
    const action: SupersededAction = typeof option === "function" ? option(workerId) : option;
    // Read from the verdict, not guessed from who denied: only a policy saying the model changed supersedes.
    const superseded = considered.filter(({ verdict }) => !verdict.reuse && verdict.supersedes === true);
    for (const { candidate, verdict } of superseded)
      this.#host.events.emit("superseded", supersededEvent(candidate, action, verdict));
    if (action === "keep") return;
    for (const { candidate } of superseded) {
      if (action === "stop") {
        // Held by a live process after all: it drains instead, and stops once released. Marked by the update
        // that found it held (its holder's last release then always sees the mark); marked again here for a
        // stop that failed, and for this pool's own copy.
        if (!(await this.#host.stopWorker(candidate, "superseded", { drainIfHeld: true })))
          await this.#host.markDraining(candidate);
      } else {
        await this.#host.markDraining(candidate);
        this.ensureSweeping();
      }
    }
    if (action === "drain" && superseded.length > 0) await this.sweep();
  }

  /**
   * One pass: stops draining workers nobody leases and workers idle past their TTL — every worker, or
   * with `only` that one worker (its last lease here was just released: one lookup, not a listing of the
   * whole registry). Passes run one after another, never overlapping; a full pass asked for while one
   * is queued joins it.
   */
  sweep(only?: RecordRef): Promise<void> {
    if (!only && this.#queuedFullSweep) return this.#queuedFullSweep;
    const run = this.#sweepTurn.then(() => {
      if (!only) this.#queuedFullSweep = undefined;
      return this.#sweepOnce(only);
    });
    this.#sweepTurn = run.catch(() => undefined);
    if (!only) this.#queuedFullSweep = run;
    return run;
  }

  async #sweepOnce(only: RecordRef | undefined): Promise<void> {
    const now = Date.now();
    // This pool's workers, as the registry has them when it has them: other processes mark them
    // draining and record their leases there.
    const candidates = new Map<string, WorkerRecord>();
    for (const record of this.#host.ownWorkers()) if (!only || record.id === only.id) candidates.set(record.id, record);
    if (this.#host.registry) {
      try {
        const hostId = this.#host.registry.hostId;
        const records = only
          ? (await this.#host.registry.lookup(only.workerId)).records.filter((record) => record.id === only.id)
          : await this.#host.registry.list();
        for (const record of records) {
          if (record.status !== "ready" && record.status !== "busy") continue;
          if (candidates.has(record.id)) {
            candidates.set(record.id, { ...record, draining: record.draining || candidates.get(record.id)?.draining });
            continue;
          }
          // Only the host a worker runs on ever signals it.
          if (record.host !== undefined && record.host !== hostId) continue;
          // Another process's worker: this one steps in to drain it, or to end it idle when its owner is gone.
          const ownerGone = !checkOwner(record).ok;
          if (record.draining || (ownerGone && record.idleTtlMs !== undefined)) candidates.set(record.id, record);
        }
      } catch (error) {
        this.#host.warn({
          code: "REGISTRY_READ_FAILED",
          message: `sweep could not read the registry: ${String(error)}`,
          error,
        });
      }
    }
    for (const record of candidates.values()) {
      const { leases } = this.#host.leases.usage(record, this.#host.self);
      if (leases > 0) continue;
      const ttl = record.idleTtlMs ?? this.#options.idleTtlMs;
      if (record.draining) {
        if (await this.#host.stopWorker(record, "superseded")) this.#host.events.emit("drained", drainedEvent(record));
      } else if (ttl !== undefined && this.#host.leases.idleForMs(record, this.#host.self, now) >= ttl) {
        await this.#host.stopWorker(record, "idle");
      }
    }
  }
}
