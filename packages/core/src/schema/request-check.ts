import { checkFingerprint } from "./fingerprint-check.js";
import { boolean, type Checked, type HandCheck, number, object, REJECT, string } from "./hand-check.js";
import type { ResolvedWorkerRequest } from "./request.js";

// The hand-written twin of WorkerRequestSchema (see hand-check.ts): every getOrSpawn and explain is checked here first.

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
export const checkWorkerId = string(1, 256, /^[^\u0000-\u001f\u007f]+$/);

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** The request's fingerprint, refused with a control character in its model id (the schema's refine). */
function checkRequestedFingerprint(value: unknown): Checked<unknown> {
  const checked = checkFingerprint(value);
  if (checked === REJECT || checked === undefined) return checked;
  return CONTROL_CHARACTERS.test(checked.resolvedModel) ? REJECT : checked;
}

const checkSignal: HandCheck<AbortSignal> = (value) => (value instanceof AbortSignal ? value : REJECT);

export const checkWorkerRequest: HandCheck<ResolvedWorkerRequest> = object<ResolvedWorkerRequest>(
  [
    ["workerId", checkWorkerId, "required"],
    ["fingerprint", checkRequestedFingerprint, "required"],
    ["forceNew", boolean, { default: () => false }],
    ["idleTtlMs", number({ int: true, gt: 0, max: 2_147_483_647 }), "optional"],
    ["spawnTimeoutMs", number({ int: true, gt: 0, max: 2_147_483_647 }), "optional"],
    ["signal", checkSignal, "optional"],
    ["context", (value) => value, "optional"],
  ],
  "refuse",
);
