import * as z from "zod";
import { type ModelFingerprint, ModelFingerprintSchema } from "../schema/fingerprint.js";
import type { ResolvedWorkerRequest } from "../schema/request.js";
import { PidSchema, type WorkerRecord } from "../schema/worker-record.js";

/**
 * What `spawn` resolves to once the worker is ready. Validated: a backend is third-party code.
 * `handle`: any value of the backend's (a client, the application's own worker object); the spawning pool
 * keeps it in memory and hands it back as `lease.handle`. Never validated, copied or persisted.
 */
export interface SpawnedWorker<Handle = unknown> {
  pid: number;
  url?: string;
  port?: number;
  sessionId?: string;
  /** Where the worker's output goes (recorded, and shown by `modelpool ls`). */
  logPath?: string;
  handle?: Handle;
}
export const SpawnedWorkerSchema = z.object({
  pid: PidSchema,
  url: z.string().max(2048).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  sessionId: z.string().max(1024).optional(),
  logPath: z.string().min(1).max(4096).optional(),
  /** The backend's own value: passed on by reference, never looked into (see `SpawnedWorker`). */
  handle: z.unknown().optional(),
}) satisfies z.ZodType<SpawnedWorker>;

/** What `probe` resolves to. A live `fingerprint` beats the registry's. */
export interface ProbeResult {
  healthy: boolean;
  fingerprint?: ModelFingerprint;
  reason?: string;
}
export const ProbeResultSchema = z.object({
  healthy: z.boolean(),
  fingerprint: ModelFingerprintSchema.optional(),
  reason: z.string().optional(),
}) satisfies z.ZodType<ProbeResult>;

/** What `probe` is given besides the record. */
export type ProbeContext<Context = unknown> = {
  /** Aborts when the probe is abandoned (probeTimeoutMs, caller gave up): a probe that honours it ends at once. */
  signal: AbortSignal;
  /** The `context` of the request this worker is judged for (absent for a request without one). */
  context?: Context;
};

/** What `spawn` is given besides the request. */
export type SpawnContext = {
  /**
   * Aborts when the spawn is abandoned: its timeout (the request's `spawnTimeoutMs`, else the pool's), every
   * request waiting for it gave up (their `signal`s), or the pool stopped. A backend that honours it stops
   * what it started and rejects promptly; one that does not is raced anyway, and a worker it delivers
   * late is stopped.
   */
  signal: AbortSignal;
  /**
   * Called by backends that support it as soon as the worker's process exists, before readiness is awaited,
   * so the caller can record it (and stop it if the caller dies mid-spawn). May be called once at most;
   * processBackend calls it. A backend that does not call it is still a backend.
   */
  onProcess?: (child: { pid: number }) => void;
  /**
   * A token unique to this spawn. Backends that start a process should put it in its environment as
   * `MODELPOOL_SPAWN_ID` (processBackend does): if the requester dies before it could record the process,
   * whoever takes its spawn over finds the process by this token and stops it.
   */
  spawnId?: string;
};

/**
 * How workers are started, checked and stopped. Any object of this shape is a backend.
 * `spawn` must stop whatever it started if `signal` aborts. `Context`: the type of the requests' `context`
 * (what `spawn` finds in `request.context` and `probe` in its second argument); `Handle`: what `spawn` may
 * return as `handle`, given back as `lease.handle`.
 */
export interface WorkerBackend<Context = unknown, Handle = unknown> {
  readonly name: string;
  spawn(request: ResolvedWorkerRequest<Context>, context: SpawnContext): Promise<SpawnedWorker<Handle>>;
  probe?(record: WorkerRecord, context: ProbeContext<Context>): Promise<ProbeResult>;
  stop?(record: WorkerRecord): Promise<void>;
}

export function isWorkerBackend(value: unknown): value is WorkerBackend {
  const backend = value as Partial<WorkerBackend> | null;
  return (
    typeof backend === "object" &&
    backend !== null &&
    typeof backend.name === "string" &&
    backend.name.length > 0 &&
    typeof backend.spawn === "function" &&
    (backend.probe === undefined || typeof backend.probe === "function") &&
    (backend.stop === undefined || typeof backend.stop === "function")
  );
}
