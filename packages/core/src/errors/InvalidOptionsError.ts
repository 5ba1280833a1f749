import type { z } from "zod";
import { describeIssues, firstIssuePath } from "./describe-issues.js";
import { ModelpoolError } from "./ModelpoolError.js";

/** Options given to a constructor or factory (`WorkerPool`, `DeviceRegistry`, `processBackend`, a policy) are wrong. */
export class InvalidOptionsError extends ModelpoolError {
  override name = "InvalidOptionsError" as const;
  /** What was being configured, e.g. `WorkerPool` or `processBackend`. */
  readonly subject: string;
  readonly field: string;
  readonly issues: readonly z.core.$ZodIssue[];

  constructor(subject: string, issues: readonly z.core.$ZodIssue[]) {
    const field = firstIssuePath(issues);
    super("INVALID_OPTIONS", `invalid ${subject} options: ${describeIssues(issues)}`);
    this.subject = subject;
    this.field = field;
    this.issues = issues;
  }
}

export function isInvalidOptionsError(value: unknown): value is InvalidOptionsError {
  return value instanceof InvalidOptionsError;
}
