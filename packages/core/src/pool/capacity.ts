import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { evictedEvent } from "../diagnostics/event-payloads.js";
import { CapacityError } from "../errors/CapacityError.js";
import type { WorkerRecord } from "../schema/worker-record.js";
import { DeviceCapacity, type DeviceSlot } from "./device-capacity.js";
import type { ResolvedWorkerPoolOptions } from "./options.js";
import type { LifecycleHost } from "./WorkerLifecycle.js";

type Full = { scope: "pool" | "device"; limit: number; workers: readonly WorkerRecord[] };
type Attempt =
  | { kind: "reserved"; reservation: Reservation }
  | { kind: "full"; full: Full }
  /** Another process is counting the device: look again in a moment. */
  | { kind: "retry" };

/**
 * Room held for one spawn, given back in two steps, each once the worker is counted another way: the
 * pool's place once the worker is among the pool's own, the device's slot once its record is written.
 * A spawn that fails gives both back once its worker is gone.
 */
export type Reservation = {
  readonly releasePool: () => void;
  readonly releaseDevice: () => Promise<void>;
};

/** What capacity needs of its pool. */
export type CapacityHost = Pick<
  LifecycleHost,
  "registry" | "self" | "leases" | "ownWorkers" | "stopWorker" | "warn" | "events"
>;

/**
 * Room for one more worker: `maxWorkers` (this pool's, counted in memory) and `maxWorkersPerDevice`
 * (every process's on this device, reserved through the registry: device-capacity.ts). At a limit, the
 * least recently used idle worker is stopped; with every worker leased, the request waits (bounded).
 */
export class Capacity {
  readonly #host: CapacityHost;
  readonly #options: ResolvedWorkerPoolOptions;
  /** Spawns of this pool under way that hold a place in it (they count against `maxWorkers`). */
  #reserved = 0;
  #turn: Promise<unknown> = Promise.resolve();
  readonly #device: DeviceCapacity | undefined;

  constructor(host: CapacityHost, options: ResolvedWorkerPoolOptions) {
    this.#host = host;
    this.#options = options;
    const deviceLimit = options.maxWorkersPerDevice;
    this.#device =
      deviceLimit !== undefined && host.registry
        ? new DeviceCapacity(host.registry, deviceLimit, host.self, host.warn)
        : undefined;
  }

  /**
   * Holds a place for one more worker of this pool (and of the device, across processes: see
   * device-capacity.ts), stopping the least recently used idle worker at capacity, or waiting (bounded)
   * for one to become idle. Give the place back through the returned reservation.
   */
  async reserve(signal: AbortSignal, workerId: string): Promise<Reservation> {
    const started = performance.now();
    // Victims this request tried (see below); a record of pid 1 or of this process can never be stopped,
    // and picking it again and again would spin.
    const tried = new Set<string>();
    for (;;) {
      signal.throwIfAborted();
      // One look at a time in this pool: its count and the place taken on it must not interleave.
      const run = this.#turn.then(() => this.#tryReserve(workerId));
      this.#turn = run.catch(() => undefined);
      const attempt = await run;
      if (attempt.kind === "reserved") return attempt.reservation;
      if (attempt.kind === "full") {
        const victim = this.#leastRecentlyUsedIdle(attempt.full.workers, tried);
        if (victim) {
          // Each victim is tried once between two waits: one that was not stopped (held after all, or one
          // that cannot be) is skipped, and one reported stopped yet listed still is not a way to make room.
          // So between waits this loop tries at most as many workers as it sees.
          tried.add(victim.id);
          const stopped = await this.#host.stopWorker(victim, "capacity");
          if (stopped) this.#host.events.emit("evicted", evictedEvent(victim, attempt.full.scope));
          // Every turn of this loop gives the event loop a turn: timers, aborts and releases run meanwhile.
          await new Promise<void>((done) => setImmediate(done));
          if (stopped) continue; // room was made: look again before the timeout is judged
        }
      }
      const waited = Math.round(performance.now() - started);
      if (waited >= this.#options.capacityTimeoutMs) {
        const full =
          attempt.kind === "full" ? attempt.full : { scope: "device" as const, limit: this.#device?.limit ?? 0 };
        throw new CapacityError(full.scope, full.limit, waited);
      }
      // A turn lasts milliseconds; room comes with a release here (onIdle) or is seen at the next look.
      const pause = attempt.kind === "retry" ? 2 + Math.random() * 8 : 50;
      await this.#roomOrTimeout(signal, Math.min(pause, this.#options.capacityTimeoutMs - waited));
      // After a wait, every worker may be tried again (one held a moment ago may be idle now).
      tried.clear();
    }
  }

  async #tryReserve(workerId: string): Promise<Attempt> {
    const own = [...this.#host.ownWorkers()];
    const poolLimit = this.#options.maxWorkers;
    // Spawns in flight hold places, so they count exactly once.
    if (poolLimit !== undefined && own.length + this.#reserved >= poolLimit) {
      return { kind: "full", full: { scope: "pool", limit: poolLimit, workers: own } };
    }
    const device = await this.#device?.tryReserve(workerId, own);
    if (device?.kind === "retry") return device;
    if (device?.kind === "full") {
      // This pool's own workers as it knows them (its leases), then the device's other running workers.
      const ownIds = new Set(own.map((record) => record.id));
      const others = device.workers.filter(
        (record) => !ownIds.has(record.id) && (record.status === "ready" || record.status === "busy"),
      );
      return { kind: "full", full: { scope: "device", limit: device.limit, workers: [...own, ...others] } };
    }
    this.#reserved++;
    return { kind: "reserved", reservation: this.#reservation(device?.slot) };
  }

  #reservation(slot: DeviceSlot | undefined): Reservation {
    let inPool = true;
    return {
      releasePool: () => {
        if (inPool) this.#reserved--;
        inPool = false;
      },
      releaseDevice: () => slot?.release() ?? Promise.resolve(),
    };
  }

  #leastRecentlyUsedIdle(workers: readonly WorkerRecord[], skip: ReadonlySet<string>): WorkerRecord | undefined {
    let victim: { record: WorkerRecord; idleSince: number } | undefined;
    for (const record of workers) {
      if (skip.has(record.id)) continue;
      const { leases, idleSince } = this.#host.leases.usage(record, this.#host.self);
      if (leases === 0 && (!victim || idleSince < victim.idleSince)) victim = { record, idleSince };
    }
    return victim?.record;
  }

  /** Waits `ms`, or less when a lease is released here or the request is aborted (then it throws). */
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
