import { z } from "zod";
import { type ModelFingerprint, type ModelFingerprintInput, ModelFingerprintSchema } from "./fingerprint.js";

export const WorkerIdSchema = z
  .string()
  .min(1, "workerId must be a non-empty string")
  .max(256)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]+$/, "workerId must not contain control characters");

/** What a caller asks `getOrSpawn` / `explain` for. */
export interface WorkerRequest {
  /** The role asked for, e.g. `"docs"` or `"coder"`: 1 to 256 characters, no control characters. */
  workerId: string;
  fingerprint: ModelFingerprintInput;
  /** Skip every reuse: spawn a fresh worker (default false). */
  forceNew?: boolean;
  /** Stop the worker once unused this long (recorded with it when spawned; overrides the pool's idleTtlMs). */
  idleTtlMs?: number;
  signal?: AbortSignal;
}

/** A request after validation, defaults filled in: what backends and policies see. */
export interface ResolvedWorkerRequest {
  workerId: string;
  fingerprint: ModelFingerprint;
  forceNew: boolean;
  idleTtlMs?: number;
  signal?: AbortSignal;
}

export const WorkerRequestSchema = z.object({
  workerId: WorkerIdSchema,
  fingerprint: ModelFingerprintSchema,
  forceNew: z.boolean().default(false),
  /** Stop the worker once unused this long (recorded with it when spawned; overrides the pool's idleTtlMs). */
  idleTtlMs: z.number().int().positive().optional(),
  signal: z.instanceof(AbortSignal).optional(),
}) satisfies z.ZodType<ResolvedWorkerRequest, WorkerRequest>;
