/**
 * Marks every WorkerPool, whichever installed copy of @modelpool/core made it: `Symbol.for` returns the
 * same symbol in every copy, where `instanceof` fails across copies (a plugin's core and the app's).
 * In a file of its own so that the pool and `isWorkerPool` both import it without importing each other.
 */
export const WORKER_POOL_BRAND: unique symbol = Symbol.for("modelpool.WorkerPool") as never;
