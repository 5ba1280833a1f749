import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { CapacityError } from "../errors/CapacityError.js";
import { staleReason } from "../registry/stale-record.js";
import type { WorkerRecord } from "../schema/worker-record.js";
import type { ResolvedWorkerPoolOptions } from "./options.js";
import type { LifecycleHost } from "./WorkerLifecycle.js";

type Full = { scope: "pool" | "device"; limit: number; workers: WorkerRecord[] };

/** Places taken by spawns under way in this process, all pools together (the device limit is per device). */
let reservedInThisProcess = 0;
let capacityTurn: Promise<unknown> = Promise.resolve();

/** Runs `check` after every earlier one of this process has finished. */
function serialized<T>(check: () => Promise<T>): Promise<T> {
  const run = capacityTurn.then(check, check);
  capacityTurn = run.catch(() => undefined);
  return run;
}

/** What capacity needs of its pool. */
export type CapacityHost = Pick<LifecycleHost, "registry" | "self" | "leases" | "ownWorkers" | "stopWorker" | "warn">;

/**
 * Room for one more worker: `maxWorkers` (this pool's) and `maxWorkersPerDevice` (counted through the
 * registry). At a limit, the least recently used idle worker is stopped; with every worker leased, the
 * request waits (bounded).
 */
export class Capacity {
  readonly #host: CapacityHost;
  readonly #options: ResolvedWorkerPoolOptions;
  #reserved = 0;

  constructor(host: CapacityHost, options: ResolvedWorkerPoolOptions) {
    this.#host = host;
    this.#options = options;
  }

  /**
   * Holds a place for one more worker of this pool, stopping the least recently used idle worker at
   * capacity, or waiting (bounded) for one to become idle. Call the returned function once the spawn settles.
   */
  async reserve(signal: AbortSignal): Promise<() => void> {
    const started = performance.now();
    for (;;) {
      signal.throwIfAborted();
      // One check-and-take at a time in this process (all its pools): the device count read from the
      // registry and the reservations taken on it must not interleave.
      const full = await serialized(async () => {
        const found = (await this.#full()) ?? this.#poolFull();
        if (!found) {
          this.#reserved++;
          reservedInThisProcess++;
        }
        return found;
      });
      if (!full) {
        let released = false;
        return () => {
          if (!released) {
            this.#reserved--;
            reservedInThisProcess--;
          }
          released = true;
        };
      }
      const victim = this.#leastRecentlyUsedIdle(full.workers);
      if (victim) {
        await this.#host.stopWorker(victim, "capacity");
        continue;
      }
      const waited = Math.round(performance.now() - started);
      if (waited >= this.#options.capacityTimeoutMs) throw new CapacityError(full.scope, full.limit, waited);
      await this.#roomOrTimeout(signal, Math.min(50, this.#options.capacityTimeoutMs - waited));
    }
  }

  /** The pool's own limit, checked synchronously so a reservation can follow it with nothing in between. */
  #poolFull(): Full | undefined {
    const own = [...this.#host.ownWorkers()];
    const poolLimit = this.#options.maxWorkers;
    // Spawns in flight hold reservations, so they count exactly once.
    if (poolLimit !== undefined && own.length + this.#reserved >= poolLimit) {
      return { scope: "pool", limit: poolLimit, workers: own };
    }
    return undefined;
  }

  async #full(): Promise<Full | undefined> {
    const poolFull = this.#poolFull();
    if (poolFull) return poolFull;
    const own = [...this.#host.ownWorkers()];
    const deviceLimit = this.#options.maxWorkersPerDevice;
    if (deviceLimit !== undefined && this.#host.registry) {
      const now = Date.now();
      const self = this.#host.self;
      // This process's own spawn claims are counted by its reservations (all its pools'), not twice.
      const ours = (record: WorkerRecord) =>
        record.status === "starting" && record.owner?.pid === self.pid && record.owner.start === self.start;
      const hostId = this.#host.registry.hostId;
      const live = (await this.#host.registry.list()).filter(
        (record) => !ours(record) && staleReason(record, hostId, now) === undefined,
      );
      const ownIds = new Set(own.map((record) => record.id));
      const unrecorded = own.filter((record) => !live.some((r) => r.id === record.id)).length;
      if (live.length + unrecorded + reservedInThisProcess >= deviceLimit) {
        const workers = [...own, ...live.filter((record) => !ownIds.has(record.id) && record.status !== "starting")];
        return { scope: "device", limit: deviceLimit, workers };
      }
    }
    return undefined;
  }

  #leastRecentlyUsedIdle(workers: readonly WorkerRecord[]): WorkerRecord | undefined {
    let victim: { record: WorkerRecord; idleSince: number } | undefined;
    for (const record of workers) {
      const { leases, idleSince } = this.#host.leases.usage(record, this.#host.self);
      if (leases === 0 && (!victim || idleSince < victim.idleSince)) victim = { record, idleSince };
    }
    return victim?.record;
  }

  async #roomOrTimeout(signal: AbortSignal, ms: number): Promise<void> {
    const wake = new AbortController();
    const unsubscribe = this.#host.leases.onIdle(() => wake.abort());
    try {
      await sleep(ms, undefined, { signal: AbortSignal.any([signal, wake.signal]) });
    } catch {
      signal.throwIfAborted(); // a lease was released: look again
    } finally {
      unsubscribe();
    }
  }
}
