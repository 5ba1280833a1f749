/**
 * A modelpool policy: reuse a worker only when its model fingerprint matches exactly.
 *
 * @packageDocumentation
 * @module @modelpool/policy-exact
 */
export {
  type ComparedField,
  ComparedFieldSchema,
  ExactModelPolicy,
  type ExactModelPolicyOptions,
  ExactModelPolicyOptionsSchema,
} from "./ExactModelPolicy.js";
