import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { type SpawnedWorker, SpawnedWorkerSchema, type WorkerBackend } from "../backend/worker-backend.js";
import { spawnFailedEvent, spawnReadyEvent, spawnStartedEvent } from "../diagnostics/event-payloads.js";
import type { PoolEvents } from "../diagnostics/pool-events.js";
import { isModelpoolError } from "../errors/ModelpoolError.js";
import { isSpawnError, SpawnError } from "../errors/SpawnError.js";
import { processIdentityOf } from "../process/process-identity.js";
import { identityToRecord } from "../process/recorded-identity.js";
import { terminateRecordedProcess } from "../process/terminate.js";
import { verifySpawnedProcess } from "../process/verify-spawned.js";
import type { RegistryStore } from "../registry/store/RegistryStore.js";
import { FINGERPRINT_SCHEME } from "../schema/fingerprint-scheme.js";
import { PARSE_CONTEXT } from "../schema/parse-or-throw.js";
import type { ResolvedWorkerRequest } from "../schema/request.js";
import type { ClaimOwner, SpawnClaim } from "../schema/spawn-claim.js";
import type { LeaseHolder, ProcessIdentity, WorkerRecord } from "../schema/worker-record.js";
import { timeoutSignal } from "../timers/timeout-signal.js";
import { abortable } from "./abortable.js";
import type { Reservation } from "./capacity.js";
import type { HealthProber } from "./health-prober.js";
import type { PoolStats } from "./pool-stats.js";
import type { RegistryAccess } from "./registry-access.js";
import { keepClaimAlive, reacquireClaim } from "./spawn-claim.js";

/** What the spawner needs of its pool. */
export type SpawnerDependencies = {
  readonly backend: WorkerBackend;
  readonly registry: RegistryAccess;
  readonly self: ProcessIdentity;
  readonly own: Map<string, WorkerRecord>;
  readonly prober: HealthProber;
  readonly stats: PoolStats;
  readonly events: PoolEvents;
  /** Holds a place for one more worker (capacity, of the pool and of the device), given back through the reservation. */
  readonly reserve: (signal: AbortSignal, workerId: string) => Promise<Reservation>;
  /**
   * Called with each worker as soon as it is recorded in memory, before anything else can see it; returns
   * what to call once its spawner has leased it (until then it counts as leased, never idle).
   */
  readonly onRecorded: (record: WorkerRecord) => () => void;
  /** The holder entry the record is first written with: it is leased (by its spawner) before anyone can see it. */
  readonly firstHolder: () => LeaseHolder;
  /** Where the backend's `handle` of each worker this pool spawned is kept (in memory only), by record id. */
  readonly handles?: Map<string, unknown>;
  readonly options: {
    readonly spawnTimeoutMs: number;
    readonly idleTtlMs?: number | undefined;
    readonly failedSpawnBackoffMs: number;
  };
};

/**
 * Starts one worker: room at capacity, the backend's spawn bounded by `spawnTimeoutMs` and the caller's
 * signal, its answer validated, the record written (before the spawn claim is released: waiters look for
 * the worker before they look at the claim), and a failed start shared through the claim.
 */
export class Spawner {
  readonly #deps: SpawnerDependencies;

  constructor(deps: SpawnerDependencies) {
    this.#deps = deps;
  }

