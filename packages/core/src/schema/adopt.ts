import * as z from "zod";
import type { ModelFingerprintInput } from "./fingerprint.js";
import { WorkerRequestSchema } from "./request.js";
import { PidSchema } from "./worker-record.js";

/** What `pool.adopt()` takes: a worker that is already running, and what it runs. */
export interface AdoptInput {
  workerId: string;
  /** The worker's process: alive now, on this machine; its start time is read at adoption. */
  pid: number;
  url?: string;
  port?: number;
  sessionId?: string;
  /** What the worker was started with: policies judge it like any other. */
  fingerprint: ModelFingerprintInput;
}

export const AdoptInputSchema = z.strictObject({
  workerId: WorkerRequestSchema.shape.workerId,
  pid: PidSchema,
  url: z.string().max(2048).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  sessionId: z.string().max(1024).optional(),
  fingerprint: WorkerRequestSchema.shape.fingerprint,
}) satisfies z.ZodType<unknown, AdoptInput>;
export type ResolvedAdoptInput = z.output<typeof AdoptInputSchema>;
