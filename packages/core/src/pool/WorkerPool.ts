import { randomUUID } from "node:crypto";
import {
  type ProbeResult,
  ProbeResultSchema,
  type SpawnContext,
  type SpawnedWorker,
  SpawnedWorkerSchema,
  type WorkerBackend,
} from "../backend/worker-backend.js";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import { InvalidRequestError } from "../errors/InvalidRequestError.js";
import { InvalidVerdictError } from "../errors/InvalidVerdictError.js";
import { isModelpoolError } from "../errors/ModelpoolError.js";
import { isRegistryVersionError } from "../errors/RegistryVersionError.js";
import { isSpawnError, SpawnError } from "../errors/SpawnError.js";
import { processIdentityOf } from "../process/process-identity.js";
import { checkRecordLiveness } from "../process/record-liveness.js";
import { identityToRecord } from "../process/recorded-identity.js";
import { checkRecordedProcess } from "../process/recorded-process.js";
import { terminateRecordedProcess } from "../process/terminate.js";
import { verifySpawnedProcess } from "../process/verify-spawned.js";
import { DeviceRegistry } from "../registry/DeviceRegistry.js";
import {
  isRegistryStore,
  type RecordRef,
  type RegistryStore,
  type UnreadableRecord,
} from "../registry/store/RegistryStore.js";
import { fingerprintKey } from "../schema/fingerprint.js";
import { FINGERPRINT_SCHEME, readRecordedFingerprint } from "../schema/fingerprint-scheme.js";
import { PARSE_CONTEXT, parseOrThrow } from "../schema/parse-or-throw.js";
import { findPrototypeKey } from "../schema/prototype-keys.js";
import { type ResolvedWorkerRequest, type WorkerRequest, WorkerRequestSchema } from "../schema/request.js";
import type { ClaimOwner, SpawnClaim } from "../schema/spawn-claim.js";
import { type ReuseVerdict, ReuseVerdictSchema } from "../schema/verdict.js";
import type { ProcessIdentity, WorkerRecord } from "../schema/worker-record.js";
import { timeoutSignal } from "../timers/timeout-signal.js";
import { abortable } from "./abortable.js";
import {
  type CandidateSource,
  type ConsideredCandidate,
  createPoolHooks,
  type Decision,
  initialVerdict,
  type PoolHooks,
  type PoolWarning,
} from "./hooks.js";
import { WORKER_POOL_BRAND } from "./is-worker-pool.js";
import { LeaseBook } from "./lease-book.js";
import { isLoopbackUrl } from "./loopback.js";
import { type ResolvedWorkerPoolOptions, type WorkerPoolOptions, WorkerPoolOptionsSchema } from "./options.js";
import { PoolStats, type PoolStatsSnapshot, type StopCause } from "./pool-stats.js";
import { claimOrWait, keepClaimAlive } from "./spawn-claim.js";
import { WorkerLifecycle } from "./WorkerLifecycle.js";

/**
 * What `getOrSpawn` hands back: the worker to use, why it was chosen, and `release()` to call when done
 * with it (idle TTL, draining and capacity count leases). Releasing twice is harmless.
 */
export type WorkerLease = { readonly worker: WorkerRecord; readonly decision: Decision; release(): Promise<void> };

const BY_POOL = "modelpool";
const DRAINING_REASON = "it was superseded and is draining: it stops once its leases are released";

/** `seen`: ids of every worker judged, so a spawn can tell workers that became ready meanwhile. */
type Evaluation = { considered: MutableConsidered[]; chosen: MutableConsidered | undefined; seen: Set<string> };
type MutableConsidered = { candidate: WorkerRecord; source: CandidateSource; verdict: ReuseVerdict };
type SpawnOutcome = { worker: WorkerRecord; sharedFrom?: ProcessIdentity | undefined };
type Flight = { promise: Promise<SpawnOutcome>; controller: AbortController; waiters: number; settled: boolean };

/**
 * Decides, per request, whether a running worker may be reused or a new one must be spawned, and spawns
 * at most once per workerId + fingerprint at a time, across every process sharing the device registry.
 * Compatibility is not its business: policies tapping `hooks.canReuse` decide it.
 */
