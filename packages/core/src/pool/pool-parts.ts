import type { PoolEvents } from "../diagnostics/pool-events.js";
import { DeviceRegistry } from "../registry/DeviceRegistry.js";
import { isRegistryStore, type RegistryStore } from "../registry/store/RegistryStore.js";
import type { ProcessIdentity, WorkerRecord } from "../schema/worker-record.js";
import { Capacity } from "./capacity.js";
import { HealthProber } from "./health-prober.js";
import type { PoolHooks, PoolWarning } from "./hooks.js";
import { LeaseBook, leaseScope } from "./lease-book.js";
import { LeaseGate } from "./lease-gate.js";
import { Leases } from "./leases.js";
import type { ResolvedWorkerPoolOptions } from "./options.js";
import type { PoolStats } from "./pool-stats.js";
import { RegistryAccess } from "./registry-access.js";
import { ReuseJudge } from "./reuse-judge.js";
import { SpawnCoordinator } from "./spawn-coordinator.js";
import { Spawner } from "./spawner.js";
import { type LifecycleHost, WorkerLifecycle } from "./WorkerLifecycle.js";
import { WorkerStopper } from "./worker-stopper.js";

/** The parts a WorkerPool is made of, wired to each other (see README, "Design"). */
export type PoolParts = {
  readonly registry: RegistryStore | undefined;
  /** Whether the pool made its registry itself (from a path), and so closes it. */
  readonly ownsRegistry: boolean;
  readonly access: RegistryAccess;
  readonly prober: HealthProber;
  readonly gate: LeaseGate;
  readonly leases: Leases;
  readonly stopper: WorkerStopper;
  readonly lifecycle: WorkerLifecycle;
  readonly spawns: SpawnCoordinator;
};

/** What every part shares with the pool. */
export type PoolCore = {
  readonly options: ResolvedWorkerPoolOptions;
  readonly hooks: PoolHooks;
  readonly self: ProcessIdentity;
  /** This pool's workers, by record id. */
  readonly own: Map<string, WorkerRecord>;
  /** The backends' handles of this pool's workers, by record id (memory only). */
  readonly handles: Map<string, unknown>;
  readonly stats: PoolStats;
  readonly warn: (warning: PoolWarning) => void;
  /** Lifecycle events: hooks, diagnostics channels, log. */
  readonly events: PoolEvents;
};

/** Builds and wires the parts of one pool. Parts that call each other do so through late-bound closures. */
export function assemblePoolParts(core: PoolCore): PoolParts {
  const { options, hooks, self, own, stats, warn, events } = core;
  const { backend } = options;
  const registry = resolveRegistry(options.registry);
  const access = new RegistryAccess(registry, options.onRegistryUnavailable, warn);
  const prober = new HealthProber(backend, options);
  const leases = new Leases(
    new LeaseBook(leaseScope(registry), registry?.hostId),
    access,
    self,
    events,
    async (ref) => {
      // The last lease may be what a draining or idle worker was waiting for; another process's worker
      // may have been marked draining while this one held it, and this process is the one to stop it then.
      if (lifecycle.active || !own.has(ref.id)) await lifecycle.sweep(ref);
    },
    options.sweepIntervalMs,
  );
  const stopper = new WorkerStopper({
    backend,
    own,
    prober,
    leases,
    stats,
    registry: access,
    self,
    retryEveryMs: options.sweepIntervalMs,
    events,
  });
  // Idle, drain and capacity act on the same workers, through the same stops.
  const lifecycleHost: LifecycleHost = {
    registry,
    self,
    leases: leases.book,
    ownWorkers: () => own.values(),
    stopWorker: (record, cause, options) =>
      stopper.stopIfUnleased(record, cause, (current) => leases.book.usage(current, self).leases > 0, options),
    markDraining: (record) => stopper.markDraining(record),
    warn,
    events,
  };
  const lifecycle: WorkerLifecycle = new WorkerLifecycle(lifecycleHost, options);
  const capacity = new Capacity(lifecycleHost, options);
  const gate = new LeaseGate({
    hostId: registry?.hostId,
    allowRemoteUrls: options.allowRemoteUrls,
    judge: new ReuseJudge(hooks, options.policyTimeoutMs),
    prober,
    idleExpired: (record) => lifecycle.idleExpired(record),
  });
  const spawner = new Spawner({
    backend,
    registry: access,
    self,
    own,
    prober,
    stats,
    events,
    reserve: (signal, workerId) => capacity.reserve(signal, workerId),
    onRecorded: (record) => {
      if (record.idleTtlMs !== undefined) lifecycle.ensureSweeping();
      return leases.holdNew(record.id, record);
    },
    firstHolder: () => leases.firstHolder(),
    handles: core.handles,
    options,
  });
  const spawns = new SpawnCoordinator(spawner, access, self, own);
  if (options.idleTtlMs !== undefined) lifecycle.ensureSweeping();
  return {
    registry,
    ownsRegistry: registry !== undefined && !isRegistryStore(options.registry),
    access,
    prober,
    gate,
    leases,
    stopper,
    lifecycle,
    spawns,
  };
}

/** The `registry` option as a store: any RegistryStore, a DeviceRegistry at a path (or the default one), or none. */
function resolveRegistry(option: ResolvedWorkerPoolOptions["registry"]): RegistryStore | undefined {
  if (option === false) return undefined;
  if (isRegistryStore(option)) return option;
  return new DeviceRegistry(typeof option === "string" ? { path: option } : {});
}
