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
  | "SPAWN_FAILED"
  | "STOP_FAILED"
  | "ADOPT_REFUSED";

/**
 * Marks every modelpool error, whichever copy of this package made it. `Symbol.for` returns the same
 * symbol in every copy (and realm), where `instanceof` fails as soon as an application ends up with two
 * installed copies of @modelpool/core (a policy's and the pool's, say).
 */
const MODELPOOL_ERROR = Symbol.for("modelpool.error");

/** Base of every error modelpool throws on purpose. */
export class ModelpoolError extends Error {
  override name = "ModelpoolError";
  readonly code: ModelpoolErrorCode;

  constructor(code: ModelpoolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, MODELPOOL_ERROR, { value: true });
  }
}

/** Any modelpool error, from this copy of @modelpool/core or another: checks the brand, not the class. */
export function isModelpoolError(value: unknown): value is ModelpoolError {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { [MODELPOOL_ERROR]?: unknown })[MODELPOOL_ERROR] === true &&
    typeof (value as { code?: unknown }).code === "string"
  );
}

/** A modelpool error with this `code`: what each `is…Error` guard checks (codes are stable, classes per copy). */
export function hasModelpoolCode(value: unknown, code: ModelpoolErrorCode): boolean {
  return isModelpoolError(value) && value.code === code;
}