export class WorkerPool {
  /** See `isWorkerPool`: recognised across installed copies of @modelpool/core. */
  readonly [WORKER_POOL_BRAND] = true;
  readonly hooks: PoolHooks = createPoolHooks();
  readonly backend: WorkerBackend;
  /** Undefined when the pool was created with `registry: false`. */
  readonly registry: RegistryStore | undefined;
  readonly #options: ResolvedWorkerPoolOptions;
  readonly #own = new Map<string, WorkerRecord>();
  readonly #flights = new Map<string, Flight>();
  readonly #probedHealthyAt = new Map<string, number>();
  readonly #self: ProcessIdentity = processIdentityOf(process.pid);
  /** Aborted by stopAll(): requests under way when it is called must not spawn after it returns. */
  #epoch = new AbortController();
  readonly #warnedUnreadable = new Set<string>();
  /** Which record each leased worker is, so its lease count can be written to the right record. */
  readonly #leasedRefs = new Map<string, RecordRef>();
  readonly #leases = new LeaseBook();
  readonly #stats = new PoolStats();
  readonly #lifecycle: WorkerLifecycle;
  /** Work the pool does after answering (lease bookkeeping, superseded workers); see `settled()`. */
  readonly #background = new Set<Promise<unknown>>();
  #leaseFlush: Promise<void> | undefined;
  #leaseFlushAgain = false;

