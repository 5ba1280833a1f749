import type { WorkerBackend } from "../backend/worker-backend.js";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import { SpawnError } from "../errors/SpawnError.js";
import { processIdentityOf } from "../process/process-identity.js";
import type { RegistryStore } from "../registry/store/RegistryStore.js";
import { parseOrThrow } from "../schema/parse-or-throw.js";
import type { ResolvedWorkerRequest, WorkerRequest } from "../schema/request.js";
import { VerdictCode } from "../schema/verdict.js";
import type { ProcessIdentity, WorkerRecord } from "../schema/worker-record.js";
import { findCandidates } from "./candidates.js";
import { forcedDecision, reusedDecision, spawnedDecision } from "./decision.js";
import { createPoolHooks, type Decision, type PoolHooks, type PoolWarning } from "./hooks.js";
import type { GateEntry } from "./lease-gate.js";
import type { WorkerLease } from "./leases.js";
import { type ResolvedWorkerPoolOptions, type WorkerPoolOptions, WorkerPoolOptionsSchema } from "./options.js";
import { assemblePoolParts, type PoolParts } from "./pool-parts.js";
import { PoolStats, type PoolStatsSnapshot } from "./pool-stats.js";
import { parseRequest } from "./request-input.js";
import { byRank } from "./reuse-judge.js";
import type { SpawnOutcome } from "./spawn-coordinator.js";
import { WORKER_POOL_BRAND } from "./worker-pool-brand.js";

export type { WorkerLease } from "./leases.js";

/** How many times a decision is made when its worker is taken away between the gate and the lease. */
const MAX_ATTEMPTS = 3;

/** `seen`: ids of every worker judged, so a spawn can tell workers that became ready meanwhile. */
type Evaluation = { considered: GateEntry[]; chosen: GateEntry | undefined; seen: Set<string> };

/**
 * Decides, per request, whether a running worker may be reused or a new one must be spawned, and spawns
 * at most once per workerId + fingerprint at a time, across every process sharing the registry. A facade:
 * whether a record may be leased is the gate's (lease-gate.ts), compatibility the policies' (canReuse).
 */
export class WorkerPool implements AsyncDisposable {
  /** See `isWorkerPool`: recognised across installed copies of @modelpool/core. */
  readonly [WORKER_POOL_BRAND] = true;
  readonly hooks: PoolHooks = createPoolHooks();
  readonly backend: WorkerBackend;
  /** Undefined when the pool was created with `registry: false`. */
  readonly registry: RegistryStore | undefined;
  readonly #options: ResolvedWorkerPoolOptions;
  readonly #own = new Map<string, WorkerRecord>();
  readonly #self: ProcessIdentity = processIdentityOf(process.pid);
  /** Aborted by stopAll(): requests under way when it is called never resolve with a worker. */
  #epoch = new AbortController();
  readonly #stats = new PoolStats();
  readonly #parts: PoolParts;
  /** Work the pool does after answering (superseded workers, dead records); see `settled()`. */
  readonly #background = new Set<Promise<unknown>>();

