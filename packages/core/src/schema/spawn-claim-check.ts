import { type HandCheck, number, object, string } from "./hand-check.js";
import { checkWorkerId } from "./request-check.js";
import type { ClaimFailure, ClaimOwner, SpawnClaim } from "./spawn-claim.js";
import { checkPid } from "./worker-record-check.js";

// The hand-written twins of the claim file schemas (see hand-check.ts): a lease's record lock reads its
// own claim file back, and the released file below it as a possible failure, on every first lease.

const checkClaimOwner: HandCheck<ClaimOwner> = object<ClaimOwner>(
  [
    ["pid", checkPid, "required"],
    ["start", string(0, 256), "optional"],
    ["host", string(1, 256), "required"],
  ],
  "strip",
);

const key = string(1, 4096);
const finite = number();

export const checkSpawnClaim: HandCheck<SpawnClaim> = object<SpawnClaim>(
  [
    ["key", key, "required"],
    ["token", string(1, 128), "required"],
    ["workerId", checkWorkerId, "required"],
    ["owner", checkClaimOwner, "required"],
    ["acquiredAt", finite, "required"],
    ["expiresAt", finite, "required"],
  ],
  "keep",
);

export const checkClaimFailure: HandCheck<ClaimFailure> = object<ClaimFailure>(
  [
    ["key", key, "required"],
    ["workerId", checkWorkerId, "required"],
    ["owner", checkClaimOwner, "required"],
    ["message", string(0, 8192), "required"],
    ["retryAfter", finite, "required"],
  ],
  "keep",
);