  constructor(options: WorkerPoolOptions) {
    this.#options = parseOrThrow(
      WorkerPoolOptionsSchema,
      options,
      (issues) => new InvalidOptionsError("WorkerPool", issues),
    );
    this.backend = this.#options.backend;
    const registry = this.#options.registry;
    this.registry =
      registry === false
        ? undefined
        : isRegistryStore(registry)
          ? registry
          : new DeviceRegistry(typeof registry === "string" ? { path: registry } : {});
    this.#lifecycle = new WorkerLifecycle(
      {
        registry: this.registry,
        self: this.#self,
        leases: this.#leases,
        ownWorkers: () => this.#own.values(),
        stopWorker: (record, cause) => this.#stopWorker(record, cause),
        markDraining: (record) => this.#markDraining(record),
        warn: (warning) => this.#warn(warning),
      },
      this.#options,
      this.backend.name,
    );
    if (this.#options.idleTtlMs !== undefined) this.#lifecycle.ensureSweeping();
    for (const plugin of this.#options.plugins) plugin.apply(this);
  }

  /** Counters since the pool was created: decisions, hit rate, denials, spawns, stops, spawn latency. */
  stats(): PoolStatsSnapshot {
    return this.#stats.snapshot();
  }

  /** Resolves once the work the pool does after answering (recording leases, handling superseded workers) is done. */
  async settled(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
  }

  /** Runs one idle/drain sweep now, instead of waiting for the timer. */
  sweep(): Promise<void> {
    return this.#lifecycle.sweep();
  }

  /** Workers this pool spawned and has not stopped. */
  get workers(): readonly WorkerRecord[] {
    return [...this.#own.values()];
  }

  /** Reuses a compatible running worker, or spawns one (once, however many ask at the same time). */
  async getOrSpawn(input: WorkerRequest): Promise<WorkerLease> {
    const request = this.#parseRequest(input);
    request.signal?.throwIfAborted();
    const epoch = this.#epoch.signal;
    if (request.forceNew) {
      const worker = await this.#spawnUnclaimed(request, epoch);
      return this.#lease(worker, {
        outcome: "forced",
        reason: "forceNew: spawned a new worker without consulting canReuse",
        workerId: request.workerId,
        considered: [],
        worker,
        shared: false,
        dryRun: false,
      });
    }
    const evaluation = await this.#evaluate(request, false);
    if (evaluation.chosen) {
      const { candidate, source, verdict } = evaluation.chosen;
      return this.#lease(candidate, {
        outcome: "reused",
        reason: `reused ${source} worker ${candidate.id} (pid ${candidate.pid}): ${verdict.reason}`,
        workerId: request.workerId,
        considered: evaluation.considered,
        worker: candidate,
        shared: false,
        dryRun: false,
      });
    }
    const spawned = await this.#spawnShared(request, evaluation.seen, epoch);
    return this.#lease(spawned.worker, {
      outcome: "spawned",
      reason: spawned.shared
        ? `shared the spawn of worker ${spawned.worker.id} started for the same fingerprint${spawned.sharedFrom ? ` by process ${spawned.sharedFrom.pid}` : ""}`
        : spawnReason(request.workerId, evaluation.considered),
      workerId: request.workerId,
      considered: evaluation.considered,
      worker: spawned.worker,
      shared: spawned.shared,
      dryRun: false,
    });
  }

  /** The decision `getOrSpawn` would make, as a dry run: probes, but spawns and changes nothing. */
  async explain(input: WorkerRequest): Promise<Decision> {
    const request = this.#parseRequest(input);
    let decision: Decision;
    if (request.forceNew) {
      decision = {
        outcome: "forced",
        reason: "forceNew: would spawn a new worker without consulting canReuse",
        workerId: request.workerId,
        considered: [],
        shared: false,
        dryRun: true,
      };
    } else {
      const { considered, chosen } = await this.#evaluate(request, true);
      decision = chosen
        ? {
            outcome: "reused",
            reason: `would reuse ${chosen.source} worker ${chosen.candidate.id} (pid ${chosen.candidate.pid}): ${chosen.verdict.reason}`,
            workerId: request.workerId,
            considered,
            worker: chosen.candidate,
            shared: false,
            dryRun: true,
          }
        : {
            outcome: "spawned",
            reason: `would spawn: ${spawnReason(request.workerId, considered)}`,
            workerId: request.workerId,
            considered,
            shared: false,
            dryRun: true,
          };
    }
    this.#emitDecision(decision);
    return decision;
  }

  /** Stops the workers with this workerId that this pool spawned, and removes them from the registry. */
  async stop(workerId: string): Promise<WorkerRecord[]> {
    const targets = [...this.#own.values()].filter((record) => record.workerId === workerId);
    await Promise.all(targets.map((record) => this.#stopWorker(record, "manual")));
    return targets;
  }

  /** Aborts spawns in flight, then stops every worker this pool spawned. Workers of other processes are left alone. */
  async stopAll(): Promise<WorkerRecord[]> {
    const epoch = this.#epoch;
    this.#epoch = new AbortController();
    epoch.abort(new Error("WorkerPool.stopAll() was called"));
    const flights = [...this.#flights.values()];
    await Promise.allSettled(flights.map((flight) => flight.promise));
    const targets = [...this.#own.values()];
    await Promise.all(targets.map((record) => this.#stopWorker(record, "manual")));
    this.#lifecycle.close();
    await this.settled();
    return targets;
  }

  #parseRequest(input: WorkerRequest): ResolvedWorkerRequest {
    const prototypeKey = findPrototypeKey(input);
    if (prototypeKey) {
      throw new InvalidRequestError([{ path: prototypeKey, message: "a prototype key is not allowed" }]);
    }
    return parseOrThrow(WorkerRequestSchema, input, (issues) => new InvalidRequestError(issues));
  }

  // ---- deciding -------------------------------------------------------------------------------------

  async #evaluate(request: ResolvedWorkerRequest, dryRun: boolean): Promise<Evaluation> {
    const considered: MutableConsidered[] = [];
    const eligible: MutableConsidered[] = [];
    const seen = new Set<string>();
    const deny = (candidate: WorkerRecord, source: CandidateSource, reason: string) =>
      considered.push({ candidate, source, verdict: { reuse: false, reason, by: BY_POOL } });

    for (const record of this.#own.values()) {
      if (record.workerId !== request.workerId) continue;
      seen.add(record.id);
      const check = checkRecordedProcess(record);
      if (check.ok && record.draining) {
        deny(record, "memory", DRAINING_REASON);
      } else if (check.ok) {
        eligible.push({ candidate: record, source: "memory", verdict: initialVerdict() });
      } else {
        deny(record, "memory", check.reason);
        if (!dryRun) this.#forgetDead(record);
      }
    }
    for (const record of await this.#registryCandidates(request.workerId)) {
      if (this.#own.has(record.id) || (record.status !== "ready" && record.status !== "busy")) continue;
      seen.add(record.id);
      const check = checkRecordLiveness(record, this.registry?.hostId ?? "");
      const scheme = record.fingerprint
        ? readRecordedFingerprint(record.fingerprint, record.fingerprintScheme)
        : undefined;
      if (!check.ok) deny(record, "registry", check.reason);
      else if (record.draining) deny(record, "registry", DRAINING_REASON);
      else if (scheme && "unreadable" in scheme) deny(record, "registry", `cannot be matched: ${scheme.unreadable}`);
      else if (this.#remoteDenial(record) !== undefined) {
        deny(record, "registry", this.#remoteDenial(record) as string);
      } else {
        const candidate = scheme && "fingerprint" in scheme ? { ...record, fingerprint: scheme.fingerprint } : record;
        eligible.push({ candidate, source: "registry", verdict: initialVerdict() });
      }
    }

    const allowed: MutableConsidered[] = [];
    for (const entry of eligible) {
      entry.verdict = await this.#askPolicies(request, entry.candidate, entry.source);
      considered.push(entry);
      if (entry.verdict.reuse) allowed.push(entry);
    }
    allowed.sort(
      (a, b) => (b.verdict.rank ?? 0) - (a.verdict.rank ?? 0) || b.candidate.updatedAt - a.candidate.updatedAt,
    );

    for (const entry of allowed) {
      const probe = await this.#probe(entry.candidate, request.signal);
      if (!probe.healthy) {
        entry.verdict = { reuse: false, reason: `probe failed: ${probe.reason ?? "unhealthy"}`, by: this.backend.name };
        continue;
      }
      // A real probe takes time: the worker may have died meanwhile, and a lease on a dead worker is worse
      // than a spawn. (Without a probe, the identity check just above is still fresh.)
      const stillThere = probe.asked ? this.#checkAlive(entry.candidate) : { ok: true as const };
      if (!stillThere.ok) {
        entry.verdict = { reuse: false, reason: `exited after its probe: ${stillThere.reason}`, by: BY_POOL };
        continue;
      }
      const live = probe.fingerprint;
      if (
        live &&
        (!entry.candidate.fingerprint || fingerprintKey(live) !== fingerprintKey(entry.candidate.fingerprint))
      ) {
        // The worker's own word on its model beats what the registry remembers.
        const liveCandidate = { ...entry.candidate, fingerprint: live };
        const verdict = await this.#askPolicies(request, liveCandidate, entry.source);
        entry.candidate = liveCandidate;
        if (!verdict.reuse) {
          entry.verdict = { ...verdict, reason: `its live model is ${live.resolvedModel}: ${verdict.reason}` };
          this.#probedHealthyAt.delete(entry.candidate.id);
          continue;
        }
        entry.verdict = verdict;
      }
      return { considered, chosen: entry, seen };
    }
    return { considered, chosen: undefined, seen };
  }

  async #registryCandidates(workerId: string): Promise<readonly WorkerRecord[]> {
    const registry = this.registry;
    if (!registry) return [];
    const read = await registry.lookup(workerId);
    this.#noticeUnreadable(read.unreadable);
    return read.records;
  }

  /** Warns once per unreadable record and reason (they are kept as they are and never reused). */
  #noticeUnreadable(unreadable: readonly UnreadableRecord[]): void {
    const fresh = unreadable.filter((entry) => !this.#warnedUnreadable.has(`${entry.location}\u0000${entry.reason}`));
    const first = fresh[0];
    if (!first) return;
    // Bounded: a registry full of broken files must not grow this set without end.
    if (this.#warnedUnreadable.size > 10_000) this.#warnedUnreadable.clear();
    for (const entry of fresh) this.#warnedUnreadable.add(`${entry.location}\u0000${entry.reason}`);
    unreadable = fresh;
    this.#warn({
      code: "REGISTRY_ENTRIES_UNREADABLE",
      message: `${unreadable.length} record${unreadable.length === 1 ? "" : "s"} of registry ${this.registry?.location} could not be read and will never be reused (kept as they are); first, ${first.location}: ${first.reason}`,
    });
  }

  /** Whether a record's worker runs on another host than this pool's (only its own host may signal it). */
  #isOtherHosts(record: WorkerRecord): boolean {
    return this.registry !== undefined && record.host !== undefined && record.host !== this.registry.hostId;
  }

  /**
   * Why a registry worker cannot be reached from here, or undefined if it can: another host's worker is
   * remote whatever its URL says (its loopback is not ours), and is reused only through its URL, and
   * only with `allowRemoteUrls`; a URL of this host must be loopback unless remote URLs are allowed.
   */
  #remoteDenial(record: WorkerRecord): string | undefined {
    if (this.#isOtherHosts(record)) {
      if (record.url === undefined) return `it runs on host ${record.host} and records no URL to reach it by`;
      if (!this.#options.allowRemoteUrls) return `it runs on host ${record.host} (allowRemoteUrls is off)`;
      return undefined;
    }
    if (record.url !== undefined && !this.#options.allowRemoteUrls && !isLoopbackUrl(record.url)) {
      return `its URL ${record.url} is not on this machine (allowRemoteUrls is off)`;
    }
    return undefined;
  }

  /** Whether a worker is still running: by its process on this host, by its heartbeat on another. */
  #checkAlive(record: WorkerRecord) {
    return this.registry ? checkRecordLiveness(record, this.registry.hostId) : checkRecordedProcess(record);
  }

  async #askPolicies(
    request: ResolvedWorkerRequest,
    candidate: WorkerRecord,
    source: CandidateSource,
  ): Promise<ReuseVerdict> {
    const verdict = await this.hooks.canReuse.promise(initialVerdict(), { request, candidate, source });
    return parseOrThrow(
      ReuseVerdictSchema,
      verdict,
      (issues) =>
        new InvalidVerdictError(
          this.hooks.canReuse.taps.map((tap) => tap.name),
          issues,
        ),
    );
  }

  /** `asked`: whether the worker was really asked (no probe, or a recent healthy one, skips it). */
  async #probe(candidate: WorkerRecord, signal: AbortSignal | undefined): Promise<ProbeResult & { asked: boolean }> {
    const probe = this.backend.probe?.bind(this.backend);
    if (!probe) return { healthy: true, asked: false };
    const lastHealthy = this.#probedHealthyAt.get(candidate.id);
    if (lastHealthy !== undefined && Date.now() - lastHealthy < this.#options.healthyForMs) {
      return { healthy: true, asked: false };
    }
    const timeout = timeoutSignal(this.#options.probeTimeoutMs, signal);
    const bounded = timeout.signal;
    let result: ProbeResult;
    try {
      // Raced against the signal so a backend that ignores it still cannot hold the request.
      const raw = await abortable(probe(candidate, { signal: bounded }), bounded);
      const parsed = ProbeResultSchema.safeParse(raw, PARSE_CONTEXT);
      result = parsed.success
        ? parsed.data
        : { healthy: false, reason: `backend ${this.backend.name} returned an invalid probe result` };
    } catch (error) {
      signal?.throwIfAborted();
      result = timeout.timedOut
        ? { healthy: false, reason: `no answer within ${this.#options.probeTimeoutMs} ms` }
        : { healthy: false, reason: error instanceof Error ? error.message : String(error) };
    } finally {
      timeout.clear();
    }
    if (result.healthy) this.#probedHealthyAt.set(candidate.id, Date.now());
    else this.#probedHealthyAt.delete(candidate.id);
    return { ...result, asked: true };
  }

  // ---- spawning -------------------------------------------------------------------------------------

  /** Joins the spawn in flight for the same workerId + fingerprint, or starts one. */
  async #spawnShared(
    request: ResolvedWorkerRequest,
    seen: ReadonlySet<string>,
    epoch: AbortSignal,
  ): Promise<SpawnOutcome & { shared: boolean }> {
    epoch.throwIfAborted();
    const key = `${request.workerId}\u0000${fingerprintKey(request.fingerprint)}`;
    let flight = this.#flights.get(key);
    const joined = flight !== undefined;
    if (!flight) flight = this.#startFlight(request, key, seen, epoch);
    flight.waiters++;
    try {
      const outcome = await abortable(flight.promise, request.signal);
      return { ...outcome, shared: joined || outcome.sharedFrom !== undefined };
    } finally {
      flight.waiters--;
      // Nobody wants this worker any more: stop starting it.
      if (flight.waiters === 0 && !flight.settled) flight.controller.abort(request.signal?.reason);
    }
  }

  #startFlight(request: ResolvedWorkerRequest, key: string, seen: ReadonlySet<string>, epoch: AbortSignal): Flight {
    return this.#track(key, epoch, 0, (signal) => this.#runFlight(request, seen, signal));
  }

  /**
   * Registers a spawn as a flight under `key` until it settles: abortable on its own (its controller),
   * with stopAll() (the epoch), and awaited by stopAll().
   */
  #track(
    key: string,
    epoch: AbortSignal,
    waiters: number,
    run: (signal: AbortSignal) => Promise<SpawnOutcome>,
  ): Flight {
    const { controller, release } = abortedWith(epoch);
    const flight: Flight = { controller, waiters, settled: false, promise: Promise.resolve(undefined as never) };
    flight.promise = run(controller.signal).finally(() => {
      release();
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
  ): Promise<SpawnOutcome> {
    // A flight of ours for this fingerprint may have finished while this request was deciding.
    const key = fingerprintKey(request.fingerprint);
    for (const record of this.#own.values()) {
      if (
        record.workerId === request.workerId &&
        !seen.has(record.id) &&
        record.fingerprint &&
        fingerprintKey(record.fingerprint) === key
      ) {
        return { worker: record, sharedFrom: this.#self };
      }
    }
    const registry = this.registry;
    if (!registry) return { worker: await this.#spawnAndRecord(request, signal, undefined) };
    const outcome = await this.#withRegistry(() =>
      claimOrWait(
        registry,
        request,
        seen,
        this.#claimOwner(registry),
        signal,
        (record) => this.#remoteDenial(record) === undefined,
      ),
    );
    if (!outcome) return { worker: await this.#spawnAndRecord(request, signal, undefined) };
    if (outcome.kind === "finished") return { worker: outcome.worker, sharedFrom: outcome.worker.owner };
    if (outcome.kind === "failed") {
      const { failure } = outcome;
      throw new SpawnError(
        request.workerId,
        "backend-error",
        `the spawn process ${failure.owner.pid} started for the same fingerprint failed (${failure.message}); not retried before ${new Date(failure.retryAfter).toISOString()}`,
      );
    }
    return { worker: await this.#spawnAndRecord(request, signal, outcome.claim) };
  }

  #claimOwner(registry: RegistryStore): ClaimOwner {
    return {
      pid: this.#self.pid,
      ...(this.#self.start !== undefined ? { start: this.#self.start } : {}),
      host: registry.hostId,
    };
  }

  async #spawnUnclaimed(request: ResolvedWorkerRequest, epoch: AbortSignal): Promise<WorkerRecord> {
    epoch.throwIfAborted();
    const flight = this.#track(`forced\u0000${randomUUID()}`, epoch, 1, async (signal) => ({
      worker: await this.#spawnAndRecord(request, signal, undefined),
    }));
    const onAbort = () => flight.controller.abort(request.signal?.reason);
    request.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return (await flight.promise).worker;
    } finally {
      request.signal?.removeEventListener("abort", onAbort);
    }
  }

  async #spawnAndRecord(
    request: ResolvedWorkerRequest,
    signal: AbortSignal,
    claim: SpawnClaim | undefined,
  ): Promise<WorkerRecord> {
    let spawned: SpawnedWorker;
    let unreserve: (() => void) | undefined;
    const startedAt = Date.now();
    const held = claim && this.registry ? keepClaimAlive(this.registry, claim) : undefined;
    const id = randomUUID();
    // The worker's process is recorded (`starting`) as soon as it exists, before readiness is awaited: if
    // this process dies meanwhile, the next claimant of this spawn (or `modelpool prune --stop`) finds it
    // and stops it, instead of it running on with no record.
    let starting: Promise<unknown> | undefined;
    const onProcess = ({ pid }: { pid: number }) => {
      starting ??= this.#writeOrWarn(`record starting worker ${id}`, (registry) =>
        registry.put(this.#startingRecord(request, id, pid, startedAt)),
      );
    };
    try {
      unreserve = await this.#lifecycle.reserve(signal);
      spawned = await this.#callBackendSpawn(request, signal, {
        onProcess,
        ...(claim ? { spawnId: claim.token } : {}),
      });
    } catch (error) {
      unreserve?.();
      held?.stop();
      // The backend stopped what it started; its record goes with it.
      if (starting) {
        await starting;
        await this.#writeOrWarn(`remove failed worker ${id}`, (registry) =>
          registry.remove({ workerId: request.workerId, id }),
        );
      }
      // Only a failed start is shared with waiters; no room or an abort says nothing about the model.
      if (held) await this.#releaseClaim(held.current(), isSpawnError(error) ? error : undefined);
      if (!signal.aborted) this.#stats.recordSpawn(undefined);
      throw error;
    }
    held?.stop();
    this.#stats.recordSpawn(Date.now() - startedAt);
    const idleTtlMs = request.idleTtlMs ?? this.#options.idleTtlMs;
    await starting;
    const record: WorkerRecord = {
      kind: "worker",
      id,
      workerId: request.workerId,
      pid: spawned.pid,
      ...identityToRecord(spawned.pid),
      fingerprint: request.fingerprint,
      fingerprintScheme: FINGERPRINT_SCHEME,
      status: "ready",
      ...(spawned.url !== undefined ? { url: spawned.url } : {}),
      ...(spawned.port !== undefined ? { port: spawned.port } : {}),
      ...(spawned.sessionId !== undefined ? { sessionId: spawned.sessionId } : {}),
      backend: this.backend.name,
      owner: this.#self,
      ...(this.registry ? { host: this.registry.hostId } : {}),
      ...(idleTtlMs !== undefined ? { idleTtlMs } : {}),
      startedAt,
      updatedAt: Date.now(),
    };
    this.#own.set(record.id, record);
    unreserve();
    if (idleTtlMs !== undefined) this.#lifecycle.ensureSweeping();
    this.#probedHealthyAt.set(record.id, Date.now());
    // If this fails the worker still runs and this pool owns it (stop/stopAll end it); only other processes miss out.
    await this.#writeOrWarn(`record running worker ${record.id}`, (registry) => registry.put(record));
    // Released only once the record is written: waiters look for the worker before they look at the claim.
    if (held) await this.#releaseClaim(held.current(), undefined);
    return record;
  }

  /** The record of a worker whose process exists but is not ready yet (its executable may still change). */
  #startingRecord(request: ResolvedWorkerRequest, id: string, pid: number, startedAt: number): WorkerRecord {
    const { pidExe: _notFinalYet, ...identity } = identityToRecord(pid);
    return {
      kind: "worker",
      id,
      workerId: request.workerId,
      pid,
      ...identity,
      fingerprint: request.fingerprint,
      fingerprintScheme: FINGERPRINT_SCHEME,
      status: "starting",
      backend: this.backend.name,
      owner: this.#self,
      ...(this.registry ? { host: this.registry.hostId } : {}),
      claimExpiresAt: startedAt + this.#options.spawnTimeoutMs,
      startedAt,
      updatedAt: Date.now(),
    };
  }

  async #callBackendSpawn(
    request: ResolvedWorkerRequest,
    signal: AbortSignal,
    context: Omit<SpawnContext, "signal">,
  ): Promise<SpawnedWorker> {
    const timeout = timeoutSignal(this.#options.spawnTimeoutMs, signal);
    const bounded = timeout.signal;
    const pending = this.backend.spawn(request, { ...context, signal: bounded });
    let raw: unknown;
    try {
      raw = await abortable(pending, bounded);
    } catch (error) {
      if (bounded.aborted) this.#stopLateSpawn(pending);
      if (signal.aborted) throw signal.reason;
      if (timeout.timedOut) {
        throw new SpawnError(request.workerId, "timeout", `not ready within ${this.#options.spawnTimeoutMs} ms`, {
          cause: error,
        });
      }
      if (isModelpoolError(error)) throw error; // a backend's own typed error, from any copy of core
      throw new SpawnError(request.workerId, "backend-error", error instanceof Error ? error.message : String(error), {
        cause: error,
      });
    } finally {
      timeout.clear();
    }
    const parsed = SpawnedWorkerSchema.safeParse(raw, PARSE_CONTEXT);
    if (!parsed.success) {
      throw new SpawnError(
        request.workerId,
        "invalid-result",
        `backend ${this.backend.name} resolved spawn() with ${JSON.stringify(raw)}`,
      );
    }
    verifySpawnedProcess(request.workerId, parsed.data.pid);
    return parsed.data;
  }

  /** A backend that ignored the abort may still deliver a worker; nobody will use it, so it must not live on. */
  #stopLateSpawn(pending: Promise<SpawnedWorker>): void {
    pending.then(
      async (late) => {
        const parsed = SpawnedWorkerSchema.safeParse(late, PARSE_CONTEXT);
        if (!parsed.success) return;
        const identity = processIdentityOf(parsed.data.pid);
        await terminateRecordedProcess({ pid: parsed.data.pid, pidStart: identity.start, startedAt: Date.now() });
        this.#warn({
          code: "LATE_SPAWN_STOPPED",
          message: `stopped worker pid ${parsed.data.pid}, which became ready after its spawn was abandoned`,
        });
      },
      () => undefined,
    );
  }

  /** Gives the spawn claim up; after a failure, waiters share it for a short back-off instead of each retrying. */
  async #releaseClaim(claim: SpawnClaim, error: unknown): Promise<void> {
    const failure =
      error === undefined
        ? undefined
        : {
            message: error instanceof Error ? error.message : String(error),
            backoffMs: this.#options.failedSpawnBackoffMs,
          };
    await this.#writeOrWarn(`release spawn claim ${claim.key}`, (registry) =>
      registry.releaseClaim(claim, failure ? { failure } : {}),
    );
  }

  // ---- stopping -------------------------------------------------------------------------------------

  /** Stops a worker of this pool, or of another process (never signalling a pid that is not the recorded process). */
  async #stopWorker(record: WorkerRecord, cause: StopCause): Promise<void> {
    if (this.#isOtherHosts(record)) {
      // Only the host a worker runs on ever signals it: from here, it may only be asked to drain.
      await this.#markDraining(record);
      return;
    }
    this.#forget(record);
    if (this.backend.stop) await this.backend.stop(record);
    else await terminateRecordedProcess(record);
    this.#stats.recordStop(cause);
    await this.#removeFromRegistry(record);
  }

  async #markDraining(record: WorkerRecord): Promise<void> {
    const own = this.#own.get(record.id);
    if (own) this.#own.set(record.id, { ...own, draining: true });
    await this.#writeOrWarn(`mark worker ${record.id} draining`, (registry) =>
      registry.update(record, (current) => ({ ...current, draining: true, updatedAt: Date.now() })),
    );
  }

  #forgetDead(record: WorkerRecord): void {
    this.#forget(record);
    this.#inBackground(this.#removeFromRegistry(record));
  }

  /** Drops everything this pool keeps about a worker. */
  #forget(record: WorkerRecord): void {
    this.#own.delete(record.id);
    this.#probedHealthyAt.delete(record.id);
    this.#leases.forget(record.id);
    this.#leasedRefs.delete(record.id);
  }

  async #removeFromRegistry(record: WorkerRecord): Promise<void> {
    await this.#writeOrWarn(`remove worker ${record.id} from the registry`, (registry) => registry.remove(record));
  }

  // ---- plumbing -------------------------------------------------------------------------------------

  /** Runs a registry write. A registry of a newer version is read-only: warn and skip (undefined). Anything else propagates. */
  async #withRegistry<T>(write: (registry: RegistryStore) => Promise<T>): Promise<T | undefined> {
    const registry = this.registry;
    if (!registry) return undefined;
    try {
      return await write(registry);
    } catch (error) {
      if (isRegistryVersionError(error)) {
        this.#warn({ code: "REGISTRY_READ_ONLY", message: error.message, error });
        return undefined;
      }
      throw error;
    }
  }

  /** A registry write the caller can do without: a failure becomes a REGISTRY_WRITE_FAILED warning. */
  async #writeOrWarn(what: string, write: (registry: RegistryStore) => Promise<unknown>): Promise<void> {
    try {
      await this.#withRegistry(write);
    } catch (error) {
      this.#warn({ code: "REGISTRY_WRITE_FAILED", message: `could not ${what}: ${String(error)}`, error });
    }
  }

  #lease(worker: WorkerRecord, decision: Decision): WorkerLease {
    this.#leases.acquire(worker.id);
    this.#leasedRefs.set(worker.id, { workerId: worker.workerId, id: worker.id });
    // After the caller has its lease: the store's writes are synchronous file operations, and a lease must
    // stay a memory operation for the caller.
    if (this.#leases.hasDirty())
      this.#inBackground(new Promise((resolve) => setImmediate(resolve)).then(() => this.#flushLeases()));
    this.#emitDecision(decision);
    // Only the request that spawned handles what its spawn superseded; requests sharing it would repeat that.
    if (decision.outcome === "spawned" && !decision.shared && decision.considered.length > 0) {
      this.#inBackground(this.#lifecycle.supersede(decision.workerId, decision.considered));
    }
    let released = false;
    return {
      worker,
      decision,
      release: async () => {
        if (released) return;
        released = true;
        if (!this.#leases.release(worker.id)) return;
        await this.#flushLeases();
        // The last lease may be what a draining or idle worker was waiting for.
        if (this.#lifecycle.active && this.#leases.count(worker.id) === 0) await this.#lifecycle.sweep();
      },
    };
  }

  /** Tells the registry this process's lease counts of the workers whose count went to or from zero; coalesced. */
  #flushLeases(): Promise<void> {
    if (!this.registry) {
      this.#leases.takeDirty();
      return Promise.resolve();
    }
    if (this.#leaseFlush) {
      this.#leaseFlushAgain = true;
      return this.#leaseFlush;
    }
    this.#leaseFlush = (async () => {
      do {
        this.#leaseFlushAgain = false;
        for (const id of this.#leases.takeDirty()) {
          const ref = this.#leasedRefs.get(id);
          if (!ref) continue;
          await this.#writeOrWarn("record leases", (registry) =>
            registry.update(ref, (record) => ({ ...record, holders: this.#leases.holdersFor(record, this.#self) })),
          );
        }
      } while (this.#leaseFlushAgain);
    })().finally(() => {
      this.#leaseFlush = undefined;
    });
    return this.#leaseFlush;
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
      this.hooks.decided.call(decision);
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

/**
 * A controller of its own (so one flight can be aborted alone) that also aborts with `parent` until
 * `release` is called; releasing unhooks it, so the long-lived parent does not collect dead listeners.
 */
function abortedWith(parent: AbortSignal): { controller: AbortController; release: () => void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener("abort", onAbort, { once: true });
  return { controller, release: () => parent.removeEventListener("abort", onAbort) };
}

function spawnReason(workerId: string, considered: readonly ConsideredCandidate[]): string {
  if (considered.length === 0) return `no running worker "${workerId}"`;
  const reasons = considered.map(
    ({ candidate, verdict }) => `${candidate.id} (pid ${candidate.pid}): ${verdict.reason}`,
  );
  return `${considered.length} candidate${considered.length === 1 ? "" : "s"} rejected: ${reasons.join("; ")}`;
}
