import { describeIssues } from "./describe-issues.js";
import { hasModelpoolCode, ModelpoolError } from "./ModelpoolError.js";
import { toValidationIssues, type ValidationIssue, type ValidationIssueLike } from "./validation-issue.js";

/**
 * A `canReuse` tap returned something that is not a verdict. A broken policy is a programming error:
 * guessing what it meant could reuse a worker with the wrong model, so the request fails instead.
 */
export class InvalidVerdictError extends ModelpoolError {
  override name = "InvalidVerdictError" as const;
  /** Names of the taps registered on `canReuse` when the bad verdict came out of the waterfall. */
  readonly taps: readonly string[];
  /** Every problem found, as plain data (not the validator's own issue objects). */
  readonly issues: readonly ValidationIssue[];

  constructor(taps: readonly string[], issues: readonly ValidationIssueLike[]) {
    super(
      "INVALID_VERDICT",
      `a canReuse tap (one of: ${taps.join(", ") || "none"}) returned an invalid verdict: ${describeIssues(issues)}`,
    );
    this.taps = taps;
    this.issues = toValidationIssues(issues);
  }
}

export function isInvalidVerdictError(value: unknown): value is InvalidVerdictError {
  return hasModelpoolCode(value, "INVALID_VERDICT");
}
