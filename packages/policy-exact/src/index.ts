export {
  type ComparedField,
  ComparedFieldSchema,
  ExactModelPolicy,
  type ExactModelPolicyOptions,
  ExactModelPolicyOptionsSchema,
} from "./ExactModelPolicy.js";