  constructor(options: WorkerPoolOptions) {
    this.#options = parseOrThrow(WorkerPoolOptionsSchema, options, (i) => new InvalidOptionsError("WorkerPool", i));
    this.backend = this.#options.backend;
    const parts = assemblePoolParts({
      options: this.#options,
      hooks: this.hooks,
      self: this.#self,
      own: this.#own,
      stats: this.#stats,
      warn: (warning) => this.#warn(warning),
    });
    this.registry = parts.registry;
    this.#parts = parts;
    for (const plugin of this.#options.plugins) plugin.apply(this);
  }

  /** Counters since the pool was created: decisions, hit rate, denials, spawns, stops, spawn latency. */
  stats(): PoolStatsSnapshot {
    return this.#stats.snapshot();
  }

  /** Resolves once the work the pool does after answering (recording leases, handling superseded workers) is done. */
  async settled(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
    await this.#parts.leases.flush();
  }

  /** Runs one idle/drain sweep now, instead of waiting for the timer (and retries what earlier stops left pending). */
  async sweep(): Promise<void> {
    await this.#parts.stopper.retryPending();
    await this.#parts.lifecycle.sweep();
  }

  /** Workers this pool spawned and has not stopped. */
  get workers(): readonly WorkerRecord[] {
    return [...this.#own.values()];
  }

  /**
   * Reuses a running worker that passes the gate, or spawns one (once, however many ask at the same
   * time). The decision, in order: validate; forceNew spawns without asking anyone; otherwise every
   * candidate goes through the gate and the best admitted one is leased; otherwise spawn or join the
   * spawn under way — a joined worker goes through the gate too.
   */
  async getOrSpawn(input: WorkerRequest): Promise<WorkerLease> {
    const request = parseRequest(input);
    this.#retryPendingStops();
    const epoch = this.#epoch.signal;
    const signal = request.signal ? AbortSignal.any([request.signal, epoch]) : epoch;
    signal.throwIfAborted();
    if (request.forceNew) {
      const worker = await this.#parts.spawns.spawnAlone(request, epoch);
      return this.#handOrFail(worker, forcedDecision(request.workerId, worker), signal);
    }
    // A worker another process stops or drains between the gate and the lease is refused by the lease's
    // own atomic write; the decision is then made again, without it.
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const { considered, chosen, seen } = await this.#evaluate(request, signal, false);
      if (chosen) {
        const decision = reusedDecision(request.workerId, chosen, considered, false);
        const lease = await this.#hand(chosen.candidate, decision, signal, chosen.source === "registry");
        if (lease) return lease;
        continue;
      }
      const spawned = await this.#spawnOrJoin(request, seen, considered, signal, epoch);
      const decision = spawnedDecision(request.workerId, considered, spawned);
      const lease = await this.#hand(spawned.worker, decision, signal, spawned.shared);
      if (lease) return lease;
    }
    const worker = await this.#parts.spawns.spawnAlone(request, epoch);
    return this.#handOrFail(worker, spawnedDecision(request.workerId, [], { worker, shared: false }), signal);
  }

  /** The decision `getOrSpawn` would make, as a dry run: probes, but spawns and changes nothing. */
  async explain(input: WorkerRequest): Promise<Decision> {
    const request = parseRequest(input);
    const signal = request.signal ? AbortSignal.any([request.signal, this.#epoch.signal]) : this.#epoch.signal;
    let decision: Decision;
    if (request.forceNew) decision = forcedDecision(request.workerId, undefined);
    else {
      const { considered, chosen } = await this.#evaluate(request, signal, true);
      decision = chosen
        ? reusedDecision(request.workerId, chosen, considered, true)
        : spawnedDecision(request.workerId, considered, undefined);
    }
    this.#emitDecision(decision);
    return decision;
  }

  /**
   * Stops the workers with this workerId that this pool spawned, and removes them from the registry. One
   * that could not be stopped stays this pool's, and the call rejects with its `StopError` once the
   * others are done.
   */
  async stop(workerId: string): Promise<WorkerRecord[]> {
    const targets = [...this.#own.values()].filter((record) => record.workerId === workerId);
    return this.#stopOwn(targets);
  }

  async #stopOwn(targets: readonly WorkerRecord[]): Promise<WorkerRecord[]> {
    await this.#parts.stopper.retryPending();
    const results = await Promise.allSettled(targets.map((record) => this.#parts.stopper.stopOwn(record)));
    const failed = results.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    return [...targets];
  }

  /**
   * Aborts every request under way (deciding or spawning: none of them resolves with a worker), then
   * stops every worker this pool spawned. Workers of other processes are left alone.
   */
  async stopAll(): Promise<WorkerRecord[]> {
    const epoch = this.#epoch;
    this.#epoch = new AbortController();
    epoch.abort(new Error("WorkerPool.stopAll() was called"));
    await this.#parts.spawns.settled();
    const targets = [...this.#own.values()];
    try {
      return await this.#stopOwn(targets);
    } finally {
      this.#parts.lifecycle.close();
      await this.settled();
    }
  }

  /**
   * Ends this pool's session and leaves its workers running for the next one (the registry is how it
   * finds them): stops the sweep timer and writes what is pending. `stopAll()` is how workers are stopped.
   */
  async close(): Promise<void> {
    this.#parts.lifecycle.close();
    await this.#parts.stopper.close();
    await this.settled();
    if (this.#parts.ownsRegistry) await this.registry?.close?.();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #evaluate(request: ResolvedWorkerRequest, signal: AbortSignal, dryRun: boolean): Promise<Evaluation> {
    const considered: GateEntry[] = [];
    const seen = new Set<string>();
    for (const { record, source } of await findCandidates(request.workerId, this.#own, this.#parts.access)) {
      seen.add(record.id);
      const entry = await this.#parts.gate.judge(record, source, request, signal);
      considered.push(entry);
      if (!dryRun && source === "memory" && entry.verdict.code === VerdictCode.PROCESS_GONE) this.#forgetDead(record);
    }
    const allowed = considered.filter((entry) => entry.verdict.reuse).sort(byRank);
    for (const entry of allowed) {
      if (await this.#parts.gate.admit(entry, request, signal, true)) return { considered, chosen: entry, seen };
    }
    return { considered, chosen: undefined, seen };
  }

  /** Spawns, or joins the spawn under way; a worker someone else started must pass the gate like any other. */
  async #spawnOrJoin(
    request: ResolvedWorkerRequest,
    seen: ReadonlySet<string>,
    considered: GateEntry[],
    signal: AbortSignal,
    epoch: AbortSignal,
  ): Promise<SpawnOutcome> {
    const outcome = await this.#parts.spawns.spawnShared(request, seen, epoch);
    if (!outcome.shared) return outcome;
    const source = this.#own.has(outcome.worker.id) ? "memory" : "registry";
    const entry: GateEntry = { candidate: outcome.worker, source, verdict: { reuse: false, reason: "-", code: "-" } };
    if (await this.#parts.gate.admit(entry, request, signal, false)) return { ...outcome, worker: entry.candidate };
    // Refused (remote, draining, a policy said no...): this request gets a worker of its own.
    considered.push(entry);
    return { worker: await this.#parts.spawns.spawnAlone(request, epoch), shared: false };
  }

  /** `#hand` for a worker this request spawned itself: one taken away before its lease is a failed spawn. */
  async #handOrFail(worker: WorkerRecord, decision: Decision, signal: AbortSignal): Promise<WorkerLease> {
    const lease = await this.#hand(worker, decision, signal, false);
    if (lease) return lease;
    throw new SpawnError(
      decision.workerId,
      "backend-error",
      `worker ${worker.id} was stopped before it could be leased`,
    );
  }

  /**
   * Leases the worker and reports the decision, unless the request was aborted or stopAll() came first;
   * undefined when the worker was stopped, forgotten or marked draining since the gate admitted it.
   */
  async #hand(
    worker: WorkerRecord,
    decision: Decision,
    signal: AbortSignal,
    fromRegistry: boolean,
  ): Promise<WorkerLease | undefined> {
    signal.throwIfAborted();
    if (!fromRegistry && worker.owner?.pid === this.#self.pid && !this.#own.has(worker.id)) return undefined;
    const lease = await this.#parts.leases.lease(worker, decision, fromRegistry);
    if (!lease) return undefined;
    if (signal.aborted) {
      await lease.release();
      signal.throwIfAborted();
    }
    this.#emitDecision(decision);
    // Only the request that spawned handles what its spawn superseded; requests sharing it would repeat that.
    if (decision.outcome === "spawned" && !decision.shared && decision.considered.length > 0) {
      this.#inBackground(this.#parts.lifecycle.supersede(decision.workerId, decision.considered));
    }
    return lease;
  }

  #forgetDead(record: WorkerRecord): void {
    this.#parts.stopper.forget(record);
    this.#inBackground(this.#parts.stopper.removeFromRegistry(record));
  }

  /** Stops and record removals a store failure left pending: tried again on each request, not waited for. */
  #retryPendingStops(): void {
    const { unremoved, draining } = this.#parts.stopper.pending;
    if (unremoved.length > 0 || draining.length > 0) this.#inBackground(this.#parts.stopper.retryPending());
  }

  #inBackground(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => {
      this.#warn({ code: "REGISTRY_WRITE_FAILED", message: `background work failed: ${String(error)}`, error });
    });
    this.#background.add(tracked);
    void tracked.finally(() => this.#background.delete(tracked));
  }

  #emitDecision(decision: Decision): void {
    this.#stats.recordDecision(decision);
    try {
      // Nobody listening: nothing to call (tapable would compile an empty function for it on the first decision).
      if (this.hooks.decided.isUsed()) this.hooks.decided.call(decision);
    } catch (error) {
      // A listener's bug must not cost the caller a worker it already holds.
      this.#warn({ code: "LISTENER_FAILED", message: `a decided listener threw: ${String(error)}`, error });
    }
  }

  #warn(warning: PoolWarning): void {
    if (this.hooks.warning.isUsed()) this.hooks.warning.call(warning);
    else process.emitWarning(warning.message, { code: `MODELPOOL_${warning.code}` });
  }
}
