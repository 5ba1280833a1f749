import type { WorkerPool } from "./WorkerPool.js";

import { WORKER_POOL_BRAND } from "./worker-pool-brand.js";

export { WORKER_POOL_BRAND } from "./worker-pool-brand.js";

/** Whether `value` is a WorkerPool, from this copy of @modelpool/core or another. */
export function isWorkerPool(value: unknown): value is WorkerPool {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { [WORKER_POOL_BRAND]?: unknown })[WORKER_POOL_BRAND] === true
  );
}
