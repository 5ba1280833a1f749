import { z } from "zod";
import { ModelFingerprintSchema } from "./fingerprint.js";

export const WorkerIdSchema = z
  .string()
  .min(1, "workerId must be a non-empty string")
  .max(256)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]+$/, "workerId must not contain control characters");

/** What a caller asks `getOrSpawn` / `explain` for. */
export const WorkerRequestSchema = z.strictObject({
  workerId: WorkerIdSchema,
  fingerprint: ModelFingerprintSchema,
  forceNew: z.boolean().default(false),
  /** Stop the worker once unused this long (recorded with it when spawned; overrides the pool's idleTtlMs). */
  idleTtlMs: z.number().int().positive().max(2_147_483_647).optional(),
  signal: z.instanceof(AbortSignal).optional(),
});
export type WorkerRequest = z.input<typeof WorkerRequestSchema>;
export type ResolvedWorkerRequest = z.output<typeof WorkerRequestSchema>;
