import { describeIssues, firstIssuePath } from "./describe-issues.js";
import { hasModelpoolCode, ModelpoolError } from "./ModelpoolError.js";
import { toValidationIssues, type ValidationIssue, type ValidationIssueLike } from "./validation-issue.js";

/** Options given to a constructor or factory (`WorkerPool`, `DeviceRegistry`, `processBackend`, a policy) are wrong. */
export class InvalidOptionsError extends ModelpoolError {
  override name = "InvalidOptionsError" as const;
  /** What was being configured, e.g. `WorkerPool` or `processBackend`. */
  readonly subject: string;
  readonly field: string;
  /** Every problem found, as plain data (not the validator's own issue objects). */
  readonly issues: readonly ValidationIssue[];

  constructor(subject: string, issues: readonly ValidationIssueLike[]) {
    const field = firstIssuePath(issues);
    super("INVALID_OPTIONS", `invalid ${subject} options: ${describeIssues(issues)}`);
    this.subject = subject;
    this.field = field;
    this.issues = toValidationIssues(issues);
  }
}

export function isInvalidOptionsError(value: unknown): value is InvalidOptionsError {
  return hasModelpoolCode(value, "INVALID_OPTIONS");
}
