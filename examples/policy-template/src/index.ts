export { MinimumContextPolicy, type MinimumContextPolicyOptions } from "./MinimumContextPolicy.js";
