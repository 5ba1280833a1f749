import { WorkerPoolOptionsSchema } from "../pool/options.js";
import { checkWorkerPoolOptions } from "../pool/worker-pool-options-check.js";
import type { HandCheck } from "./hand-check.js";
import { HolderFileSchema } from "./holder-file.js";
import { WorkerRequestSchema } from "./request.js";
import { checkWorkerRequest } from "./request-check.js";
import { ClaimFailureSchema, SpawnClaimSchema } from "./spawn-claim.js";
import { checkClaimFailure, checkSpawnClaim } from "./spawn-claim-check.js";
import { LeaseHolderSchema, WorkerRecordSchema } from "./worker-record.js";
import { checkHolderFile, checkLeaseHolder, checkWorkerRecord } from "./worker-record-check.js";

/**
 * The schemas a decision parses, each with the hand-written check that answers for it where it can
 * (see hand-check.ts): the pool's options, the request, every record read or written, every lease entry
 * written or read, and the record lock's claim files.
 * Keyed by the schema object itself, so `safeParse(schema, value)` needs no other name for it.
 */
export const HAND_CHECKS: ReadonlyMap<object, HandCheck<unknown>> = new Map<object, HandCheck<unknown>>([
  [WorkerPoolOptionsSchema, checkWorkerPoolOptions],
  [WorkerRequestSchema, checkWorkerRequest],
  [WorkerRecordSchema, checkWorkerRecord],
  [LeaseHolderSchema, checkLeaseHolder],
  [HolderFileSchema, checkHolderFile],
  [SpawnClaimSchema, checkSpawnClaim],
  [ClaimFailureSchema, checkClaimFailure],
]);
