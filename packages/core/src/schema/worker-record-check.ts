import { checkFingerprint } from "./fingerprint-check.js";
import { array, boolean, type HandCheck, number, object, oneOf, string } from "./hand-check.js";
import { checkWorkerId } from "./request-check.js";
import type { LeaseHolder, ProcessIdentity, WorkerRecord } from "./worker-record.js";

// The hand-written twin of WorkerRecordSchema (see hand-check.ts): every record file a lookup reads, and
// every record a lease writes, is checked here first. The fields are in the schema's order, which is the
// order zod gives the output's keys (and so the order they are written in).

export const checkPid = number({ int: true, gt: 0, max: 2 ** 31 - 1 });
const token = string(0, 256);
const finite = number();

export const checkProcessIdentity: HandCheck<ProcessIdentity> = object<ProcessIdentity>(
  [
    ["pid", checkPid, "required"],
    ["start", token, "optional"],
  ],
  "strip",
);

const leaseHolderFields = [
  ["pid", checkPid, "required"],
  ["start", token, "optional"],
  ["pool", string(0, 64), "optional"],
  ["host", string(1, 256), "optional"],
  ["aliveUntil", finite, "optional"],
  ["leases", number({ int: true, min: 0 }), "required"],
  ["lastUsedAt", finite, "required"],
] as const;

export const checkLeaseHolder: HandCheck<LeaseHolder> = object<LeaseHolder>([...leaseHolderFields], "strip");

/** A lease entry as its own file holds it (`HolderFileSchema`): the entry and the record it holds. */
export const checkHolderFile: HandCheck<LeaseHolder & { record: string }> = object<LeaseHolder & { record: string }>(
  [...leaseHolderFields, ["record", string(1, 256), "required"]],
  "strip",
);

export const checkWorkerRecord: HandCheck<WorkerRecord> = object<WorkerRecord>(
  [
    ["kind", oneOf("worker"), "required"],
    ["id", string(1, 256), "required"],
    ["workerId", checkWorkerId, "required"],
    ["pid", checkPid, "required"],
    ["pidStart", token, "optional"],
    ["fingerprint", checkFingerprint, "optional"],
    ["status", oneOf("starting", "ready", "busy", "error", "stopped"), "required"],
    ["url", string(0, 2048), "optional"],
    ["port", number({ int: true, min: 1, max: 65535 }), "optional"],
    ["sessionId", string(0, 1024), "optional"],
    ["backend", token, "optional"],
    ["owner", checkProcessIdentity, "optional"],
    ["claimExpiresAt", finite, "optional"],
    ["fingerprintScheme", number({ int: true, gt: 0 }), "optional"],
    ["holders", array(checkLeaseHolder, 1024), "optional"],
    ["idleTtlMs", number({ int: true, gt: 0 }), "optional"],
    ["draining", boolean, "optional"],
    ["host", string(1, 256), "optional"],
    ["aliveUntil", finite, "optional"],
    ["startedAt", finite, "required"],
    ["updatedAt", finite, "required"],
    ["lastError", string(0, 8192), "optional"],
    ["pidExe", string(0, 4096), "optional"],
    ["pidSession", object([["verifiedAt", token, "required"]], "strip"), "optional"],
  ],
  "keep",
);
