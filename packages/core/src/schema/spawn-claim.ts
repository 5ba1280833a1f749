import * as z from "zod";
import { lazySchema } from "./lazy-schema.js";
import { WorkerIdSchema } from "./request.js";
import { PidSchema } from "./worker-record.js";

/** The process holding a claim, and the host it runs on (only that host can judge the pid). */
export const ClaimOwnerSchema = z.object({
  pid: PidSchema,
  start: z.string().max(256).optional(),
  host: z.string().min(1).max(256),
});
export type ClaimOwner = z.infer<typeof ClaimOwnerSchema>;

/**
 * The right to spawn one workerId + fingerprint (or to change one record), held by one process until it
 * releases it, its owner dies, or `expiresAt` passes without a renewal. `token` tells holders apart, so a
 * holder whose claim was taken over can never renew or release the new holder's claim.
 */
// Loose: a claim written by a newer modelpool with more fields is still a claim here, never taken for garbage.
export const SpawnClaimSchema = z.looseObject({
  key: z.string().min(1).max(4096),
  token: z.string().min(1).max(128),
  workerId: WorkerIdSchema,
  owner: ClaimOwnerSchema,
  /** Epoch ms. */
  acquiredAt: z.number(),
  expiresAt: z.number(),
});
export type SpawnClaim = z.infer<typeof SpawnClaimSchema>;

/** Left behind by a claim released after a failed spawn: waiters share the failure instead of retrying at once. */
export const ClaimFailureSchema = z.looseObject({
  key: z.string().min(1).max(4096),
  workerId: WorkerIdSchema,
  owner: ClaimOwnerSchema,
  message: z.string().max(8192),
  /** Epoch ms: until then, nobody claims this key again (the crashing model is not started by every waiter). */
  retryAfter: z.number(),
});
export type ClaimFailure = z.infer<typeof ClaimFailureSchema>;

/** Whether what `readClaim` answered is a failure (still in its back-off) rather than a live claim. */
export function isClaimFailure(value: SpawnClaim | ClaimFailure): value is ClaimFailure {
  return typeof value.retryAfter === "number" && typeof value.token !== "string";
}

/** What `acquireClaim` takes, checked before anything is written: a claim whose file could not be read back would hold nothing. */
export const claimRequestSchema = lazySchema(() =>
  z.object({
    key: z.string().min(1).max(4096),
    workerId: WorkerIdSchema,
    owner: ClaimOwnerSchema,
    ttlMs: z.number().int().positive().max(2_147_483_647),
  }),
);
