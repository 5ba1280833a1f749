import { z } from "zod";
import { type ModelFingerprint, type ModelFingerprintInput, ModelFingerprintSchema } from "./fingerprint.js";

export const WorkerIdSchema = z
  .string()
  .min(1, "workerId must be a non-empty string")
  .max(256)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]+$/, "workerId must not contain control characters");

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

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
  signal: z.instanceof(AbortSignal).optional(),
}) satisfies z.ZodType<ResolvedWorkerRequest, WorkerRequest>;
