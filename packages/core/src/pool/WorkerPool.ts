import type { WorkerBackend } from "../backend/worker-backend.js";
import { exitedEvent } from "../diagnostics/event-payloads.js";
import { PoolEvents } from "../diagnostics/pool-events.js";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import { InvalidRequestError } from "../errors/InvalidRequestError.js";
import { SpawnError } from "../errors/SpawnError.js";
import { ownProcessIdentity } from "../process/process-identity.js";
import type { RecordRef, RegistryStore } from "../registry/store/RegistryStore.js";
import { type AdoptInput, AdoptInputSchema } from "../schema/adopt.js";
import { parseOrThrow } from "../schema/parse-or-throw.js";
import type { ResolvedWorkerRequest, WorkerRequest } from "../schema/request.js";
import { VerdictCode } from "../schema/verdict.js";
import type { ProcessIdentity, WorkerRecord } from "../schema/worker-record.js";
import { adoptedRecord, sameProcess } from "./adopt.js";
import { findCandidates } from "./candidates.js";
import { DecisionClock, forcedDecision, reusedDecision, spawnedDecision } from "./decision.js";
import { createPoolHooks, type Decision, type PoolHooks, type PoolWarning } from "./hooks.js";
import type { GateEntry } from "./lease-gate.js";
import type { WorkerLease as BaseLease } from "./leases.js";
import {
  MAX_TIMER_MS,
  type ResolvedWorkerPoolOptions,
  type WorkerPoolOptions,
  WorkerPoolOptionsSchema,
} from "./options.js";
import { assemblePoolParts, type PoolParts } from "./pool-parts.js";
import { PoolStats, type PoolStatsSnapshot } from "./pool-stats.js";
import { findRecord, forgetStopped, stopOne } from "./precise-stop.js";
import { parseRequest } from "./request-input.js";
import { byRank } from "./reuse-judge.js";
import type { SpawnOutcome } from "./spawn-coordinator.js";
import { isLease, type StopOutcome, type WorkerLease } from "./worker-lease.js";
import { WORKER_POOL_BRAND } from "./worker-pool-brand.js";

export type { StopOutcome, WorkerLease } from "./worker-lease.js";

/** How long `forget` waits, by default, for the process the application stopped to be gone. */
const FORGET_TIMEOUT_MS = 5_000;

/** How many times a decision is made when its worker is taken away between the gate and the lease. */
const MAX_ATTEMPTS = 3;

/** `seen`: ids of every worker judged, so a spawn can tell workers that became ready meanwhile. */
type Evaluation = { considered: GateEntry[]; chosen: GateEntry | undefined; seen: Set<string> };

/**
 * Decides, per request, whether a running worker may be reused or a new one must be spawned, and spawns
 * at most once per workerId + fingerprint at a time, across every process sharing the registry. A facade:
 * whether a record may be leased is the gate's (lease-gate.ts), compatibility the policies' (canReuse).
 *
 * `Context` and `Handle` are the application's types (inferred from its backend): what a request's
 * `context` carries to the backend, and what `lease.handle` gives back from the backend's `spawn`.
 */
export class WorkerPool<Context = unknown, Handle = unknown> implements AsyncDisposable {
  /** See `isWorkerPool`: recognised across installed copies of @modelpool/core. */
  readonly [WORKER_POOL_BRAND] = true;
  readonly hooks: PoolHooks = createPoolHooks();
  readonly backend: WorkerBackend<Context, Handle>;
  /** Undefined when the pool was created with `registry: false`. */
  readonly registry: RegistryStore | undefined;
  readonly #options: ResolvedWorkerPoolOptions;
  readonly #own = new Map<string, WorkerRecord>();
  /** What the backend's spawn returned as `handle`, for the workers this pool spawned (memory only, never written). */
  readonly #handles = new Map<string, unknown>();
  // Read once per process, not per pool: a new pool per task was reading /proc/self/stat each time (7% of
  // a cold session's CPU, profiled over 2,000 sessions).
  readonly #self: ProcessIdentity = ownProcessIdentity();
  /** Aborted by stopAll(): requests under way when it is called never resolve with a worker. */
  #epoch = new AbortController();
  readonly #stats = new PoolStats();
  readonly #events: PoolEvents;
  readonly #parts: PoolParts;
  /** Work the pool does after answering (superseded workers, dead records); see `settled()`. */
  readonly #background = new Set<Promise<unknown>>();

