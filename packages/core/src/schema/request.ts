import * as z from "zod";
import { type ModelFingerprint, type ModelFingerprintInput, ModelFingerprintSchema } from "./fingerprint.js";

export const WorkerIdSchema = z
  .string()
  .min(1, "workerId must be a non-empty string")
  .max(256)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]+$/, "workerId must not contain control characters");

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * What a caller asks `getOrSpawn` / `explain` for. `Context`: the type of the application's own `context`
 * (handed to the backend's `spawn` and `probe`, never validated, compared or written anywhere).
 */
export interface WorkerRequest<Context = unknown> {
  /** The role asked for, e.g. `"docs"` or `"coder"`: 1 to 256 characters, no control characters. */
  workerId: string;
  fingerprint: ModelFingerprintInput;
  /** Skip every reuse: spawn a fresh worker (default false). */
  forceNew?: boolean;
  /** Stop the worker once unused this long (recorded with it when spawned; overrides the pool's idleTtlMs). */
  idleTtlMs?: number;
  /** A spawn for this request not ready after this long is stopped and fails with SpawnError (overrides the pool's). */
  spawnTimeoutMs?: number;
  /** Ends the wait; a spawn nobody else waits for is abandoned (its backend's `spawn` sees its signal abort). */
  signal?: AbortSignal;
  /**
   * The application's own data for this request (a profile, options, a spawn function): handed as it is to
   * the backend's `spawn` (as `request.context`) and `probe`; kept in memory only, never persisted or compared.
   */
  context?: Context;
}

/** A request after validation, defaults filled in: what backends and policies see. */
export interface ResolvedWorkerRequest<Context = unknown> {
  workerId: string;
  fingerprint: ModelFingerprint;
  forceNew: boolean;
  idleTtlMs?: number;
  spawnTimeoutMs?: number;
  signal?: AbortSignal;
  context?: Context;
}

export const WorkerRequestSchema = z.strictObject({
  workerId: WorkerIdSchema,
  // Refused in what callers ask for (a model id is printed and logged); a record that carries them is
  // still read, and shown escaped.
  fingerprint: ModelFingerprintSchema.refine((fingerprint) => !CONTROL_CHARACTERS.test(fingerprint.resolvedModel), {
    message: "resolvedModel must not contain control characters",
    path: ["resolvedModel"],
  }),
  forceNew: z.boolean().default(false),
  /** Stop the worker once unused this long (recorded with it when spawned; overrides the pool's idleTtlMs). */
  idleTtlMs: z.number().int().positive().max(2_147_483_647).optional(),
  /** A spawn for this request not ready after this long is stopped and fails with SpawnError (overrides the pool's). */
  spawnTimeoutMs: z.number().int().positive().max(2_147_483_647).optional(),
  signal: z.instanceof(AbortSignal).optional(),
  /** Opaque: passed through by reference, never looked into (see `WorkerRequest.context`). */
  context: z.unknown().optional(),
}) satisfies z.ZodType<ResolvedWorkerRequest, WorkerRequest>;
