import { hasModelpoolCode, ModelpoolError } from "./ModelpoolError.js";

/** At `maxWorkers` (of the pool or of the device) with every worker leased, and no room came in time. */
export class CapacityError extends ModelpoolError {
  override name = "CapacityError" as const;
  readonly scope: "pool" | "device";
  readonly limit: number;
  readonly waitedMs: number;

  constructor(scope: "pool" | "device", limit: number, waitedMs: number) {
    super(
      "CAPACITY_EXHAUSTED",
      `no room for another worker: the ${scope} is at maxWorkers ${limit} and every worker is leased (waited ${waitedMs} ms; release a lease or raise the limit)`,
    );
    this.scope = scope;
    this.limit = limit;
    this.waitedMs = waitedMs;
  }
}

export function isCapacityError(value: unknown): value is CapacityError {
  return hasModelpoolCode(value, "CAPACITY_EXHAUSTED");
}