  async spawnAndRecord(
    request: ResolvedWorkerRequest,
    signal: AbortSignal,
    claim: SpawnClaim | undefined,
  ): Promise<WorkerRecord> {
    const { registry, stats, options } = this.#deps;
    let spawned: SpawnedWorker;
    let reservation: Reservation | undefined;
    let startedAt = Date.now();
    const started = performance.now();
    // A claim lost while its spawn runs (another holder has it) ends the spawn: its child is stopped and
    // nothing is recorded ready, so the other holder's worker stays the only one (see `claimLostError`).
    const lost = new AbortController();
    const held =
      claim && registry.store
        ? keepClaimAlive(registry.store, claim, {
            onLost: () => lost.abort(claimLostError(request.workerId)),
            reacquire: () => reacquireClaim(registry.store as RegistryStore, request, this.#claimOwner()),
          })
        : undefined;
    const spawnSignal = held ? AbortSignal.any([signal, lost.signal]) : signal;
    const id = randomUUID();
    let stillRunning = false;
    // The worker's process is recorded (`starting`) as soon as it exists, before readiness is awaited: if
    // this process dies meanwhile, the next claimant of this spawn (or `modelpool prune --stop`) finds it
    // and stops it, instead of it running on with no record.
    let starting: Promise<unknown> | undefined;
    const onProcess = ({ pid }: { pid: number }) => {
      starting ??= registry.writeOrWarn(`record starting worker ${id}`, async (store) => {
        await store.put(this.#startingRecord(request, id, pid, startedAt));
        // Its record counts it on the device from now on, even if this process dies before it is ready.
        await reservation?.releaseDevice();
      });
    };
    try {
      reservation = await this.#deps.reserve(signal, request.workerId);
      // The worker starts now, not when its request began to wait for room: its starting record must not
      // expire (and stop counting) before the spawn's own timeout.
      startedAt = Date.now();
      this.#deps.events.emit("spawnStarted", spawnStartedEvent(request, id));
      // The claim's token goes into the worker's environment: if this process dies before it could record
      // the worker, whoever takes its spawn over finds the worker by it and stops it.
      spawned = await this.callBackendSpawn(request, spawnSignal, onProcess, claim?.token);
      // Ready, and asked once more before anyone can see it: a claim lost since the last renewal must not
      // leave a second ready worker of this workerId + fingerprint.
      if (held && !(await held.confirm())) {
        // A worker that outlived its stop keeps its `starting` record: never a process left unrecorded.
        stillRunning = !(await this.#stopUnrecorded(spawned));
        throw claimLostError(request.workerId);
      }
    } catch (error) {
      held?.stop();
      // The backend stopped what it started; its record goes with it.
      if (starting && !stillRunning) {
        await starting;
        await registry.writeOrWarn(`remove failed worker ${id}`, (store) =>
          store.remove({ workerId: request.workerId, id }),
        );
      }
      // Room goes back once its worker is gone (what is given back is never still occupied).
      reservation?.releasePool();
      await reservation?.releaseDevice();
      // Only a failed start is shared with waiters; no room, an abort or a lost claim says nothing about the model.
      if (held)
        await this.#releaseClaim(held.current(), isSpawnError(error) && !isClaimLost(error) ? error : undefined);
      if (!signal.aborted) stats.recordSpawn(undefined);
      const failed = spawnFailedEvent(request, id, error, signal, performance.now() - started);
      if (reservation) this.#deps.events.emit("spawnFailed", failed);
      throw error;
    }
    held?.stop();
    stats.recordSpawn(performance.now() - started);
    const idleTtlMs = request.idleTtlMs ?? options.idleTtlMs;
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
      ...(spawned.logPath !== undefined ? { logPath: spawned.logPath } : {}),
      backend: this.#deps.backend.name,
      owner: this.#deps.self,
      ...(registry.store ? { host: registry.store.hostId } : {}),
      ...(idleTtlMs !== undefined ? { idleTtlMs } : {}),
      ...(registry.store ? { holders: [this.#deps.firstHolder()] } : {}),
      startedAt,
      updatedAt: Date.now(),
    };
    if (spawned.handle !== undefined) this.#deps.handles?.set(record.id, spawned.handle);
    this.#deps.own.set(record.id, record);
    const unhold = this.#deps.onRecorded(record);
    reservation.releasePool();
    this.#deps.prober.remember(record.id, undefined);
    // If this fails the worker still runs and this pool owns it (stop/stopAll end it); only other processes miss out.
    await registry.writeOrWarn(`record running worker ${record.id}`, (store) => store.put(record));
    // Counted by its record from now on (unless its starting record already was).
    await reservation.releaseDevice();
    if (held) await this.#releaseClaim(held.current(), undefined);
    this.#deps.events.emit("spawnReady", spawnReadyEvent(record, performance.now() - started));
    // The request that spawned leases it in this same turn (microtasks only between here and its lease).
    setImmediate(unhold);
    return record;
  }

  /**
   * Stops a worker that became ready but will never be recorded ready (its claim was lost): through the
   * backend when it can stop its workers, else by its pid and start time; resolves to whether it is gone.
   */
  async #stopUnrecorded(spawned: SpawnedWorker): Promise<boolean> {
    const now = Date.now();
    const record: WorkerRecord = {
      kind: "worker",
      id: randomUUID(),
      workerId: "unrecorded",
      pid: spawned.pid,
      ...identityToRecord(spawned.pid),
      status: "ready",
      ...(spawned.url !== undefined ? { url: spawned.url } : {}),
      startedAt: now,
      updatedAt: now,
    };
    try {
      await this.#deps.backend.stop?.(record);
    } catch {
      // Ended below by its pid and start time all the same.
    }
    const report = await terminateRecordedProcess(record);
    return report.outcome === "stopped" || report.outcome === "already-gone";
  }

  /** The record of a worker whose process exists but is not ready yet (its executable may still change). */
  #startingRecord(request: ResolvedWorkerRequest, id: string, pid: number, startedAt: number): WorkerRecord {
    const { pidExe: _notFinalYet, ...identity } = identityToRecord(pid);
    const store = this.#deps.registry.store;
    return {
      kind: "worker",
      id,
      workerId: request.workerId,
      pid,
      ...identity,
      fingerprint: request.fingerprint,
      fingerprintScheme: FINGERPRINT_SCHEME,
      status: "starting",
      backend: this.#deps.backend.name,
      owner: this.#deps.self,
      ...(store ? { host: store.hostId } : {}),
      // The spawner's own entry, holding nothing (0 leases): a fleet store keeps its liveness key, so other
      // hosts can tell a start whose spawner lives (a spawn under way) from one whose spawner died.
      ...(store ? { holders: [{ ...this.#deps.firstHolder(), leases: 0 }] } : {}),
      claimExpiresAt: startedAt + this.#spawnTimeoutMs(request),
      startedAt,
      updatedAt: Date.now(),
    };
  }

  /** This process as a claim's owner, on the store's host. */
  #claimOwner(): ClaimOwner {
    const { self, registry } = this.#deps;
    return {
      pid: self.pid,
      ...(self.start !== undefined ? { start: self.start } : {}),
      host: registry.store?.hostId ?? "",
    };
  }

  /** The request's own spawn timeout, else the pool's. */
  #spawnTimeoutMs(request: ResolvedWorkerRequest): number {
    return request.spawnTimeoutMs ?? this.#deps.options.spawnTimeoutMs;
  }

  /** The backend's spawn, bounded and validated; `handle` is the backend's, passed on untouched. */
  async callBackendSpawn(
    request: ResolvedWorkerRequest,
    signal: AbortSignal,
    onProcess: (child: { pid: number }) => void = () => undefined,
    spawnId?: string,
  ): Promise<SpawnedWorker> {
    const { backend } = this.#deps;
    const spawnTimeoutMs = this.#spawnTimeoutMs(request);
    const timeout = timeoutSignal(spawnTimeoutMs, signal);
    const bounded = timeout.signal;
    const pending = backend.spawn(request, {
      signal: bounded,
      onProcess,
      ...(spawnId !== undefined ? { spawnId } : {}),
    });
    let raw: unknown;
    try {
      raw = await abortable(pending, bounded);
    } catch (error) {
      if (bounded.aborted) this.#stopLateSpawn(pending);
      if (signal.aborted) throw signal.reason;
      if (timeout.timedOut) {
        throw new SpawnError(request.workerId, "timeout", `not ready within ${spawnTimeoutMs} ms`, {
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
        `backend ${backend.name} resolved spawn() with ${safeJson(raw)}`,
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
        this.#deps.registry.warn({
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
            backoffMs: this.#deps.options.failedSpawnBackoffMs,
          };
    await this.#deps.registry.writeOrWarn(`release spawn claim ${claim.key}`, (store) =>
      store.releaseClaim(claim, failure ? { failure } : {}),
    );
  }
}

/** For an error message: a value that may not be JSON (a cycle, a bigint) is still described. */
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Why a spawn was ended: its claim went to another holder while it ran. Typed, and recognised by the spawn
 * coordinator, which then waits for the holder that has the claim instead of failing its request.
 */
export function claimLostError(workerId: string): SpawnError {
  return new SpawnError(
    workerId,
    "claim-lost",
    "its spawn claim went to another holder while it started; the worker it started was stopped, never recorded ready",
  );
}

/** Whether an error is the end of a spawn whose claim was lost (from any copy of core). */
export function isClaimLost(error: unknown): boolean {
  return isSpawnError(error) && (error as SpawnError).failure === "claim-lost";
}
