export { CorruptRegistryError, isCorruptRegistryError } from "./CorruptRegistryError.js";
export { InvalidOptionsError, isInvalidOptionsError } from "./InvalidOptionsError.js";
export { InvalidRequestError, isInvalidRequestError } from "./InvalidRequestError.js";
export { InvalidVerdictError, isInvalidVerdictError } from "./InvalidVerdictError.js";
export { isLockTimeoutError, LockTimeoutError } from "./LockTimeoutError.js";
export { isModelpoolError, ModelpoolError, type ModelpoolErrorCode } from "./ModelpoolError.js";
export { isRegistryVersionError, RegistryVersionError } from "./RegistryVersionError.js";
export { isSpawnError, SpawnError, type SpawnFailure } from "./SpawnError.js";
export { isUnsafeRegistryPermissionsError, UnsafeRegistryPermissionsError } from "./UnsafeRegistryPermissionsError.js";
