import { hasModelpoolCode, ModelpoolError } from "./ModelpoolError.js";

/** The registry lock could not be taken (or was lost) in time; nothing was written. */
export class LockTimeoutError extends ModelpoolError {
  override name = "LockTimeoutError" as const;
  readonly path: string;
  readonly waitedMs: number;

  constructor(path: string, waitedMs: number, detail = "another process holds it") {
    super("LOCK_TIMEOUT", `could not lock registry ${path} within ${waitedMs} ms: ${detail}`);
    this.path = path;
    this.waitedMs = waitedMs;
  }
}

export function isLockTimeoutError(value: unknown): value is LockTimeoutError {
  return hasModelpoolCode(value, "LOCK_TIMEOUT");
}
