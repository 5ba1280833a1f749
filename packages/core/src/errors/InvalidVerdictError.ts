import type { z } from "zod";
import { describeIssues } from "./describe-issues.js";
import { ModelpoolError } from "./ModelpoolError.js";

/**
 * A `canReuse` tap returned something that is not a verdict. A broken policy is a programming error:
 * guessing what it meant could reuse a worker with the wrong model, so the request fails instead.
 */
export class InvalidVerdictError extends ModelpoolError {
  override name = "InvalidVerdictError" as const;
  /** Names of the taps registered on `canReuse` when the bad verdict came out of the waterfall. */
  readonly taps: readonly string[];
  readonly issues: readonly z.core.$ZodIssue[];

  constructor(taps: readonly string[], issues: readonly z.core.$ZodIssue[]) {
    super(
      "INVALID_VERDICT",
      `a canReuse tap (one of: ${taps.join(", ") || "none"}) returned an invalid verdict: ${describeIssues(issues)}`,
    );
    this.taps = taps;
    this.issues = issues;
  }
}

export function isInvalidVerdictError(value: unknown): value is InvalidVerdictError {
  return value instanceof InvalidVerdictError;
}
