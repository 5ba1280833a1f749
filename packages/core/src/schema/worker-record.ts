import * as z from "zod";
import { type ModelFingerprint, ModelFingerprintSchema } from "./fingerprint.js";
import { WorkerIdSchema } from "./request.js";

export type WorkerStatus = "starting" | "ready" | "busy" | "error" | "stopped";
export const WorkerStatusSchema = z.enum([
  "starting",
  "ready",
  "busy",
  "error",
  "stopped",
]) satisfies z.ZodType<WorkerStatus>;

export const PidSchema = z
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);

/** A process as it was recorded: its pid and an opaque start-time token, so a recycled pid never matches. */
export interface ProcessIdentity {
  pid: number;
  start?: string;
}
export const ProcessIdentitySchema = z.object({
  pid: PidSchema,
  start: z.string().max(256).optional(),
}) satisfies z.ZodType<ProcessIdentity>;

/** One process's leases on a worker. */
export interface LeaseHolder {
  pid: number;
  start?: string;
  /** Which pool of that process (several pools may share one process). */
  pool?: string;
  /** The host the holding process runs on (absent: the record's host, as entries were before hosts were named). */
  host?: string;
  /**
   * For a holder of another host: until when the liveness signal its process renews is fresh (epoch ms).
   * Set by the store that read the entry, from that signal (never from the stored value); without it, the
   * holder is judged by this host's process table.
   */
  aliveUntil?: number;
  leases: number;
  lastUsedAt: number;
}
export const LeaseHolderSchema = z.object({
  pid: PidSchema,
  start: z.string().max(256).optional(),
  /** Which pool of that process (several pools may share one process). */
  pool: z.string().max(64).optional(),
  /** The host the holding process runs on (absent: the record's host). */
  host: z.string().min(1).max(256).optional(),
  /** For a holder of another host: until when its liveness signal is fresh, as the reading store found it. */
  aliveUntil: z.number().optional(),
  leases: z.number().int().min(0),
  lastUsedAt: z.number(),
}) satisfies z.ZodType<LeaseHolder>;

/**
 * One worker as the device registry holds it (and as `lease.worker` and `candidate` show it). Plain
 * TypeScript, checked against `WorkerRecordSchema` at compile time. Fields written by a newer modelpool,
 * or by the orchestrator that wrote a v1 file, are kept: hence the index signature.
 */
export interface WorkerRecord {
  kind: "worker";
  /** Unique per spawned worker; several records may share a workerId. */
  id: string;
  workerId: string;
  /** The worker's pid; while `status` is `starting`, the pid of the process that claimed the spawn. */
  pid: number;
  /** Start-time token of `pid`; absent in entries written by v1 orchestrators. */
  pidStart?: string;
  /** Absent for v1 entries that never recorded a model: policies deny those, saying so. */
  fingerprint?: ModelFingerprint;
  status: WorkerStatus;
  url?: string;
  port?: number;
  sessionId?: string;
  /** Where the worker's output goes (processBackend: a file in its `logDir`). */
  logPath?: string;
  /** Name of the backend that spawned it. */
  backend?: string;
  /** The process that spawned (or is spawning) this worker. */
  owner?: ProcessIdentity;
  /** While `starting`: when the claim stops holding off other spawners even if its owner still lives. */
  claimExpiresAt?: number;
  /** Which fingerprint scheme `fingerprint` follows; absent means 1. */
  fingerprintScheme?: number;
  /** Processes holding leases on this worker, each with its count and when it last used the worker. */
  holders?: LeaseHolder[];
  /** Stop the worker once nobody has held a lease on it for this long. */
  idleTtlMs?: number;
  /** Superseded with "drain": never handed out again, stopped once no lease holds it. */
  draining?: boolean;
  /** The host the worker runs on (see `RegistryStore.hostId`); absent: the host of the store that holds it. */
  host?: string;
  /** The executable `pid` ran when it was recorded (Linux `/proc/<pid>/exe`). */
  pidExe?: string;
  /** Present when `pid` led its own session when recorded: stopping the worker stops that session. */
  pidSession?: { verifiedAt: string };
  /** For a worker of another host: the end of its owner's last heartbeat (epoch ms). */
  aliveUntil?: number;
  /** Epoch milliseconds. */
  startedAt: number;
  updatedAt: number;
  lastError?: string;
  [field: string]: unknown;
}

/**
 * One worker as the device registry holds it (and as `lease.worker` and `candidate` show it).
 * Loose: fields written by a newer modelpool, or by the orchestrator that wrote a v1 file, survive a rewrite.
 */
export const WorkerRecordSchema = z.looseObject({
  kind: z.literal("worker"),
  /** Unique per spawned worker; several records may share a workerId. */
  id: z.string().min(1).max(256),
  workerId: WorkerIdSchema,
  /** The worker's pid; while `status` is `starting`, the pid of the process that claimed the spawn. */
  pid: PidSchema,
  /** Start-time token of `pid` (see `readProcessIdentity`); absent in entries written by v1 orchestrators. */
  pidStart: z.string().max(256).optional(),
  /** Absent for v1 entries that never recorded a model: policies deny those, saying so. */
  fingerprint: ModelFingerprintSchema.optional(),
  status: WorkerStatusSchema,
  url: z.string().max(2048).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  sessionId: z.string().max(1024).optional(),
  /** Where the worker's output goes (processBackend: a file in its `logDir`). */
  logPath: z.string().min(1).max(4096).optional(),
  /** Name of the backend that spawned it. */
  backend: z.string().max(256).optional(),
  /** The process that spawned (or is spawning) this worker. */
  owner: ProcessIdentitySchema.optional(),
  /** While `starting`: when the claim stops holding off other spawners even if its owner still lives. */
  claimExpiresAt: z.number().optional(),
  /** Which fingerprint scheme `fingerprint` follows; absent means 1 (every record before the field existed). */
  fingerprintScheme: z.number().int().positive().optional(),
  /** Processes holding leases on this worker, each with its count and when it last used the worker. */
  holders: z.array(LeaseHolderSchema).max(1024).optional(),
  /** Stop the worker once nobody has held a lease on it for this long. */
  idleTtlMs: z.number().int().positive().optional(),
  /** Superseded with "drain": never handed out again, stopped once no lease holds it. */
  draining: z.boolean().optional(),
  /**
   * The host the worker runs on (see `RegistryStore.hostId`). Absent: the host of the store that holds the
   * record (every record a device registry wrote before hosts were recorded).
   */
  host: z.string().min(1).max(256).optional(),
  /**
   * For a worker of another host: the end of its owner's last heartbeat (epoch ms). Filled in by stores that
   * keep heartbeats (a fleet store); a record of another host without it is never taken for alive.
   */
  aliveUntil: z.number().optional(),
  /** Epoch milliseconds. */
  startedAt: z.number(),
  updatedAt: z.number(),
  lastError: z.string().max(8192).optional(),
  /** The executable `pid` ran when it was recorded (Linux `/proc/<pid>/exe`): a recycled pid running another program never matches. */
  pidExe: z.string().max(4096).optional(),
  /**
   * Present when `pid` led its own session and process group when it was recorded (processBackend starts every
   * worker so): stopping the worker stops that session, what the worker started, even after `pid` has exited.
   * `verifiedAt` (a start-time token) is a moment before which the session was seen to be the worker's.
   */
  pidSession: z.object({ verifiedAt: z.string().max(256) }).optional(),
}) satisfies z.ZodType<WorkerRecord>;
