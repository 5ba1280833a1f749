import { type ModelFingerprint, type ModelFingerprintInput, ModelFingerprintSchema } from "@modelpool/core";

/**
 * A fingerprint as the pool resolves it, defaults filled in (`modelPolicy: "dynamic"`), checked by core's
 * own schema: what a policy's `canReuse` tap sees in `request.fingerprint` and `candidate.fingerprint`.
 * `fingerprint("openai/gpt-5-mini", { attributes: { ctx: 8192 } })`. An invalid one throws core's error.
 */
export function fingerprint(
  resolvedModel: string,
  more: Omit<ModelFingerprintInput, "resolvedModel"> = {},
): ModelFingerprint {
  return ModelFingerprintSchema.parse({ resolvedModel, ...more });
}
