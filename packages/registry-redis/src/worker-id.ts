// WorkerIdSchema is not exported by @modelpool/core; the same rule is checked on workerIds read from Redis.
import * as z from "zod";

export const WorkerIdSchema = z
  .string()
  .min(1)
  .max(256)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]+$/);
