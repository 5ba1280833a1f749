import type { WorkerPool } from "./WorkerPool.js";

/**
 * Marks every WorkerPool, whichever installed copy of @modelpool/core made it: `Symbol.for` returns the
 * same symbol in every copy, where `instanceof` fails across copies (a plugin's core and the app's).
 */
export const WORKER_POOL_BRAND: unique symbol = Symbol.for("modelpool.WorkerPool") as never;

/** Whether `value` is a WorkerPool, from this copy of @modelpool/core or another. */
export function isWorkerPool(value: unknown): value is WorkerPool {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { [WORKER_POOL_BRAND]?: unknown })[WORKER_POOL_BRAND] === true
  );
}
