/** Every stable error code modelpool throws; callers switch on these, never on messages. */
export type ModelpoolErrorCode =
  | "INVALID_REQUEST"
  | "INVALID_OPTIONS"
  | "INVALID_VERDICT"
  | "POLICY_TIMEOUT"
  | "NOT_A_POOL"
  | "CAPACITY_EXHAUSTED"
  | "REGISTRY_CORRUPT"
  | "REGISTRY_TOO_NEW"
  | "REGISTRY_UNSAFE_PERMISSIONS"
  | "LOCK_TIMEOUT"
  | "REGISTRY_UNAVAILABLE"
  | "NOT_A_REGISTRY"
  | "SPAWN_FAILED";

/** Base of every error modelpool throws on purpose. */
export class ModelpoolError extends Error {
  override name = "ModelpoolError";
  readonly code: ModelpoolErrorCode;

  constructor(code: ModelpoolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isModelpoolError(value: unknown): value is ModelpoolError {
  return value instanceof ModelpoolError;
}
