import type { ModelFingerprint } from "./fingerprint.js";
import { type Checked, type HandCheck, isPlainObject, number, object, oneOf, REJECT, string } from "./hand-check.js";

/** `ModelPolicySchema`. */
export const checkModelPolicy = oneOf("dynamic", "sticky");

const attributeKey = string(0, 256);
const attributeString = string(0, 4096);
const finite = number();

/**
 * `attributes`: a record of short keys to strings, numbers and booleans. Only the plainest of objects is
 * answered here (own enumerable string keys: zod's record also reads symbols and skips non-enumerable keys).
 */
function checkAttributes(value: unknown): Checked<Record<string, string | number | boolean>> {
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  if (Reflect.ownKeys(value).length !== keys.length) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const key of keys) {
    const keyChecked = attributeKey(key);
    if (keyChecked === undefined) return undefined;
    if (keyChecked === REJECT) return REJECT;
    const item = value[key];
    const checked = typeof item === "boolean" ? item : typeof item === "number" ? finite(item) : attributeString(item);
    if (checked === undefined || checked === REJECT) return checked;
    out[key] = checked;
  }
  return out;
}

/** `ModelFingerprintSchema`, as hand checks (see hand-check.ts). */
export const checkFingerprint: HandCheck<ModelFingerprint> = object<ModelFingerprint>(
  [
    ["resolvedModel", string(1, 1024, /\S/), "required"],
    ["modelPolicy", checkModelPolicy, { default: () => "dynamic" }],
    ["attributes", checkAttributes, "optional"],
  ],
  "strip",
);
