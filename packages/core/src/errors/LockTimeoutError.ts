import { hasModelpoolCode, ModelpoolError } from "./ModelpoolError.js";

/** Who held what a LockTimeoutError waited for: a live process (a lock is never taken from one). */
export type LockHolderIdentity = { readonly pid: number; readonly start?: string | undefined };

/** The registry lock could not be taken (or was lost) in time; nothing was written. */
export class LockTimeoutError extends ModelpoolError {
  override name = "LockTimeoutError" as const;
  readonly path: string;
  readonly waitedMs: number;
  /** The process that held the lock (or whose announced update was under way) when the wait ran out. */
  readonly holder: LockHolderIdentity | undefined;

  constructor(path: string, waitedMs: number, detail = "another process holds it", holder?: LockHolderIdentity) {
    const by = holder ? ` (process ${holder.pid}${holder.start ? `, started ${holder.start}` : ""})` : "";
    super("LOCK_TIMEOUT", `could not lock registry ${path} within ${waitedMs} ms: ${detail}${by}`);
    this.path = path;
    this.waitedMs = waitedMs;
    this.holder = holder;
  }
}

export function isLockTimeoutError(value: unknown): value is LockTimeoutError {
  return hasModelpoolCode(value, "LOCK_TIMEOUT");
}
