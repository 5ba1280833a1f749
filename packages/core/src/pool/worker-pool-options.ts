import type { WorkerBackend } from "../backend/worker-backend.js";
import type { PoolLogger } from "../diagnostics/logger.js";
import type { RegistryStore } from "../registry/store/RegistryStore.js";
import type { PoolPlugin } from "./plugin.js";

/** `keep`: leave it running (another process may use it). `stop`: stop it now. `drain`: stop it once no lease holds it. */
export type SupersededAction = "keep" | "stop" | "drain";

/**
 * What `new WorkerPool(options)` takes. Plain TypeScript, checked against `WorkerPoolOptionsSchema` at
 * compile time (the schema validates at run time), so code using it does not depend on core's zod version.
 */
export interface WorkerPoolOptions<Context = unknown, Handle = unknown> {
  /**
   * How workers are started, probed and stopped: `processBackend(...)` or any `{ name, spawn, probe?, stop? }`.
   * Its `Context` and `Handle` types become the pool's (a request's `context`, a lease's `handle`).
   */
  backend: WorkerBackend<Context, Handle>;
  /**
   * Where workers are recorded for other processes: any `RegistryStore`, the path of a `DeviceRegistry`
   * directory, or `false` for none (workers are then shared within this pool only). Default: a
   * `DeviceRegistry` at `defaultRegistryPath()`.
   */
  registry?: RegistryStore | string | false;
  /** Policies and other extensions; each one's `apply(pool)` is called once. */
  plugins?: PoolPlugin[];
  /** A probe that has not answered after this long rejects its worker (default 2000). */
  probeTimeoutMs?: number;
  /** A worker this pool probed healthy this recently is not probed again (0: probe every time; default 1000). */
  healthyForMs?: number;
  /**
   * After a worker failed to start, how long other requests for the same workerId + fingerprint (in any
   * process sharing the registry) fail with that same error instead of each starting it again (default 2000).
   */
  failedSpawnBackoffMs?: number;
  /** A spawn not ready after this long is stopped and fails with SpawnError (default 60000). */
  spawnTimeoutMs?: number;
  /** Reuse registry workers whose URL is not loopback (default false: a registry entry could point anywhere). */
  allowRemoteUrls?: boolean;
  /** Stop a worker nobody has held a lease on for this long (a request's own `idleTtlMs` wins). Default: never. */
  idleTtlMs?: number;
  /** What becomes of a worker a policy denied because the request's model changed (default "keep"). */
  onSuperseded?: SupersededAction | ((workerId: string) => SupersededAction);
  /** Most workers this pool keeps at once; at the limit the least recently used idle one is stopped. */
  maxWorkers?: number;
  /** Most workers on this device (all processes, through the registry). */
  maxWorkersPerDevice?: number;
  /** At capacity with every worker leased, how long a request waits for room before a CapacityError (default 30000). */
  capacityTimeoutMs?: number;
  /** How often idle and draining workers are looked for (default 1000; the timer never keeps the process alive). */
  sweepIntervalMs?: number;
  /** A canReuse tap that has not answered after this long fails the request with a PolicyTimeoutError naming it (default 10000). */
  policyTimeoutMs?: number;
  /**
   * When the registry cannot be reached (RegistryUnavailableError): `fail` the request (default), or
   * `local-only`: warn (REGISTRY_UNAVAILABLE) and go on with this pool's own workers.
   */
  onRegistryUnavailable?: "fail" | "local-only";
  /**
   * Where the pool logs its lifecycle events and decisions: any object with `debug`, `info`, `warn` and
   * `error` (pino, console...), each called as `(fields, message)`. Without one, `NODE_DEBUG=modelpool`
   * writes the same lines to stderr through `util.debuglog`.
   */
  logger?: PoolLogger;
}
