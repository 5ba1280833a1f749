import { randomUUID } from "node:crypto";
import { SpawnError } from "../errors/SpawnError.js";
import { fingerprintKey } from "../schema/fingerprint.js";
import type { ResolvedWorkerRequest } from "../schema/request.js";
import type { ClaimOwner } from "../schema/spawn-claim.js";
import type { ProcessIdentity, WorkerRecord } from "../schema/worker-record.js";
import { abortable } from "./abortable.js";
import type { RegistryAccess } from "./registry-access.js";
import { claimOrWait } from "./spawn-claim.js";
import { isClaimLost, type Spawner } from "./spawner.js";

/** A spawn's result for one request. `shared`: the worker was started by another request or process. */
export type SpawnOutcome = {
  readonly worker: WorkerRecord;
  readonly shared: boolean;
  readonly sharedFrom?: ProcessIdentity | undefined;
};
/** `foreign`: the worker was not started by this flight (another flight's or another process's). */
type FlightResult = { worker: WorkerRecord; foreign?: true; sharedFrom?: ProcessIdentity | undefined };
type Flight = { promise: Promise<FlightResult>; controller: AbortController; waiters: number; settled: boolean };

/**
 * Spawns at most once per workerId + fingerprint at a time: in this process (flights that concurrent
 * requests join) and across processes (a spawn claim in the registry; waiters share the winner's worker or
 * its failure). A flight nobody waits for any more is aborted; stopAll() aborts them all. What a joiner
 * receives is not yet leasable: the pool's gate decides that.
 */
export class SpawnCoordinator {
  readonly #flights = new Map<string, Flight>();
  readonly #spawner: Spawner;
  readonly #registry: RegistryAccess;
  readonly #self: ProcessIdentity;
  readonly #own: ReadonlyMap<string, WorkerRecord>;

  constructor(
    spawner: Spawner,
    registry: RegistryAccess,
    self: ProcessIdentity,
    own: ReadonlyMap<string, WorkerRecord>,
  ) {
    this.#spawner = spawner;
    this.#registry = registry;
    this.#self = self;
    this.#own = own;
  }

  /** Resolves once every flight under way has settled (stopAll() waits for them after aborting them). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#flights.values()].map((flight) => flight.promise));
  }

  /**
   * Joins the spawn in flight for the same workerId + fingerprint, or starts one. `seen`: ids the request
   * already judged, so a worker that became ready meanwhile can be told from them.
   */
  async spawnShared(
    request: ResolvedWorkerRequest,
    seen: ReadonlySet<string>,
    epoch: AbortSignal,
  ): Promise<SpawnOutcome> {
    epoch.throwIfAborted();
    const key = `${request.workerId}\u0000${fingerprintKey(request.fingerprint)}`;
    let flight = this.#flights.get(key);
    const joined = flight !== undefined;
    if (!flight) flight = this.#track(key, epoch, 0, (signal) => this.#runFlight(request, seen, signal));
    flight.waiters++;
    try {
      const outcome = await abortable(
        flight.promise,
        AbortSignal.any([epoch, ...(request.signal ? [request.signal] : [])]),
      );
      return { worker: outcome.worker, sharedFrom: outcome.sharedFrom, shared: joined || outcome.foreign === true };
    } finally {
      flight.waiters--;
      // Nobody wants this worker any more: stop starting it.
      if (flight.waiters === 0 && !flight.settled) flight.controller.abort(request.signal?.reason);
    }
  }

  /** A spawn of this request's own, joined by nobody and claiming nothing (forceNew, or a joined worker refused). */
  async spawnAlone(request: ResolvedWorkerRequest, epoch: AbortSignal): Promise<WorkerRecord> {
    epoch.throwIfAborted();
    const flight = this.#track(`alone\u0000${randomUUID()}`, epoch, 1, async (signal) => ({
      worker: await this.#spawner.spawnAndRecord(request, signal, undefined),
    }));
    const onAbort = () => flight.controller.abort(request.signal?.reason);
    request.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return (await flight.promise).worker;
    } finally {
      request.signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Registers a spawn as a flight under `key` until it settles: abortable on its own (its controller),
   * with stopAll() (the epoch), and awaited by stopAll().
   */
  #track(
    key: string,
    epoch: AbortSignal,
    waiters: number,
    run: (signal: AbortSignal) => Promise<FlightResult>,
  ): Flight {
    const controller = new AbortController();
    const onEpoch = () => controller.abort(epoch.reason);
    epoch.addEventListener("abort", onEpoch, { once: true });
    const flight: Flight = { controller, waiters, settled: false, promise: Promise.resolve(undefined as never) };
    flight.promise = run(controller.signal).finally(() => {
      epoch.removeEventListener("abort", onEpoch);
      flight.settled = true;
      this.#flights.delete(key);
    });
    flight.promise.catch(() => undefined); // every waiter may have gone; the rejection is theirs, not the process's
    this.#flights.set(key, flight);
    return flight;
  }

  async #runFlight(
    request: ResolvedWorkerRequest,
    seen: ReadonlySet<string>,
    signal: AbortSignal,
  ): Promise<FlightResult> {
    // A flight of ours for this fingerprint may have finished while this request was deciding.
    const key = fingerprintKey(request.fingerprint);
    for (const record of this.#own.values()) {
      if (
        record.workerId === request.workerId &&
        !seen.has(record.id) &&
        record.fingerprint &&
        fingerprintKey(record.fingerprint) === key
      ) {
        return { worker: record, foreign: true, sharedFrom: this.#self };
      }
    }
    const store = this.#registry.store;
    if (!store) return { worker: await this.#spawner.spawnAndRecord(request, signal, undefined) };
    for (;;) {
      let outcome: Awaited<ReturnType<typeof claimOrWait>> | undefined;
      try {
        outcome = await this.#registry.write(() => claimOrWait(store, request, seen, this.#claimOwner(), signal));
      } catch (error) {
        if (!this.#registry.worksAround(error)) throw error;
      }
      if (!outcome) return { worker: await this.#spawner.spawnAndRecord(request, signal, undefined) };
      if (outcome.kind === "finished") {
        return { worker: outcome.worker, foreign: true, sharedFrom: outcome.worker.owner };
      }
      if (outcome.kind === "failed") {
        const { failure } = outcome;
        throw new SpawnError(
          request.workerId,
          "backend-error",
          `the spawn process ${failure.owner.pid} started for the same fingerprint failed (${failure.message}); not retried before ${new Date(failure.retryAfter).toISOString()}`,
        );
      }
      try {
        return { worker: await this.#spawner.spawnAndRecord(request, signal, outcome.claim) };
      } catch (error) {
        // The claim went to another holder while this spawn ran: its worker was stopped, nothing recorded.
        // The request waits for the holder that has the claim (its worker, or its failure), as any waiter.
        if (!isClaimLost(error) || signal.aborted) throw error;
      }
    }
  }

  #claimOwner(): ClaimOwner {
    return {
      pid: this.#self.pid,
      ...(this.#self.start !== undefined ? { start: this.#self.start } : {}),
      host: this.#registry.store?.hostId ?? "",
    };
  }
}
