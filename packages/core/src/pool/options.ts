import * as z from "zod";
import { isWorkerBackend, type WorkerBackend } from "../backend/worker-backend.js";
import { isPoolLogger, type PoolLogger } from "../diagnostics/logger.js";
import { isRegistryStore, type RegistryStore } from "../registry/store/RegistryStore.js";
import type { PoolPlugin } from "./plugin.js";
import type { SupersededAction, WorkerPoolOptions } from "./worker-pool-options.js";

export type { PluginHost, PoolPlugin } from "./plugin.js";
export type { SupersededAction, WorkerPoolOptions } from "./worker-pool-options.js";

/** The longest delay a Node timer honours (a longer one fires after 1 ms). */
export const MAX_TIMER_MS = 2_147_483_647;
const durationMs = () => z.number().int().positive().max(MAX_TIMER_MS);

export const SupersededActionSchema = z.enum(["keep", "stop", "drain"]) satisfies z.ZodType<SupersededAction>;

export const WorkerPoolOptionsSchema = z.strictObject({
  backend: z.custom<WorkerBackend>(
    isWorkerBackend,
    "backend must be an object with a name and a spawn(request, { signal }) method",
  ),
  /**
   * Where workers are recorded for other processes: any `RegistryStore`, the path of a `DeviceRegistry`
   * directory, or `false` for none (workers are then shared within this pool only). Default: a
   * `DeviceRegistry` at `defaultRegistryPath()`.
   */
  registry: z
    .union([
      // Duck-typed, not instanceof: a store made by another installed copy of @modelpool/core is still one.
      z.custom<RegistryStore>(isRegistryStore, "registry must be a RegistryStore, a directory path or false"),
      z.string().min(1),
      z.literal(false),
    ])
    .optional(),
  plugins: z
    .array(
      z.custom<PoolPlugin>(
        (p) => typeof (p as PoolPlugin | null)?.apply === "function",
        "each plugin needs an apply(pool) method",
      ),
    )
    .default([]),
  /** A probe that has not answered after this long rejects its worker. */
  probeTimeoutMs: durationMs().default(2_000),
  /** A worker this pool probed healthy this recently is not probed again (0: probe every time). */
  healthyForMs: z.number().int().min(0).max(MAX_TIMER_MS).default(1_000),
  /**
   * After a worker failed to start, how long other requests for the same workerId + fingerprint (in any
   * process sharing the registry) fail with that same error instead of each starting it again.
   */
  failedSpawnBackoffMs: z.number().int().min(0).max(MAX_TIMER_MS).default(2_000),
  /** A spawn not ready after this long is stopped and fails with SpawnError. */
  spawnTimeoutMs: durationMs().default(60_000),
  /** Reuse registry workers whose URL is not loopback (off: a registry entry could point anywhere). */
  allowRemoteUrls: z.boolean().default(false),
  /** Stop a worker nobody has held a lease on for this long (a request's own `idleTtlMs` wins). Default: never. */
  idleTtlMs: durationMs().optional(),
  /** What becomes of a worker a policy denied because the request's model changed; per workerId with a function. */
  onSuperseded: z
    .union([
      SupersededActionSchema,
      z.custom<(workerId: string) => SupersededAction>(
        (value) => typeof value === "function",
        "onSuperseded must be keep, stop, drain or (workerId) => one of them",
      ),
    ])
    .default("keep"),
  /** Most workers this pool keeps at once; at the limit the least recently used idle one is stopped. */
  maxWorkers: z.number().int().positive().optional(),
  /** Most workers on this device (all processes, through the registry). */
  maxWorkersPerDevice: z.number().int().positive().optional(),
  /** At capacity with every worker leased, how long a request waits for room before a CapacityError. */
  capacityTimeoutMs: z.number().int().min(0).max(MAX_TIMER_MS).default(30_000),
  /** How often idle and draining workers are looked for (the timer never keeps the process alive). */
  sweepIntervalMs: durationMs().default(1_000),
  /**
   * A canReuse tap that has not answered after this long fails the request with a PolicyTimeoutError
   * naming it (the request's signal and stopAll() end the wait sooner).
   */
  policyTimeoutMs: durationMs().default(10_000),
  /**
   * When the registry cannot be reached (RegistryUnavailableError): `fail` the request, or `local-only`:
   * warn (REGISTRY_UNAVAILABLE) and go on with this pool's own workers.
   */
  onRegistryUnavailable: z.enum(["fail", "local-only"]).default("fail"),
  /** Where the pool logs its events (pino, console...); without one, `NODE_DEBUG=modelpool` writes them to stderr. */
  logger: z
    .custom<PoolLogger>(isPoolLogger, "logger must be an object with debug, info, warn and error methods")
    .optional(),
}) satisfies z.ZodType<unknown, WorkerPoolOptions>;
export type ResolvedWorkerPoolOptions = z.output<typeof WorkerPoolOptionsSchema>;
