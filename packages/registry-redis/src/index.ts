export { MAX_VALUE_BYTES, MAX_VALUE_DEPTH } from "./bounded-json.js";
export { encodeKeySegment, RegistryKeys } from "./keys.js";
export {
  NamespaceSchema,
  type RedisClientLike,
  type RedisRegistryOptions,
  RedisRegistryOptionsSchema,
} from "./options.js";
export { RedisRegistry } from "./RedisRegistry.js";
export { isRedisRegistryUrl, parseRegistryUrl, RegistryUrlSchema } from "./registry-url.js";
