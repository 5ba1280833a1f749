import { z } from "zod";

/** How a worker's model may change while it runs: `sticky` workers keep theirs, `dynamic` ones may be re-pointed. */
export const ModelPolicySchema = z.enum(["dynamic", "sticky"]);
export type ModelPolicy = z.infer<typeof ModelPolicySchema>;

export const FingerprintAttributeValueSchema = z.union([z.string().max(4096), z.number(), z.boolean()]);

/** What a worker was started with; reuse is decided by comparing these. */
export const ModelFingerprintSchema = z.object({
  resolvedModel: z
    .string()
    .min(1, "resolvedModel must be a non-empty model id")
    .max(1024)
    .regex(/\S/, "resolvedModel must not be blank")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    .regex(/^[^\u0000-\u001f\u007f]+$/, "resolvedModel must not contain control characters"),
  modelPolicy: ModelPolicySchema.default("dynamic"),
  attributes: z.record(z.string().max(256), FingerprintAttributeValueSchema).optional(),
});
export type ModelFingerprint = z.output<typeof ModelFingerprintSchema>;
export type ModelFingerprintInput = z.input<typeof ModelFingerprintSchema>;

/**
 * A canonical string for a fingerprint: two fingerprints are the same exactly when their keys are equal.
 * Attribute order does not matter; it keys in-flight spawns in memory and across processes.
 */
export function fingerprintKey(fingerprint: ModelFingerprint): string {
  const attributes = Object.entries(fingerprint.attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([fingerprint.resolvedModel, fingerprint.modelPolicy, attributes]);
}
