/**
 * A modelpool policy: reuse a worker of the same model family with a semver-compatible version.
 *
 * @packageDocumentation
 * @module @modelpool/policy-family
 */
export { FamilyPolicy, type FamilyPolicyOptions, FamilyPolicyOptionsSchema } from "./FamilyPolicy.js";
export {
  type FamilyCompatibility,
  familyCompatible,
  type ModelIdParser,
  type VersionRange,
  VersionRangeSchema,
  versionDistance,
} from "./family-compatible.js";
export { type ParsedModelId, ParsedModelIdSchema, parseModelId } from "./parse-model-id.js";
