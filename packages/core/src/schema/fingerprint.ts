import * as z from "zod";

/** How a worker's model may change while it runs: `sticky` workers keep theirs, `dynamic` ones may be re-pointed. */
export type ModelPolicy = "dynamic" | "sticky";
export const ModelPolicySchema = z.enum(["dynamic", "sticky"]) satisfies z.ZodType<ModelPolicy>;

export type FingerprintAttributeValue = string | number | boolean;
export const FingerprintAttributeValueSchema = z.union([
  z.string().max(4096),
  z.number(),
  z.boolean(),
]) satisfies z.ZodType<FingerprintAttributeValue>;

/**
 * What a worker was started with; reuse is decided by comparing these. Plain TypeScript (checked against
 * `ModelFingerprintSchema` at compile time), so code using it does not depend on core's zod version.
 */
export interface ModelFingerprint {
  /** The model the worker really runs, e.g. `openai/gpt-5-mini` (non-empty). */
  resolvedModel: string;
  modelPolicy: ModelPolicy;
  /** More of what the worker was started with (context size, quantisation...); order never matters. */
  attributes?: Record<string, FingerprintAttributeValue>;
}

/** A fingerprint as callers write it: `modelPolicy` defaults to `"dynamic"`. */
export interface ModelFingerprintInput {
  resolvedModel: string;
  modelPolicy?: ModelPolicy;
  attributes?: Record<string, FingerprintAttributeValue>;
}

export const ModelFingerprintSchema = z.object({
  resolvedModel: z
    .string()
    .min(1, "resolvedModel must be a non-empty model id")
    .max(1024)
    .regex(/\S/, "resolvedModel must not be blank"),
  modelPolicy: ModelPolicySchema.default("dynamic"),
  attributes: z.record(z.string().max(256), FingerprintAttributeValueSchema).optional(),
}) satisfies z.ZodType<ModelFingerprint, ModelFingerprintInput>;

/**
 * A canonical string for a fingerprint: two fingerprints are the same exactly when their keys are equal.
 * Attribute order does not matter; it keys in-flight spawns in memory and across processes.
 */
export function fingerprintKey(fingerprint: ModelFingerprint): string {
  const attributes = Object.entries(fingerprint.attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([fingerprint.resolvedModel, fingerprint.modelPolicy, attributes]);
}
