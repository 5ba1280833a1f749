import { ModelpoolError } from "./ModelpoolError.js";

/**
 * A `canReuse` tap did not answer within `policyTimeoutMs`. The request fails rather than guessing:
 * a policy that cannot answer cannot allow a reuse. The tap's own work is abandoned, not awaited.
 */
export class PolicyTimeoutError extends ModelpoolError {
  override name = "PolicyTimeoutError" as const;
  /** The tap that did not answer. */
  readonly tap: string;
  readonly timeoutMs: number;

  constructor(tap: string, timeoutMs: number) {
    super("POLICY_TIMEOUT", `canReuse tap ${tap} did not answer within ${timeoutMs} ms (policyTimeoutMs)`);
    this.tap = tap;
    this.timeoutMs = timeoutMs;
  }
}

export function isPolicyTimeoutError(value: unknown): value is PolicyTimeoutError {
  return value instanceof PolicyTimeoutError;
}