  constructor(options: WorkerPoolOptions<Context, Handle>) {
    this.#options = parseOrThrow(WorkerPoolOptionsSchema, options, (i) => new InvalidOptionsError("WorkerPool", i));
    this.backend = this.#options.backend as WorkerBackend<Context, Handle>;
    this.#events = new PoolEvents(this.hooks, (warning) => this.#warn(warning), this.#options.logger);
    const parts = assemblePoolParts({
      events: this.#events,
      options: this.#options,
      hooks: this.hooks,
      self: this.#self,
      own: this.#own,
      handles: this.#handles,
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
  async getOrSpawn(input: WorkerRequest<Context>): Promise<WorkerLease<Handle>> {
    const clock = new DecisionClock();
    const request = parseRequest(input);
    this.#retryPendingStops();
    const epoch = this.#epoch.signal;
    const signal = request.signal ? AbortSignal.any([request.signal, epoch]) : epoch;
    signal.throwIfAborted();
    if (request.forceNew) {
      const worker = await clock.measure("spawnMs", this.#parts.spawns.spawnAlone(request, epoch));
      return this.#handOrFail(worker, clock.finish(forcedDecision(request.workerId, worker)), signal);
    }
    const judged = await this.#leaseJudged(request, signal, clock);
    if (judged) return judged;
    // A worker another process stops or drains between the gate and the lease is refused by the lease's
    // own atomic write; the decision is then made again, without it.
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const { considered, chosen, seen } = await this.#evaluate(request, signal, false, clock);
      if (chosen) {
        const decision = clock.finish(reusedDecision(request.workerId, chosen, considered, false));
        const lease = await this.#hand(chosen.candidate, decision, signal, chosen.source === "registry");
        if (lease) return lease;
        continue;
      }
      const spawned = await clock.measure("spawnMs", this.#spawnOrJoin(request, seen, considered, signal, epoch));
      const decision = clock.finish(spawnedDecision(request.workerId, considered, spawned));
      const lease = await this.#hand(spawned.worker, decision, signal, spawned.shared);
      if (lease) return lease;
    }
    const worker = await clock.measure("spawnMs", this.#parts.spawns.spawnAlone(request, epoch));
    return this.#handOrFail(
      worker,
      clock.finish(spawnedDecision(request.workerId, [], { worker, shared: false })),
      signal,
    );
  }

  /** The decision `getOrSpawn` would make, as a dry run: probes, but spawns and changes nothing. */
  async explain(input: WorkerRequest<Context>): Promise<Decision> {
    const clock = new DecisionClock();
    const request = parseRequest(input);
    const signal = request.signal ? AbortSignal.any([request.signal, this.#epoch.signal]) : this.#epoch.signal;
    let decision: Decision;
    if (request.forceNew) decision = clock.finish(forcedDecision(request.workerId, undefined));
    else {
      const { considered, chosen } = await this.#evaluate(request, signal, true, clock);
      decision = clock.finish(
        chosen
          ? reusedDecision(request.workerId, chosen, considered, true)
          : spawnedDecision(request.workerId, considered, undefined),
      );
    }
    this.#emitDecision(decision);
    return decision;
  }

  /**
   * `stop(workerId)`: stops the workers with this workerId that this pool spawned, and removes them from
   * the registry. `stop(lease)` (the same as `lease.stop()`): releases that lease and stops its worker.
   * `stop({ workerId, id })`: stops the one worker with that record id. Those two never stop a worker
   * another lease holds (of this process or another): it is marked draining instead, and stopped when
   * its last lease is released.
   */
  async stop(workerId: string): Promise<WorkerRecord[]>;
  async stop(target: BaseLease | RecordRef): Promise<StopOutcome>;
  async stop(target: string | BaseLease | RecordRef): Promise<WorkerRecord[] | StopOutcome> {
    if (typeof target === "string") {
      const targets = [...this.#own.values()].filter((record) => record.workerId === target);
      try {
        return await this.#stopOwn(targets);
      } finally {
        this.#dropGoneHandles();
      }
    }
    if (isLease(target)) return target.stop();
    if (isLeaseLike(target)) return this.#stopLease(target);
    const record = await findRecord(recordRef(target, "stop"), this.#own, this.#parts);
    return record ? stopOne(record, this.#parts, this.#self) : "not-found";
  }

  /**
   * For a worker the application stopped itself: once its process is confirmed gone (pid and start time;
   * waited for up to `timeoutMs`, default 5000), drops it from this pool and removes its record. A process
   * still running then is left as it is, record and all. Resolves to whether the pool no longer has it.
   */
  async forget(
    target: WorkerRecord | RecordRef,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<boolean> {
    const timeoutMs = options.timeoutMs ?? FORGET_TIMEOUT_MS;
    if (typeof timeoutMs !== "number" || !(timeoutMs >= 0) || timeoutMs > MAX_TIMER_MS) {
      throw new InvalidRequestError([
        { path: ["timeoutMs"], message: "forget() needs timeoutMs between 0 and 2^31-1" },
      ]);
    }
    const record = await findRecord(recordRef(target, "forget"), this.#own, this.#parts);
    if (!record) return true;
    return forgetStopped(record, this.#parts, { timeoutMs, signal: options.signal });
  }

  /**
   * Records a worker the application started itself and that is already running, as this pool's own: its
   * identity is read now (pid + start time; AdoptRefusedError for a pid that is not running, pid ≤ 1, this
   * process and the other processes it must never signal), then it is a candidate like any other (judged by
   * the policies, probed, leased) and stopped like any other (`stop`, `stopAll`, idle TTL). Adopting the same
   * process twice gives back the first record.
   */
  async adopt(input: AdoptInput): Promise<WorkerRecord> {
    const parsed = parseOrThrow(AdoptInputSchema, input, (issues) => new InvalidRequestError(issues));
    const record = adoptedRecord(parsed, {
      self: this.#self,
      hostId: this.registry?.hostId,
      backend: this.backend.name,
    });
    const known = [...this.#own.values(), ...(await this.#parts.access.lookup(parsed.workerId))];
    const same = known.find(
      (other) => other.workerId === parsed.workerId && other.status !== "stopped" && sameProcess(other, record),
    );
    if (same) return same;
    this.#own.set(record.id, record);
    try {
      await this.#parts.access.write((store) => store.put(record));
    } catch (error) {
      this.#own.delete(record.id);
      throw error;
    }
    return record;
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
      this.#dropGoneHandles();
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

  /**
   * A decision on a worker the store has read before, in one request to it: judged (gate, policies,
   * probe) from the store's recent read, then leased with `holdJudged`, which writes the entry only if
   * the record is still the one judged. Undefined when the store keeps no such read, nothing there passes
   * the gate (a spawn is never decided from a read that may be old), this process already holds the
   * chosen worker (no entry to write, so nothing to check the read with), or the record changed: the
   * decision is then made from a fresh lookup, as if this had not been tried.
   */
  async #leaseJudged(
    request: ResolvedWorkerRequest,
    signal: AbortSignal,
    clock: DecisionClock,
  ): Promise<WorkerLease<Handle> | undefined> {
    const recent = this.#parts.access.recent(request.workerId);
    if (!recent) return undefined;
    const { considered, chosen } = await this.#evaluate(request, signal, false, clock, recent);
    if (!chosen || this.#parts.leases.book.processCount(chosen.candidate.id) > 0) return undefined;
    const decision = clock.finish(reusedDecision(request.workerId, chosen, considered, false));
    return this.#hand(chosen.candidate, decision, signal, chosen.source === "registry", true);
  }

  async #evaluate(
    request: ResolvedWorkerRequest,
    signal: AbortSignal,
    dryRun: boolean,
    clock: DecisionClock,
    recent?: readonly WorkerRecord[],
  ): Promise<Evaluation> {
    const considered: GateEntry[] = [];
    const seen = new Set<string>();
    // Timed inline (a clock read each side), not through a wrapper: this is every reuse decision's path.
    let began = clock.now();
    const candidates = await findCandidates(request.workerId, this.#own, this.#parts.access, recent);
    began = clock.add("candidatesMs", began);
    for (const { record, source } of candidates) {
      seen.add(record.id);
      const entry = await this.#parts.gate.judge(record, source, request, signal);
      began = clock.add("policiesMs", began);
      considered.push(entry);
      if (!dryRun && source === "memory" && entry.verdict.code === VerdictCode.PROCESS_GONE) {
        this.#forgetDead(record, entry.verdict.reason);
      }
      if (!dryRun && source === "registry" && record.draining) this.#finishDrain(record);
    }
    const allowed = considered.filter((entry) => entry.verdict.reuse).sort(byRank);
    for (const entry of allowed) {
      const admitted = await this.#parts.gate.admit(entry, request, signal, true);
      began = clock.add("probeMs", began);
      if (admitted) return { considered, chosen: entry, seen };
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
  async #handOrFail(worker: WorkerRecord, decision: Decision, signal: AbortSignal): Promise<WorkerLease<Handle>> {
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
   * undefined when the worker was stopped, forgotten or marked draining since the gate admitted it (or,
   * `judged` from the store's recent read, when its record is no longer the one judged).
   */
  async #hand(
    worker: WorkerRecord,
    decision: Decision,
    signal: AbortSignal,
    fromRegistry: boolean,
    judged = false,
  ): Promise<WorkerLease<Handle> | undefined> {
    signal.throwIfAborted();
    if (!fromRegistry && worker.owner?.pid === this.#self.pid && !this.#own.has(worker.id)) return undefined;
    const lease = await this.#parts.leases.lease(worker, decision, fromRegistry, judged);
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
    return this.#withHandle(lease);
  }

  /** The lease as the caller gets it: with the backend's handle of its worker (when this pool spawned it) and `stop()`. */
  #withHandle(lease: BaseLease): WorkerLease<Handle> {
    this.#dropGoneHandles();
    const handle = this.#handles.get(lease.worker.id) as Handle | undefined;
    return Object.freeze({ ...lease, handle, stop: () => this.#stopLease(lease) });
  }

  /** Handles of workers this pool no longer has go with them (the application's objects are not kept alive). */
  #dropGoneHandles(): void {
    for (const id of this.#handles.keys()) if (!this.#own.has(id)) this.#handles.delete(id);
  }

  /** Releases the lease, then stops its worker unless another lease holds it (see `stop`). */
  async #stopLease(lease: BaseLease): Promise<StopOutcome> {
    await lease.release();
    const record = await findRecord(lease.worker, this.#own, this.#parts);
    return record ? stopOne(record, this.#parts, this.#self) : "not-found";
  }

  #forgetDead(record: WorkerRecord, reason: string): void {
    this.#parts.stopper.forget(record);
    this.#events.emit("exited", exitedEvent(record, reason));
    this.#inBackground(this.#parts.stopper.removeFromRegistry(record));
  }

  /** Stops and record removals a store failure left pending: tried again on each request, not waited for. */
  #retryPendingStops(): void {
    const { unremoved, draining } = this.#parts.stopper.pending;
    if (unremoved.length > 0 || draining.length > 0) this.#inBackground(this.#parts.stopper.retryPending());
  }

  /**
   * A draining worker of this host met in a lookup: this pool finishes its drain (a sweep of that one
   * record: stopped unless a live lease on any host holds it). Its owner may have exited while another
   * process, of this host or another, held it; the holder's release could not stop it if that holder is
   * on another host, and only this host may signal it.
   */
  #finishDrain(record: WorkerRecord): void {
    const hostId = this.registry?.hostId;
    if (hostId === undefined || (record.host !== undefined && record.host !== hostId)) return;
    this.#inBackground(this.#parts.lifecycle.sweep({ workerId: record.workerId, id: record.id }));
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
    this.#events.publishAndLog("decided", decision);
  }

  #warn(warning: PoolWarning): void {
    this.#events.publishAndLog("warning", warning);
    if (this.hooks.warning.isUsed()) this.hooks.warning.call(warning);
    // A logger (or NODE_DEBUG) takes warnings nobody taps; without either, Node's own warning.
    else if (!this.#events.logWarning(warning)) {
      process.emitWarning(warning.message, { code: `MODELPOOL_${warning.code}` });
    }
  }
}

/** A lease of modelpool's without `stop()` (one made by an older copy of core). */
function isLeaseLike(value: object): value is BaseLease {
  const lease = value as Partial<BaseLease>;
  return typeof lease.release === "function" && typeof lease.worker === "object";
}

/** `{ workerId, id }` from what the caller gave, or an InvalidRequestError naming what is wrong. */
function recordRef(target: unknown, method: string): RecordRef {
  const ref = target as Partial<RecordRef> | null;
  const bad = (field: string) =>
    new InvalidRequestError([{ path: [field], message: `${method}() needs a ${field} string (a record's ${field})` }]);
  if (typeof ref !== "object" || ref === null) throw bad("id");
  if (typeof ref.workerId !== "string" || ref.workerId === "") throw bad("workerId");
  if (typeof ref.id !== "string" || ref.id === "") throw bad("id");
  return { workerId: ref.workerId, id: ref.id };
}
