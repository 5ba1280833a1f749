import { describeIssues, firstIssuePath } from "./describe-issues.js";
import { hasModelpoolCode, ModelpoolError } from "./ModelpoolError.js";
import { toValidationIssues, type ValidationIssue, type ValidationIssueLike } from "./validation-issue.js";

/** A `getOrSpawn`/`explain` request that does not match `WorkerRequestSchema`. Nothing was spawned. */
export class InvalidRequestError extends ModelpoolError {
  override name = "InvalidRequestError" as const;
  /** Dotted path of the first offending field, e.g. `fingerprint.resolvedModel`. */
  readonly field: string;
  /** Every problem found, as plain data (not the validator's own issue objects). */
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssueLike[]) {
    const field = firstIssuePath(issues);
    super("INVALID_REQUEST", `invalid worker request: ${describeIssues(issues)}`);
    this.field = field;
    this.issues = toValidationIssues(issues);
  }
}

export function isInvalidRequestError(value: unknown): value is InvalidRequestError {
  return hasModelpoolCode(value, "INVALID_REQUEST");
}
